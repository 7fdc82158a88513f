#!/bin/bash
# Build the test guest for the dom0 checks guest_*: the dom0 image's kernel and
# a busybox initramfs with xen-blkfront, xen-netfront, xenstore-read/write and
# pktsend (scripts/xen/guest/). Called by build-initramfs.sh.
# usage: build-guest.sh DIR      writes DIR/vmlinuz, DIR/initrd.gz, DIR/vif-p2mo
# env:   KVER, P2MO_CACHE (see common.sh); run setup-host.sh first.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
OUT=$1
KVER=${KVER:-$(newest_kver)}
XENROOT=$CACHE/xenroot
GUEST_MODS="xen-blkfront xen-netfront"
mkdir -p "$OUT" "$CACHE/build" "$CACHE/logs"
R=$(mktemp -d "$CACHE/build/guestfs.XXXXXX")
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,usr/bin,proc,sys,dev,tmp,modules,lib64,lib/x86_64-linux-gnu}
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done

: > "$R/modules/guest.list"
for m in $GUEST_MODS; do
  while read -r ko; do
    b=$(basename "$ko")
    [ -e "$R/modules/$b" ] || { cp "$ko" "$R/modules/$b"; echo "$b" >> "$R/modules/guest.list"; }
  done < <(modprobe -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}')
done

# xenstore client and its libraries (it talks to /dev/xen/xenbus in a domU)
cp -L "$XENROOT/usr/bin/xenstore" "$R/usr/bin/xenstore"
LD_LIBRARY_PATH="$XENROOT/usr/lib/x86_64-linux-gnu:$XENROOT/usr/lib/xen-4.17/lib" ldd "$XENROOT/usr/bin/xenstore" |
  awk '/=>/ {print $3} /^\t\/lib64/ {print $1}' | while read -r lib; do
    [ -e "$lib" ] || continue
    case "$lib" in */ld-linux*) cp -L "$lib" "$R/lib64/";; esac
    cp -L "$lib" "$R/lib/x86_64-linux-gnu/"
  done
for b in read write; do ln -sf xenstore "$R/usr/bin/xenstore-$b"; done

gcc -static -O2 -Wall -o "$R/usr/bin/pktsend" "$HERE/guest/pktsend.c" >"$CACHE/logs/pktsend-build.log" 2>&1 ||
  { echo "build-guest: pktsend build FAILED:" >&2; tail -n 10 "$CACHE/logs/pktsend-build.log" >&2; exit 1; }
cp "$HERE/guest/init.sh" "$R/init"
cp "$HERE/retry.sh" "$R/retry.sh"
chmod +x "$R/init"
(cd "$R" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 > "$OUT/initrd.gz"
cp "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
cp "$HERE/guest/vif-p2mo" "$OUT/vif-p2mo"
echo "build-guest: $OUT: kernel $KVER ($(( $(stat -c %s "$OUT/vmlinuz") / 1024 )) KiB), initrd $(( $(stat -c %s "$OUT/initrd.gz") / 1024 )) KiB" >&2
