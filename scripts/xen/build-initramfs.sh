#!/bin/bash
# Build the busybox initramfs for the Xen PV dom0 test boot.
# usage: build-initramfs.sh OUT.cpio.gz
# env:   MODULE_KO  path of p2m_override.ko (copied to /p2m_override.ko; if missing the
#                   image is built without it and the module checks report `not ok`)
#        SAMPLE_KO  path of the sample backend p2mo_sample.ko (copied to /p2mo_sample.ko;
#                   optional: without it the sample_backend check reports `not ok`)
#        BASE_KO    optional: a baseline build of the module, copied to
#                   /p2m_override-base.ko (make bench-dom0 BENCH_BASE=rev: A/B in one boot)
#        DOM0_SCRIPT  what /init runs as /dom0-test.sh (default: dom0-test.sh, the
#                   tests; bench-dom0.sh gives dom0-bench.sh)
#        KVER, P2MO_CACHE (see common.sh); run setup-host.sh first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio.gz" >&2; exit 2; }
OUT=$(readlink -f "$1")
KVER=${KVER:-$(newest_kver)}
XENROOT=$CACHE/xenroot
[ -d "$XENROOT/usr/lib/xen-4.17/bin" ] || { echo "$XENROOT missing: run setup-host.sh" >&2; exit 1; }
INFRA_MODS="xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd"   # loaded by /init
BLK_MODS="loop xen-blkback xen-blkfront"                           # loaded by /dom0-test.sh
NET_MODS="xen-netback"                                             # loaded by /dom0-test.sh (guest_*)

mkdir -p "$CACHE/build" "$CACHE/logs" "$(dirname "$OUT")"
R=$(mktemp -d "$CACHE/build/rootfs.XXXXXX")
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,mnt,modules,lib64,usr/bin} \
         "$R"/var/{lib/xen,lib/xenstored,log/xen} "$R"/lib/x86_64-linux-gnu
ln -s ../run "$R/var/run"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done

# kernel modules with their dependencies, in load order, one list per group
add_mods() { # $1 = list file, rest = module names
  local list=$R/modules/$1 m ko b deps; shift; : > "$list"
  for m in "$@"; do
    deps=$(modprobe -S "$KVER" --show-depends "$m")   # fails (and stops us) if unknown
    while read -r ko; do
      b=$(basename "$ko")
      [ -e "$R/modules/$b" ] || { cp "$ko" "$R/modules/$b"; echo "$b" >> "$list"; }
    done < <(awk '$1=="insmod"{print $2}' <<< "$deps")
  done
}
# shellcheck disable=SC2086  # word splitting intended
add_mods infra.list $INFRA_MODS
# shellcheck disable=SC2086
add_mods blk.list $BLK_MODS
# shellcheck disable=SC2086
add_mods net.list $NET_MODS

# copy a binary plus the shared libraries ldd finds (Xen libs resolved inside XENROOT)
copy_with_libs() { # $1 = source, $2 = destination inside the image
  local lib
  mkdir -p "$R/$(dirname "$2")"; cp -L "$1" "$R/$2"
  LD_LIBRARY_PATH="$XENROOT/usr/lib/x86_64-linux-gnu:$XENROOT/usr/lib/xen-4.17/lib" ldd "$1" |
    awk '/=>/ {print $3} /^\t\/lib64/ {print $1}' | while read -r lib; do
      [ -e "$lib" ] || continue
      case "$lib" in */ld-linux*) cp -L "$lib" "$R/lib64/";; esac
      cp -L "$lib" "$R/lib/x86_64-linux-gnu/"
    done
}
XB=$XENROOT/usr/lib/xen-4.17/bin
for b in xenstored xen-init-dom0 xl xenconsoled; do copy_with_libs "$XB/$b" "/usr/lib/xen-4.17/bin/$b"; done
copy_with_libs "$XENROOT/usr/bin/xenstore" /usr/bin/xenstore
for b in read write ls rm list chmod exists watch; do ln -sf xenstore "$R/usr/bin/xenstore-$b"; done
# libxl's hotplug scripts are bash and take a lock with flock (busybox-static has neither)
copy_with_libs /bin/bash /bin/bash
copy_with_libs /usr/bin/flock /usr/bin/flock
# xl calls pthread_cancel, so glibc dlopen()s libgcc_s.so.1 (invisible to ldd)
cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$R/lib/x86_64-linux-gnu/"
mkdir -p "$R/etc/xen/scripts"
cp -a "$XENROOT/etc/xen/scripts/." "$R/etc/xen/scripts/"
cp "$XENROOT/etc/xen/xl.conf" "$R/etc/xen/"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"

# test-only helpers for the dom0 checks (nothing shared with the module):
# p2mscan.ko lists the real p2m's FOREIGN entries; gntloop grants pages to dom0
# itself and does block I/O from their gntdev mapping; fio is the workload.
P2MSCAN=$HERE/p2mscan
if heavy make -C "/lib/modules/$KVER/build" M="$P2MSCAN" modules >"$CACHE/logs/p2mscan-build.log" 2>&1 &&
   [ -f "$P2MSCAN/p2mscan.ko" ]; then
  cp "$P2MSCAN/p2mscan.ko" "$R/p2mscan.ko"
else
  echo "build-initramfs: warning: p2mscan.ko build FAILED (log $CACHE/logs/p2mscan-build.log):" >&2
  tail -n 10 "$CACHE/logs/p2mscan-build.log" >&2
fi
gcc -static -O2 -Wall -o "$R/usr/bin/gntloop" "$HERE/gntloop/gntloop.c" >"$CACHE/logs/gntloop-build.log" 2>&1 ||
  { echo "build-initramfs: warning: gntloop build FAILED:" >&2; tail -n 10 "$CACHE/logs/gntloop-build.log" >&2; }
if command -v fio >/dev/null; then copy_with_libs "$(command -v fio)" /usr/bin/fio
else echo "build-initramfs: warning: fio not installed on the host (setup-host.sh installs it)" >&2; fi

# the PV guest of the guest_* checks (kernel, initramfs) and its vif hotplug script
"$HERE/build-guest.sh" "$R/guest"
mv "$R/guest/vif-p2mo" "$R/etc/xen/scripts/vif-p2mo"

cp "$HERE/init.sh" "$R/init"
cp "${DOM0_SCRIPT:-$HERE/dom0-test.sh}" "$R/dom0-test.sh"
cp "$HERE/retry.sh" "$R/retry.sh"
cp "$HERE/splat.sh" "$R/splat.sh"
chmod +x "$R/init" "$R/dom0-test.sh"

if [ -n "${MODULE_KO:-}" ] && [ -f "$MODULE_KO" ]; then
  cp "$MODULE_KO" "$R/p2m_override.ko"
  vm=$(modinfo -F vermagic "$MODULE_KO" 2>/dev/null | cut -d' ' -f1)
  [ "$vm" = "$KVER" ] || echo "build-initramfs: warning: $MODULE_KO vermagic '$vm' != $KVER" >&2
  mod="with $(basename "$MODULE_KO")"
else
  echo "build-initramfs: warning: module '${MODULE_KO:-<MODULE_KO unset>}' not found, image built without it" >&2
  mod="WITHOUT p2m_override.ko"
fi

if [ -n "${BASE_KO:-}" ]; then
  cp "$BASE_KO" "$R/p2m_override-base.ko"
  mod="$mod + $(basename "$BASE_KO") as the baseline"
fi

if [ -n "${SAMPLE_KO:-}" ] && [ -f "$SAMPLE_KO" ]; then
  cp "$SAMPLE_KO" "$R/p2mo_sample.ko"
  mod="$mod + $(basename "$SAMPLE_KO")"
else
  echo "build-initramfs: note: sample '${SAMPLE_KO:-<SAMPLE_KO unset>}' not found, image built without it" >&2
fi

(cd "$R" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "built $OUT ($(( $(stat -c %s "$OUT") / 1024 )) KiB, kernel $KVER, $mod)" >&2
