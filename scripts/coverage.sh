#!/bin/bash
# make coverage: the KUnit suites in a gcov UML kernel, then an lcov report
# of the core (everything but the Xen backend, the hooks and the in-dom0
# self-test, which UML does not build).  Fails under 90% line coverage.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
BUILD=$CACHE/kunit/build-coverage
OUT=$CACHE/coverage
"$ROOT"/scripts/deps.sh coverage	# the kunit set and lcov (lcov, genhtml)
KSRC=$("$ROOT"/scripts/ksrc.sh)
# gcc 12 puts gcov destructors in .fini_array.*: UML's linker script must keep them
lds=$KSRC/arch/um/include/asm/common.lds.S
grep -q 'fini_array\.\*' "$lds" ||
	sed -i 's/^\(\s*\)\*(\.fini_array)$/\1*(.fini_array.*)\n\1*(.fini_array)/' "$lds"
find "$BUILD" -name '*.gcda' -delete 2>/dev/null || true
"$ROOT"/scripts/kunit.sh coverage --make_options=KCFLAGS=-Dmangle_path=kernel_mangle_path
mkdir -p "$OUT"
lcov -q --capture --directory "$BUILD/drivers/misc/p2m-override/" \
	--base-directory "$KSRC" --output-file "$OUT/all.info" 2>/dev/null
lcov -q --extract "$OUT/all.info" '*/p2m-override/src/*' --output-file "$OUT/src.info"
lcov -q --remove "$OUT/src.info" '*/backend_xen.c' '*/hooks.c' '*/selftest.c' \
	--output-file "$OUT/core.info"
lcov --list "$OUT/core.info" | sed 's|.*/src/|src/|'
pct=$(lcov --summary "$OUT/core.info" 2>&1 | sed -n 's/.*lines\.*: \([0-9.]*\)%.*/\1/p')
echo "core line coverage: ${pct}%"
genhtml -q "$OUT/core.info" --output-directory "$OUT/html" >/dev/null 2>&1 &&
	echo "html report: $OUT/html/index.html"
awk -v p="$pct" 'BEGIN { exit !(p >= 90) }'
