#!/bin/bash
# Print the scratch linux-source-6.1 tree (extracted once into the cache).
set -euo pipefail
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
KSRC=$CACHE/linux-source-6.1
"$(dirname "$0")"/deps.sh kunit >&2
if [ ! -f "$KSRC/Makefile" ]; then
	mkdir -p "$CACHE"
	tar -C "$CACHE" -xaf /usr/src/linux-source-6.1.tar.xz
fi
echo "$KSRC"
