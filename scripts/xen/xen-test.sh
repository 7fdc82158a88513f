#!/bin/bash
# Non-interactive Xen PV dom0 test: host setup, module build against the dom0 kernel,
# initramfs, QEMU boot. Prints the TAP result; exits non-zero on any `not ok`.
# usage: scripts/xen/xen-test.sh [--verbose]      (extra args go to run-qemu.py)
# env:   P2MO_CACHE, P2MO_LOCK, P2MO_NOLOCK (see common.sh), TIMEOUT (default 600 s)
#        MODULE_KO  use this prebuilt p2m_override.ko and skip the build (SAMPLE_KO likewise
#                   names the sample; default: the p2mo_sample.ko next to MODULE_KO's build)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)          # this checkout
# shellcheck source=common.sh
. "$HERE/common.sh"
t_start=$SECONDS

KVER=$("$HERE/setup-host.sh")
export KVER

# module build (under the CPU lock); on failure the image is built without it
if [ -n "${MODULE_KO:-}" ]; then
  echo "xen-test: using prebuilt MODULE_KO=$MODULE_KO (no build)" >&2
  SAMPLE_KO=${SAMPLE_KO:-$(sample_ko "$(dirname "$MODULE_KO")" || true)}
elif heavy make -C "/lib/modules/$KVER/build" M="$ROOT" modules >"$CACHE/logs/module-build.log" 2>&1 &&
   [ -f "$ROOT/p2m_override.ko" ]; then
  MODULE_KO=$ROOT/p2m_override.ko
  SAMPLE_KO=${SAMPLE_KO:-$(sample_ko "$ROOT" || true)}
else
  echo "xen-test: module build FAILED (log $CACHE/logs/module-build.log), continuing without it:" >&2
  tail -n 15 "$CACHE/logs/module-build.log" >&2
fi
export MODULE_KO SAMPLE_KO

IMG=$CACHE/img/initramfs-test.cpio.gz
"$HERE/build-initramfs.sh" "$IMG"

rc=0
"$HERE/run-qemu.py" --initrd "$IMG" --kernel "/boot/vmlinuz-$KVER" --xen "$CACHE/xen-4.17-amd64" \
  --timeout "${TIMEOUT:-600}" \
  --log "$CACHE/logs/xen-test-$(date +%Y%m%d-%H%M%S).log" "$@" || rc=$?
echo "xen-test: total $((SECONDS - t_start)) s, exit $rc" >&2
exit $rc
