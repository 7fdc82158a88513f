#!/bin/sh
# make check's harness step, part two: retry.sh's retry_crash runs a command again
# only while it dies of a signal, RETRY_RUNS runs in all, and returns its status.
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
# shellcheck disable=SC2034  # read by retry.sh
RETRY_PREFIX="test: "; RETRY_CONSOLE=$T/console
# shellcheck source=retry.sh
. "$HERE/retry.sh"
pass=0 fail=0
# crashy N STATUS: dies of SIGSEGV on its first N runs (counted in $T/runs), then exits STATUS
crashy() {
  echo x >> "$T/runs"
  [ "$(grep -c . "$T/runs")" -gt "$1" ] && return "$2"
  sh -c 'kill -SEGV $$'
}
# expect N STATUS WANT_RC WANT_RUNS
expect() {
  : > "$T/runs"; : > "$RETRY_CONSOLE"
  (retry_crash crashy "$1" "$2") 2> /dev/null; rc=$?   # no "Segmentation fault" lines
  runs=$(grep -c . "$T/runs")
  said=$(grep -c 'died of signal 11' "$RETRY_CONSOLE")   # one line per retry
  if [ "$rc" = "$3" ] && [ "$runs" = "$4" ] && [ "$said" = $(($4 - 1)) ]; then pass=$((pass + 1)); echo "ok - crashes $1, then exit $2: rc $rc after $runs runs"
  else fail=$((fail + 1)); echo "not ok - crashes $1, then exit $2: rc $rc after $runs runs ($said said), wanted rc $3 after $4"; fi
}
expect 0 0 0 1                        # no crash: one run
expect 2 0 0 3                        # two crashes, then fine
expect 0 1 1 1                        # an exit status of its own is never retried
expect 1 1 1 2
expect 4 0 0 5                        # the last run may still succeed
expect 9 0 $((128 + 11)) "$RETRY_RUNS"  # crashes every time: the signal's status
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
