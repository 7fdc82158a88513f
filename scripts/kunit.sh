#!/bin/bash
# Run every KUnit suite of the module in UML.
#   usage: scripts/kunit.sh [plain|debug|kasan] [extra kunit.py run args]
# The module is grafted into a scratch linux-source-6.1 tree cached outside
# the clone ($P2MO_CACHE, default /var/cache/p2m-override), one build dir
# per variant.  Ends with "N passed, N failed"; exits non-zero on any
# failure or on a lockdep/RCU/KASAN/BUG splat in the kernel log.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VARIANT=${1:-plain}
shift || true
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
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

args=(--kunitconfig="$CFG/plain.config")
[ "$VARIANT" != plain ] && args+=(--kunitconfig="$CFG/$VARIANT.config")
rm -f "$BUILD/results.json" "$BUILD/test.log"
rc=0
cd "$KSRC"
flock "$CACHE/heavy.lock" python3 tools/testing/kunit/kunit.py run --arch=um \
	--jobs="$(nproc)" --timeout=900 --build_dir="$BUILD" "${args[@]}" \
	--json="$BUILD/results.json" "$@" || rc=$?
if [ -f "$BUILD/test.log" ] &&
   grep -nE 'possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|BUG: |KASAN: |UBSAN: |WARNING: .*(lockdep|rcu|p2mo|p2m_override)|p2m_override: lock order violation' \
	"$BUILD/test.log"; then
	echo "kernel splat in $BUILD/test.log"
	rc=1
fi
python3 "$ROOT/scripts/kunit-count.py" "$BUILD/results.json" || rc=1
exit $rc
