#!/bin/bash
# Install what a script runs, before it runs it (Debian 12, apt-get).
#   deps.sh SET         SET is one of the sets below (default build)
#   deps.sh kdir DIR    make KDIR=DIR: only check DIR and the compiler, no apt-get
# Each set names its Debian packages and the commands its script runs from
# them.  Without dpkg-query and apt-get (not Debian), or with P2MO_NO_APT=1
# (make KDIR=...), nothing is installed: the commands and files of the set
# are checked, the missing ones named, and deps.sh fails if any is missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
set=${1:-build}
pkgs=() cmds=() files=() want_kdir=0
build() {	# make, make -C KDIR M=... modules (scripts/w1.sh too)
	pkgs+=(build-essential); cmds+=(make gcc); want_kdir=1
	# the running kernel's headers do (a real dom0); else Debian's newest
	[ -f "/lib/modules/$(uname -r)/build/Makefile" ] || pkgs+=(linux-headers-amd64)
}
kunit() {	# kunit.sh, bench.sh, ksrc.sh (checkpatch.pl, kernel-doc): UML builds
	pkgs+=(linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev python3 xz-utils)
	cmds+=(make gcc flex bison bc python3 xz perl tar)
	files+=(/usr/src/linux-source-6.1.tar.xz)
}
case $set in
build)	build ;;
kdir)	kdir=${2:?usage: deps.sh kdir DIR}
	[ -f "$kdir/Makefile" ] || {
		echo "deps.sh: KDIR=$kdir is not a kernel build directory (no Makefile there)." >&2
		echo "  Give the build dir of the target kernel, e.g. KDIR=/lib/modules/\$(uname -r)/build" >&2
		exit 1
	}
	P2MO_NO_APT=1; cmds+=(make gcc) ;;
sparse)	pkgs+=(sparse); cmds+=(sparse) ;;
kunit)	kunit ;;
qemu)	pkgs+=(qemu-system-x86); cmds+=(qemu-system-x86_64) ;;	# kunit.sh x86-* variants
rt)	pkgs+=(build-essential linux-headers-rt-amd64); cmds+=(make gcc) ;;	# rt-build.sh
dkms)	build; pkgs+=(dkms cpio kmod); cmds+=(dkms cpio modinfo) ;;	# dkms.sh
coverage) kunit; pkgs+=(lcov); cmds+=(lcov genhtml) ;;		# coverage.sh
fresh)	pkgs+=(debootstrap git); cmds+=(debootstrap git chroot mount umount mountpoint flock tar) ;;	# fresh-check.sh
xen)	# the Xen harness (xen-test, demo, bench-dom0) keeps its own list (and fetches Xen userspace): setup-host.sh
	exec "$HERE"/xen/setup-host.sh >&2 ;;
*)	echo "deps.sh: unknown set $set (build kdir sparse kunit qemu rt dkms coverage fresh xen)" >&2; exit 2 ;;
esac

# check only: name what is missing
check() {
	local c f miss=()
	[ "$want_kdir" = 0 ] || files+=("$("$HERE"/find-kdir.sh)/Makefile")
	for c in "${cmds[@]}"; do command -v "$c" >/dev/null 2>&1 || miss+=("command $c"); done
	for f in "${files[@]}"; do [ -e "$f" ] || miss+=("file $f"); done
	[ ${#miss[@]} -eq 0 ] && return 0
	echo "deps.sh $set: missing: ${miss[*]}" >&2
	[ ${#pkgs[@]} -eq 0 ] || echo "  (on Debian 12 these come from: ${pkgs[*]})" >&2
	return 1
}
if [ "${P2MO_NO_APT:-0}" = 1 ] || ! command -v dpkg-query >/dev/null 2>&1 ||
   ! command -v apt-get >/dev/null 2>&1; then
	check
	exit
fi

have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
need=()
for p in "${pkgs[@]}"; do have "$p" || need+=("$p"); done
[ ${#need[@]} -eq 0 ] && exit 0
echo "deps.sh $set: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt() { # another user's apt-get may hold the lists or dpkg lock: wait, retry
	local _
	for _ in 1 2 3; do
		apt-get -q -o DPkg::Lock::Timeout=900 "$@" >>"$log" 2>&1 && return 0
		sleep 20
	done
	tail -n 20 "$log" >&2
	echo "deps.sh $set: apt-get $1 failed" >&2
	return 1
}
apt update
apt install -y --no-install-recommends "${need[@]}"
check	# did it bring every command?
