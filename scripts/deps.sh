#!/bin/bash
# Install what a command needs, once, with apt-get (Debian 12).
#   deps.sh build|sparse|kunit|xen
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
want() { for p in "$@"; do have "$p" || need+=("$p"); done; }
case "${1:-build}" in
build)	want build-essential linux-headers-amd64 ;;
sparse)	want sparse ;;
kunit)	want linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev python3 xz-utils ;;
xen)	want qemu-system-x86 xen-hypervisor-4.17-amd64 linux-image-amd64 linux-headers-amd64 busybox-static cpio kmod ;;
*)	echo "deps.sh: unknown set $1" >&2; exit 2 ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
