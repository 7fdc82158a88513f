# shellcheck shell=bash
# Shared settings for the Xen-under-QEMU harness (sourced, not executed).
#   P2MO_CACHE   the project's cache root outside the git clone (default
#                /var/cache/p2m-override, the same root as kunit.sh); the Xen
#                harness keeps its files in $P2MO_CACHE/xen
#   P2MO_LOCK    lock serialising heavy work (QEMU boots, builds) with other users
#                (default /var/cache/p2m-override/heavy.lock, whatever P2MO_CACHE says)
#   P2MO_NOLOCK  set to 1 if the caller already holds P2MO_LOCK (avoids self-deadlock)
#   KVER         dom0 kernel version (default: newest 6.1.0-*-amd64 in /lib/modules)
# shellcheck disable=SC2034  # used by the sourcing scripts
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}/xen
LOCK=${P2MO_LOCK:-/var/cache/p2m-override/heavy.lock}

newest_kver() {
  local k
  # the plain flavour (6.1.0-NN-amd64), not -rt-amd64 or -cloud-amd64 headers
  k=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '6.1.0-*[0-9]-amd64' -printf '%f\n' 2>/dev/null | sort -V | tail -n1)
  [ -n "$k" ] || { echo "no 6.1.0-*-amd64 kernel under /lib/modules" >&2; return 1; }
  echo "$k"
}

# heavy CMD...: run CMD under the shared CPU lock (2 cores shared with other work)
heavy() {
  if [ "${P2MO_NOLOCK:-0}" = 1 ]; then "$@"; return; fi
  mkdir -p "$(dirname "$LOCK")"
  flock -n "$LOCK" true || echo "waiting for $LOCK ..." >&2
  flock "$LOCK" "$@"
}

# sample_ko ROOT: the sample backend module built by `make M=ROOT` next to p2m_override.ko
# (samples/p2mo_sample.ko, or p2mo_sample.ko at the top when Kbuild names it from there)
sample_ko() {
  local f
  for f in "$1/samples/p2mo_sample.ko" "$1/p2mo_sample.ko"; do
    if [ -f "$f" ]; then echo "$f"; return 0; fi
  done
  return 1
}
