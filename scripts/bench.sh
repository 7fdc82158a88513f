#!/bin/bash
# make bench: the benchmark suite in one UML boot (its own build dir),
# then its figures: "bench: <name> <value> <unit>" lines and the table.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
if [ "${1:-}" = smp ]; then	# make bench-smp: x86_64, two CPUs
	LOG=$CACHE/kunit/build-x86-bench-smp/test.log
	"$ROOT"/scripts/kunit.sh x86-bench-smp 'p2mo_smp_bench*' >"$CACHE/bench-run.log" 2>&1
	rc=$?
	grep -oE 'bench: .*' "$LOG" || true
	tail -n 1 "$CACHE/bench-run.log"
	exit $rc
fi
LOG=$CACHE/kunit/build-bench/test.log
"$ROOT"/scripts/kunit.sh bench 'p2mo_bench*' >"$CACHE/bench-run.log" 2>&1
rc=$?
# the summary: everything but the per-size figures (name_<N> value ns|bytes)
grep -oE 'bench: .*' "$LOG" | grep -v 'bench: pass:' |
	grep -vE '_(1|1k|64k|1M) [0-9.]+ (ns|bytes)$' || true
echo
grep -oE 'bench\| .*' "$LOG" | sed 's/^bench| //' || true
echo
echo "all figures:"
grep -oE 'bench: .*_(1|1k|64k|1M) [0-9.]+ (ns|bytes)$' "$LOG" || true
tail -n 1 "$CACHE/bench-run.log"
exit $rc
