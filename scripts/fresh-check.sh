#!/bin/bash
# make fresh-check: `make check` as on a fresh Debian 12 machine.  A minimal
# bookworm root (debootstrap --variant=minbase, plus make to type the command)
# from the apt mirror this machine uses, the clone copied in (the tracked
# files as they are in the work tree, uncommitted changes included), /dev,
# /dev/pts, /dev/shm, /proc and /sys bound for the Xen harness, the host's
# CPU lock file bound at the same path so that heavy steps inside still
# serialise with the host, then `make check` inside with nothing else
# installed.  Ends with the wall time and make check's "N passed, N failed".
#   usage: scripts/fresh-check.sh [CMD...]   (default: make check; e.g. make -n)
#   env:   P2MO_CACHE   the root goes to $P2MO_CACHE/fresh/root (default
#                       /var/cache/p2m-override); it is made anew each run,
#                       removed after a passing run, kept after a failing one
#          P2MO_LOCK    the host's CPU lock (default /var/cache/p2m-override/heavy.lock)
#          P2MO_MIRROR  Debian mirror (default: the one apt uses for bookworm)
#          FRESH_UNTRACKED=1  also copy untracked files that are not ignored
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${P2MO_CACHE:-/var/cache/p2m-override}
LOCK=${P2MO_LOCK:-/var/cache/p2m-override/heavy.lock}
R=$CACHE/fresh/root
INNER_LOCK=/var/cache/p2m-override/heavy.lock	# kunit.sh's and common.sh's default
[ $# -gt 0 ] || set -- make check
t0=$SECONDS
[ "$(id -u)" = 0 ] || { echo "fresh-check: needs root (debootstrap, mount, chroot)" >&2; exit 1; }
"$ROOT"/scripts/deps.sh fresh

# every mount under the root, deepest first
mounts_under() { awk -v r="$R" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
unmount_all() {
	local m
	for m in $(mounts_under); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
	[ -z "$(mounts_under)" ] || { echo "fresh-check: still mounted under $R: $(mounts_under | tr '\n' ' ')" >&2; return 1; }
}
remove_root() {	# never while anything is mounted under it
	unmount_all || return 1
	rm -rf --one-file-system "$R"
}
trap 'unmount_all' EXIT
trap 'exit 130' INT TERM

mirror=${P2MO_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
	awk '$2 == "bookworm" { print $1; exit }')}
mirror=${mirror:-http://deb.debian.org/debian/}

# 1. the root
remove_root
mkdir -p "$R"
echo "fresh-check: debootstrap bookworm (minbase + make) from $mirror into $R"
t=$SECONDS
mkdir -p "$(dirname "$LOCK")"
flock "$LOCK" debootstrap --variant=minbase --include=make bookworm "$R" "$mirror" \
	>"$CACHE/fresh/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$CACHE/fresh/debootstrap.log"; echo "fresh-check: debootstrap failed (log $CACHE/fresh/debootstrap.log)"; exit 1; }
t_boot=$((SECONDS - t))
echo "fresh-check: root ready in ${t_boot} s ($(du -sm --one-file-system "$R" | cut -f1) MiB)"
# apt as on this machine: its Debian sources and its Acquire::Check-* settings
# (a snapshot mirror's Release files may be past Valid-Until); no other package
rm -f "$R"/etc/apt/sources.list
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
	if [ -f "$f" ] && grep -qi debian "$f" && ! grep -qiE 'nodesource|google' "$f"; then
		cp "$f" "$R$f"
	fi
done
apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' >"$R/etc/apt/apt.conf.d/99fresh-check" || true
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || true
cp /etc/hosts "$R/etc/hosts"
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"	# no daemons started in the root
chmod +x "$R/usr/sbin/policy-rc.d"

# 2. the clone: tracked files as they are in the work tree
mkdir -p "$R/src"
untracked=()
[ "${FRESH_UNTRACKED:-0}" = 1 ] && untracked=(-o --exclude-standard)
(cd "$ROOT" && git ls-files -z -c "${untracked[@]}" |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$R/src" -xf -
rev="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || echo +uncommitted)"
echo "fresh-check: copied $(find "$R/src" -type f | wc -l) files of $rev into $R/src"
n=$(git -C "$ROOT" ls-files -o --exclude-standard | wc -l)
[ "$n" = 0 ] || [ "${FRESH_UNTRACKED:-0}" = 1 ] || echo "fresh-check: note: $n untracked files not copied (FRESH_UNTRACKED=1 copies them)"

# 3. mounts: devices, proc, sys, the shared CPU lock
for m in dev dev/pts dev/shm proc sys; do
	mkdir -p "$R/$m"
	if mountpoint -q "/$m"; then	# a slave: nothing mounted below goes back to the host
		mount --bind "/$m" "$R/$m"
		mount --make-rslave "$R/$m"
	fi
done
mkdir -p "$R$(dirname "$INNER_LOCK")"
touch "$LOCK" "$R$INNER_LOCK"
mount --bind "$LOCK" "$R$INNER_LOCK"

# 4. make check inside, with a clean environment
echo "fresh-check: running '$*' in the fresh root"
t=$SECONDS
set +e
chroot "$R" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 TERM=dumb bash -c 'cd /src && "$@"' fresh-check "$@" </dev/null 2>&1 |
	tee "$CACHE/fresh/inner.log"
rc=${PIPESTATUS[0]}
set -e
t_inner=$((SECONDS - t))
unmount_all
closing=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$CACHE/fresh/inner.log" | tail -n 1 || true)
if [ "$rc" = 0 ] && [ "$*" = "make check" ]; then remove_root; kept="root removed"
else kept="root kept in $R"; fi
echo "fresh-check: '$*' exit $rc; wall time $((SECONDS - t0)) s (debootstrap $t_boot s, '$*' $t_inner s) on $rev; $kept; log $CACHE/fresh/inner.log"
[ -z "$closing" ] || echo "$closing"
exit "$rc"
