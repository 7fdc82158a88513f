#!/bin/bash
# Idempotent host setup for the Xen-under-QEMU test (Debian 12, run as root).
# - apt-get installs the missing host packages (QEMU, Xen hypervisor, Debian kernel+headers, ...)
# - fetches Xen userspace .debs with `apt-get download` and unpacks them with `dpkg -x`
#   into $CACHE/xenroot (nothing Xen runs on the host)
# - gunzips the hypervisor to $CACHE/xen-4.17-amd64 (QEMU's multiboot loader wants the ELF)
# Progress goes to stderr; the only stdout line is the chosen KVER.
# env: P2MO_CACHE (see common.sh); P2MO_NO_HOST_XEN=1 takes the hypervisor from a private
#      dpkg -x instead of installing xen-hypervisor-4.17-amd64 (which makes GRUB boot Xen).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
exec 3>&1 1>&2            # keep stdout for the KVER line
mkdir -p "$CACHE"/{debs,logs,img}

PKGS=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio kmod
      make gcc util-linux python3 gzip
      fio libc6-dev linux-libc-dev)   # fio: nopersist_io workload; libc.a + xen/gnt*.h: gntloop
[ "${P2MO_NO_HOST_XEN:-0}" = 1 ] || PKGS+=(xen-hypervisor-4.17-amd64)
XENDEBS=(xen-utils-4.17 xen-utils-common xenstore-utils libxencall1 libxenevtchn1
         libxenforeignmemory1 libxengnttab1 libxenmisc4.17 libxenstore4 libxentoollog1
         libyajl2 libxenhypfs1 libxendevicemodel1 libxentoolcore1)
if [ "${P2MO_NO_HOST_XEN:-0}" = 1 ]; then XENDEBS+=(xen-hypervisor-4.17-amd64); fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
apt_updated=0
apt_install() {
  [ $apt_updated = 1 ] || { timeout 600 apt-get -o DPkg::Lock::Timeout=900 update; apt_updated=1; }
  timeout 1800 env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 \
    install -y --no-install-recommends "$@"
}

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then echo "setup: installing ${missing[*]}"; apt_install "${missing[@]}"; fi

KVER=$(newest_kver)
# headers must match the chosen kernel exactly (linux-headers-amd64 may lag/lead)
[ -e "/lib/modules/$KVER/build/Makefile" ] || apt_install "linux-headers-$KVER"
[ -e "/boot/vmlinuz-$KVER" ] || { echo "setup: /boot/vmlinuz-$KVER missing" >&2; exit 1; }

# Xen userspace, unpacked privately; the stamp records the .deb set so a change re-extracts
stamp="$CACHE/xenroot/.stamp"
want="${XENDEBS[*]}"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: fetching Xen userspace into $CACHE/xenroot"
  [ $apt_updated = 1 ] || { timeout 600 apt-get -o DPkg::Lock::Timeout=900 update; apt_updated=1; }
  rm -f "$CACHE"/debs/*.deb
  if id _apt >/dev/null 2>&1; then chown _apt "$CACHE/debs"; fi   # lets apt download sandboxed
  (cd "$CACHE/debs" && timeout 600 apt-get download "${XENDEBS[@]}")
  rm -rf "$CACHE/xenroot.new"; mkdir -p "$CACHE/xenroot.new"
  for d in "$CACHE"/debs/*.deb; do dpkg -x "$d" "$CACHE/xenroot.new"; done
  echo "$want" > "$CACHE/xenroot.new/.stamp"
  rm -rf "$CACHE/xenroot"; mv "$CACHE/xenroot.new" "$CACHE/xenroot"
fi

# hypervisor ELF (re-extract when the .gz is newer)
XENGZ=/boot/xen-4.17-amd64.gz
if [ "${P2MO_NO_HOST_XEN:-0}" = 1 ]; then XENGZ="$CACHE/xenroot/boot/xen-4.17-amd64.gz"; fi
if [ ! -s "$CACHE/xen-4.17-amd64" ] || [ "$XENGZ" -nt "$CACHE/xen-4.17-amd64" ]; then
  zcat "$XENGZ" > "$CACHE/xen-4.17-amd64.tmp" && mv "$CACHE/xen-4.17-amd64.tmp" "$CACHE/xen-4.17-amd64"
fi
echo "setup: ok (cache $CACHE, kernel $KVER)"
echo "$KVER" >&3
