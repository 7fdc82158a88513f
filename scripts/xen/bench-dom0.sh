#!/bin/bash
# make bench-dom0: what p2m_override costs a Xen PV dom0, measured in one boot of the
# xen-test machinery (Xen 4.17 + the Debian 6.1 dom0 under QEMU/TCG): fio with the module
# not loaded, with hooks=0 and with hooks=1; the hooks' ns per event beside the gnttab
# call's (hook_timing=1); insmod with adoption and verify with N live grant mappings.
# The dom0 side is scripts/xen/dom0-bench.sh (the bench image's /dom0-test.sh).
# Prints the "bench: NAME VALUE UNIT" lines on stdout (progress and TAP on stderr);
# exits non-zero if a bench check failed or a summary line is missing.
# usage: scripts/xen/bench-dom0.sh [--verbose]        (extra args go to run-qemu.py)
# env:   P2MO_CACHE, P2MO_LOCK, P2MO_NOLOCK (see common.sh); TIMEOUT (default 2400 s);
#        BENCH_ROUNDS (6), BENCH_RUNTIME (5 s), BENCH_N ("0,1024,10240"): dom0 side;
#        BENCH_BASE=REV: also build the module at git REV (a worktree in the cache) and
#        time its hooks in the same boot, A B C C B A with this tree's and hooks=0 ("*_base")
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
SUMMARY="dom0_iops_hooks_vs_none_nopersist dom0_iops_hooks_vs_none_persist
dom0_p99_hooks_vs_none_nopersist hook_ns_per_page_median adopt_ms_per_10k verify_ms"

if [ "${1:-}" != --locked ]; then
  t_start=$SECONDS
  KVER=$("$HERE/setup-host.sh")
  # build, image and boot under one hold of the CPU lock: nobody rebuilds between
  rc=0
  heavy env P2MO_NOLOCK=1 KVER="$KVER" "$0" --locked "$@" || rc=$?
  echo "bench-dom0: total $((SECONDS - t_start)) s, exit $rc" >&2
  exit $rc
fi
shift
export KVER

make -C "/lib/modules/$KVER/build" M="$ROOT" modules >"$CACHE/logs/bench-module-build.log" 2>&1 ||
  { echo "bench-dom0: module build FAILED (log $CACHE/logs/bench-module-build.log):" >&2
    tail -n 15 "$CACHE/logs/bench-module-build.log" >&2; exit 1; }
export MODULE_KO=$ROOT/p2m_override.ko SAMPLE_KO="" BASE_KO=""
if [ -n "${BENCH_BASE:-}" ]; then
  wt=$CACHE/build/bench-base
  git -C "$ROOT" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
  git -C "$ROOT" worktree prune
  git -C "$ROOT" worktree add --detach "$wt" "$BENCH_BASE" >"$CACHE/logs/bench-base-build.log" 2>&1 &&
    make -C "/lib/modules/$KVER/build" M="$wt" modules >>"$CACHE/logs/bench-base-build.log" 2>&1 ||
    { echo "bench-dom0: baseline $BENCH_BASE build FAILED (log $CACHE/logs/bench-base-build.log)" >&2; exit 1; }
  export BASE_KO=$wt/p2m_override.ko
  echo "bench-dom0: baseline $(git -C "$wt" log --oneline -1)" >&2
fi
IMG=$CACHE/img/initramfs-bench.cpio.gz
DOM0_SCRIPT=$HERE/dom0-bench.sh "$HERE/build-initramfs.sh" "$IMG"
# the baseline's module is in the image now: its worktree goes
[ -z "$BASE_KO" ] || { git -C "$ROOT" worktree remove --force "$wt"; git -C "$ROOT" worktree prune; }

LOG=$CACHE/logs/bench-dom0-$(date +%Y%m%d-%H%M%S).log
args="p2mo_bench_rounds=${BENCH_ROUNDS:-6} p2mo_bench_runtime=${BENCH_RUNTIME:-5}"
args="$args p2mo_bench_n=${BENCH_N:-0,1024,10240}"
: > "$LOG"
# progress: the dom0's "==> " and bench lines as they come
tail -n +1 -F "$LOG" 2>/dev/null | grep --line-buffered -E '^\[ *[0-9.]+\] (==> |bench: )' >&2 &
tailpid=$!
rc=0
"$HERE/run-qemu.py" --initrd "$IMG" --kernel "/boot/vmlinuz-$KVER" --xen "$CACHE/xen-4.17-amd64" \
  --timeout "${TIMEOUT:-2400}" --extra-dom0-args "$args" --log "$LOG" "$@" >&2 || rc=$?
kill "$tailpid" 2>/dev/null || true

# the bench lines: from the block printed with the console muted, else the live ones
out=$(sed 's/^\[ *[0-9.]*\] //' "$LOG" | tr -d '\r' |
      awk '/^@@BENCH-BEGIN$/ { b = 1; n = 0; next } /^@@BENCH-END$/ { b = 0; done = 1; next }
           b && /^bench: / { blk[++n] = $0 } /^bench: / { live[++m] = $0 }
           END { if (done) for (i = 1; i <= n; i++) print blk[i]; else for (i = 1; i <= m; i++) print live[i] }')
echo "$out"
for s in $SUMMARY; do
  echo "$out" | grep -qE "^bench: $s [0-9]" || { echo "bench-dom0: summary line $s missing or without a figure" >&2; rc=1; }
done
echo "bench-dom0: console log $LOG" >&2
exit $rc
