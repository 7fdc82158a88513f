#!/bin/bash
# make check: every test of the project, then "N passed, N failed".
# Static steps count one each; KUnit and Xen count their own cases.
# Each step installs what it runs (scripts/deps.sh) and shows its time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
pass=0 fail=0 t_all=$SECONDS
step() { # name cmd...: run, show the tail, add up the result
	local name=$1 log rc counts t0=$SECONDS
	shift
	log=$(mktemp)
	echo "=== $name"
	"$@" >"$log" 2>&1
	rc=$?
	tail -n 15 "$log"
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
	if [ -n "$counts" ]; then
		p=${counts%% passed*}; f=${counts#*, }; f=${f%% failed*}
		pass=$((pass + p)); fail=$((fail + f))
		[ $rc -ne 0 ] && [ "$f" = 0 ] && fail=$((fail + 1))
	elif [ $rc -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	echo "=== $name: $([ $rc -eq 0 ] && echo ok || echo FAILED) ($((SECONDS - t0)) s)"
	rm -f "$log"
}
step build make -s
step checkpatch scripts/checkpatch.sh
step sparse make -s sparse
step kernel-doc scripts/kerneldoc.sh
step w1-build scripts/w1.sh
step harness scripts/xen/splat-test.sh
step harness-retry scripts/xen/retry-test.sh
step dkms scripts/dkms.sh
step rt-build scripts/rt-build.sh
for v in plain debug kasan; do
	step "kunit-$v" scripts/kunit.sh "$v"
done
# every landing gets a concurrent run: SMP x86_64, lockdep, KASAN, 3 s
step stress scripts/kunit.sh x86-stress 'p2mo_stress*' --kernel_args=p2m_override.stress_secs=3
[ "${P2MO_SKIP_XEN:-0}" = 1 ] || step xen-test scripts/xen/xen-test.sh
echo "check: total $((SECONDS - t_all)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
