#!/bin/bash
# Build the module with W=1 against Debian's PREEMPT_RT headers
# (linux-headers-rt-amd64): any warning or error fails.  The build runs in
# a scratch copy, so that its objects do not replace the main build's.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT"/scripts/deps.sh rt || exit 1
kdir=$(ls -d /usr/src/linux-headers-*-rt-amd64 2>/dev/null | sort -V | tail -1)
[ -f "$kdir/Makefile" ] || { echo "rt-build: no linux-headers-*-rt-amd64 under /usr/src"; exit 1; }
grep -q '^CONFIG_PREEMPT_RT=y' "$kdir/.config" ||
	{ echo "rt-build: $kdir is not a PREEMPT_RT kernel"; exit 1; }
tmp=$(mktemp -d /tmp/p2mo-rt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r "$ROOT"/Kbuild "$ROOT"/Kconfig "$ROOT"/Makefile "$ROOT"/src "$ROOT"/include \
	"$ROOT"/kunit "$ROOT"/samples "$tmp"/
out=$(make -s -C "$kdir" M="$tmp" W=1 modules 2>&1)
rc=$?
echo "$out" | grep -E 'warning|error' && rc=1
[ -f "$tmp/p2m_override.ko" ] || rc=1
echo "rt build against $(basename "$kdir") (W=1): $([ $rc -eq 0 ] && echo clean || echo FAILED)"
exit $rc
