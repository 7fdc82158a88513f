#!/bin/bash
# checkpatch.pl --strict (from linux-source-6.1) over the module's C files.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSRC=$("$ROOT"/scripts/ksrc.sh)
cd "$ROOT"
files=$(ls src/*.[ch] include/*.h kunit/*.[ch] samples/*.c 2>/dev/null || true)
out=$("$KSRC"/scripts/checkpatch.pl --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $files 2>&1 || true)
n=$(echo "$out" | grep -cE ': (ERROR|WARNING|CHECK):' || true)
[ "$n" = 0 ] || echo "$out" | grep -E ': (ERROR|WARNING|CHECK):'
echo "checkpatch --strict: $n problems in $(echo $files | wc -w) files"
[ "$n" = 0 ]
