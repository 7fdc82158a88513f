#!/bin/bash
# Run the KUnit suites of the module in UML, or on x86_64 under QEMU.
#   usage: scripts/kunit.sh [plain|debug|kasan|bench|x86-stress|x86-kcsan|x86-bench-smp]
#                           [extra kunit.py run args, e.g. a suite glob]
# x86-* variants boot an SMP x86_64 kernel under QEMU (-smp 2, TCG).
# The module is grafted into a scratch linux-source-6.1 tree cached outside
# the clone ($P2MO_CACHE, default /var/cache/p2m-override), one build dir
# per variant.  Ends with "N passed, N failed"; exits non-zero on any
# failure or on a lockdep/RCU/KASAN/BUG splat in the kernel log.
# The whole run holds the CPU lock $P2MO_LOCK (default
# /var/cache/p2m-override/heavy.lock, whatever P2MO_CACHE says), the same
# lock as scripts/xen/common.sh; P2MO_NOLOCK=1 if the caller holds it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
LOCK=${P2MO_LOCK:-/var/cache/p2m-override/heavy.lock}
# The whole run holds the lock: the graft below names this checkout, and
# another checkout's run (a worktree) must not re-point it mid-build.
if [ "${P2MO_NOLOCK:-0}" != 1 ]; then
	mkdir -p "$(dirname "$LOCK")"
	flock -n "$LOCK" true || echo "waiting for $LOCK ..." >&2
	exec flock "$LOCK" env P2MO_NOLOCK=1 "$0" "$@"
fi
VARIANT=${1:-plain}
shift || true
KSRC=$CACHE/linux-source-6.1
BUILD=$CACHE/kunit/build-$VARIANT
CFG=$ROOT/kunit/configs
[ -f "$CFG/$VARIANT.config" ] || { echo "unknown variant $VARIANT" >&2; exit 2; }

"$ROOT"/scripts/deps.sh kunit
mkdir -p "$CACHE/kunit"
if [ ! -f "$KSRC/Makefile" ]; then
	echo "extracting linux-source-6.1 into $CACHE"
	tar -C "$CACHE" -xaf /usr/src/linux-source-6.1.tar.xz
fi
# The graft: a symlink and two idempotent lines.
ln -sfn "$ROOT" "$KSRC/drivers/misc/p2m-override"
grep -q 'drivers/misc/p2m-override/Kconfig' "$KSRC/drivers/misc/Kconfig" ||
	sed -i '$ i source "drivers/misc/p2m-override/Kconfig"' "$KSRC/drivers/misc/Kconfig"
grep -q 'CONFIG_P2M_OVERRIDE)' "$KSRC/drivers/misc/Makefile" ||
	echo 'obj-$(CONFIG_P2M_OVERRIDE)	+= p2m-override/' >> "$KSRC/drivers/misc/Makefile"
# make decides by time: objects another checkout built after this one's
# sources changed would be kept.  A build dir remembers whose they are.
if [ "$(cat "$BUILD/.p2mo-root" 2>/dev/null)" != "$ROOT" ]; then
	rm -rf "$BUILD/drivers/misc/p2m-override"
	mkdir -p "$BUILD"
	echo "$ROOT" > "$BUILD/.p2mo-root"
fi

# A variant config that sets CONFIG_KUNIT stands alone (the benchmarks:
# no debug checks); the others add to plain.config.
args=(--arch=um --kunitconfig="$CFG/$VARIANT.config")
grep -q '^CONFIG_KUNIT=y' "$CFG/$VARIANT.config" ||
	args+=(--kunitconfig="$CFG/plain.config")
case $VARIANT in
x86-*)	"$ROOT"/scripts/deps.sh qemu
	args[0]=--arch=x86_64
	args+=(--qemu_args='-smp 2 -m 2048')
	[ -e /dev/kvm ] || args+=(--qemu_args='-accel tcg,thread=multi') ;;
esac
rm -f "$BUILD/results.json" "$BUILD/test.log"
rc=0
cd "$KSRC"
python3 tools/testing/kunit/kunit.py run \
	--jobs="$(nproc)" --timeout=1800 --build_dir="$BUILD" "${args[@]}" \
	--json="$BUILD/results.json" "$@" || rc=$?
SPLAT='possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|BUG: |KASAN: |UBSAN: |WARNING: .*(lockdep|rcu|p2mo|p2m_override)|p2m_override: lock order violation'
if [ -f "$BUILD/test.log" ] && [ "$VARIANT" = x86-kcsan ]; then
	# KCSAN reports races anywhere in the kernel: those of the module
	# (a p2mo_ function on either side, as the report's first line
	# names them; not an interrupt that merely landed in the module)
	# fail the run, the others are counted
	awk '/BUG: KCSAN:/ { n++; r = $0 "\n"; inrep = 1; mine = /p2mo_/; next }
	     inrep && /^==========/ { inrep = 0; if (mine) { ours++; printf "%s", r } next }
	     inrep { r = r $0 "\n" }
	     END { printf "kcsan: %d reports, %d in p2m-override\n", n, ours; exit ours > 0 }' \
		"$BUILD/test.log" || rc=1
	SPLAT=${SPLAT/BUG: |/BUG: (?!KCSAN)|}
	grep -nP "$SPLAT" "$BUILD/test.log" && { echo "kernel splat in $BUILD/test.log"; rc=1; }
elif [ -f "$BUILD/test.log" ] && grep -nE "$SPLAT" "$BUILD/test.log"; then
	echo "kernel splat in $BUILD/test.log"
	rc=1
fi
python3 "$ROOT/scripts/kunit-count.py" "$BUILD/results.json" || rc=1
exit $rc
