#!/bin/bash
# scripts/kernel-doc -none over the sources: any output is a problem.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSRC=$("$ROOT"/scripts/ksrc.sh)
cd "$ROOT"
out=$("$KSRC"/scripts/kernel-doc -none -Werror src/*.[ch] include/*.h 2>&1 || true)
[ -z "$out" ] || echo "$out"
echo "kernel-doc: $(echo -n "$out" | grep -c . || true) problems"
[ -z "$out" ]
