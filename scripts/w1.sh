#!/bin/bash
# Build from clean with W=1: any warning from the module fails.
set -uo pipefail
cd "$(dirname "$0")/.."
make -s clean >/dev/null 2>&1
out=$(make -s W=1 2>&1)
rc=$?
echo "$out" | grep -E 'warning|error' && rc=1
echo "W=1 build: $([ $rc -eq 0 ] && echo clean || echo FAILED)"
exit $rc
