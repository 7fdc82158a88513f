#!/bin/bash
# Build and install the module through DKMS against the installed Debian
# headers, check modinfo of the installed module, then remove it again.
#   usage: scripts/dkms.sh [KVER]      (default: newest installed -amd64 headers)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NAME=p2m-override
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$ROOT/dkms.conf")
"$ROOT"/scripts/deps.sh dkms	# dkms, cpio, modinfo (kmod), the headers
KVER=${1:-$(ls -d /usr/src/linux-headers-*[0-9]-amd64 | sort -V | tail -1 | sed 's|.*/linux-headers-||')}
SRC=/usr/src/$NAME-$VER
cleanup() {
	dkms remove -m "$NAME" -v "$VER" --all >/dev/null 2>&1 || true
	rm -rf "$SRC"
}
cleanup
trap cleanup EXIT
mkdir -p "$SRC"
# the tracked sources only (git ls-files when in a checkout)
if git -C "$ROOT" rev-parse >/dev/null 2>&1; then
	(cd "$ROOT" && git ls-files -co --exclude-standard -- dkms.conf Kbuild Kconfig Makefile src include samples kunit scripts |
		grep -v '^scripts/xen/' | cpio -pdm --quiet "$SRC")
else
	cp -a "$ROOT"/{dkms.conf,Kbuild,Kconfig,Makefile,src,include,samples,scripts} "$SRC"/
fi
dkms add -m "$NAME" -v "$VER"
dkms build -m "$NAME" -v "$VER" -k "$KVER"
dkms install -m "$NAME" -v "$VER" -k "$KVER" --force
ko=$(find "/lib/modules/$KVER" -name 'p2m_override.ko*' | head -1)
[ -n "$ko" ] || { echo "dkms: module not installed"; exit 1; }
modinfo "$ko" | grep -E '^(filename|version|license|description):'
dkms status -m "$NAME"
echo "dkms: ok"
