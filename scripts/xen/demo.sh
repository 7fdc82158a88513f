#!/bin/bash
# make demo: the Xen PV dom0 test of xen-test.sh, told for a human.  Each step
# with its time (its output goes to a log), the dom0 test's progress lines live,
# then one screen: a few lines of the override table, the FOREIGN tags and the
# counters the module kept while the loopback devices were attached, the
# checks, and a verdict line (on failure: the step that failed and its log).
# usage: scripts/xen/demo.sh                   setup, build, image, boot, summary
#        scripts/xen/demo.sh --summary LOG     the summary of a console log that an
#                                              earlier xen-test or demo saved
# env:   DEMO_CONSOLE=1  echo the whole console live, not only the progress lines;
#        P2MO_CACHE, P2MO_LOCK, P2MO_NOLOCK (see common.sh), TIMEOUT (default 600 s)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=common.sh
. "$HERE/common.sh"
bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

# summary TAP CONSOLE_LOG STEPS FAILED_STEP: the screen after the boot
summary() {
  python3 - "$@" <<'PY'
import re, sys, textwrap
tap_path, log_path, steps, failed_step = sys.argv[1:5]
if tap_path == '-':          # no TAP file: take the replayed block of the console log
    raw = [re.sub(r'^\[ *[0-9.]+\] ', '', l.rstrip('\n')) for l in open(log_path, errors='replace')]
    if not steps:
        res = [m.group(1) for l in raw for m in [re.match(r'^RESULT: .*, ([0-9.]+) s,', l)] if m]
        steps = f'boot {float(res[-1]):.0f} s (from the log)' if res else ''
    begins = [i for i, l in enumerate(raw) if l == '@@TAP-BEGIN']
    ends = [i for i, l in enumerate(raw) if l == '@@TAP-END' and begins and i > begins[-1]]
    if ends:
        raw = raw[begins[-1] + 1:ends[0]]
    tap = [l for l in raw if re.match(r'^((not )?ok \d+ - |# |#$|\d+ passed, \d+ failed$)', l)]
else:
    tap = [l.rstrip('\n') for l in open(tap_path, errors='replace')]
sections, checks, title = {}, [], None       # "# --- title ---" + "#   " lines
for l in tap:
    m = re.match(r'^# --- (.*) ---$', l)
    if m:
        title = m.group(1); sections[title] = []; continue
    if title and l.startswith('#   '):
        sections[title].append(l[4:].strip()); continue
    title = None
    m = re.match(r'^(not )?ok (\d+) - (\S+)', l)
    if m:
        checks.append([not m.group(1), m.group(3), []])
    elif l.startswith('# ') and checks:
        checks[-1][2].append(l[2:])
final = next((l for l in reversed(tap) if re.match(r'^\d+ passed, \d+ failed$', l)), None)
W = 78
def wrap(text, indent='  '):
    print(textwrap.fill(text, W, initial_indent=indent, subsequent_indent=indent + '  '))

labels = [m.group(1) for t in sections for m in [re.match(r'^p2m_override stats with (.+) attached$', t)] if m]
if labels:
    lab = labels[-1]
    def sec(prefix):
        return next((v for t, v in sections.items() if t.startswith(prefix) and t.endswith(f' with {lab} attached')), [])
    kv = dict(l.split(None, 1) for l in sec('p2m_override stats') if len(l.split(None, 1)) == 2)
    scan = dict(l.split(None, 1) for l in sec('scan_foreign') if len(l.split(None, 1)) == 2)
    m2p = [l.split() for l in sec('m2p ') if len(l.split()) >= 2]
    tags = [l.split() for l in sec('p2m ') if l.endswith(' tag')]
    print(f'the override table p2m_override kept while {lab} {"were" if "+" in lab else "was"} attached (debugfs):')
    print(f'  {"m2p: mfn":>10} -> backend pfn    p2m view: frontend pfn -> value (FOREIGN)')
    for i in range(4):
        a = f'{m2p[i][0]:>10} -> {m2p[i][1]:<12}' if i < len(m2p) else ' ' * 28
        b = f'{tags[i][0]:>10} -> {tags[i][1]} {tags[i][2]}' if i < len(tags) else ''
        print(f'  {a}   {b}'.rstrip())
    live = kv.get('live_overrides', '?')
    print(f'  {"...":>10}    ({live} overrides)      {"...":>10}    ({kv.get("foreign_tags_live", "?")} FOREIGN tags)')
    keys = ['live_overrides', 'foreign_tags_live', 'overrides_added', 'overrides_removed', 'maps_seen',
            'unmaps_seen', 'adopted', 'track_errors', 'hook_missed']
    wrap('counters: ' + ', '.join(f'{k} {kv[k]}' for k in keys if k in kv))
    if 'foreign_pfns' in scan:
        same = 'the same count' if scan['foreign_pfns'] == live else f'but live_overrides is {live}'
        wrap(f"the kernel's own p2m (scan_foreign): {scan['foreign_pfns']} FOREIGN entries in "
             f"{scan.get('scanned_pfns', '?')} pfns read, {same}")
    wrap('A FOREIGN tag marks a frontend pfn whose page a backend in this same domain has '
         'grant-mapped: the module\'s p2m view shows FOREIGN_FRAME(mfn) for it (bit 63, "tag" '
         'above), so mfn_to_pfn() of that frame answers the backend pfn of the m2p lines, '
         'not the frontend\'s.', '')
else:
    print('override table: none shown (the module was not loaded, or no device was attached)')
after = dict(l.split(None, 1) for l in sections.get('p2m_override stats after detach', []) if len(l.split(None, 1)) == 2)
if after:
    print(f"after detach: live_overrides {after.get('live_overrides', '?')}, "
          f"foreign_tags_live {after.get('foreign_tags_live', '?')}")
bad = [c for c in checks if not c[0]]
wrap(f'checks ({len(checks)}): ' + ', '.join(('' if ok else 'NOT OK ') + n for ok, n, _ in checks), '')
if not checks:
    print('  (no check reported: the dom0 test did not run)')
REASON = re.compile(r'expected|differs|failed|FAILED|did not|cannot|hung|still |not readable|splat|'
                    r'\bno [A-Za-z/]|not (loaded|attached|in the image)')
for ok, name, why in bad[:4]:
    print(f'  not ok {name}:')
    for w in ([w for w in why if REASON.search(w)] or why)[:3]:   # the reasons first
        print('    ' + w[:W - 4])
if steps:
    print('steps: ' + steps)
if failed_step:
    print(f'verdict: FAILED at step {failed_step}; full log: {log_path}')
elif final and not bad and final.endswith(' 0 failed'):
    print(f'console log: {log_path}')
    print(f'verdict: PASSED, {final}')
    sys.exit(0)
else:
    print(f'verdict: FAILED at step 4/4 boot ({final or "no result"}: '
          f'{", ".join(n for _, n, _ in bad) or "the dom0 test did not finish"}); full console log: {log_path}')
sys.exit(1)
PY
}

if [ "${1:-}" = --summary ]; then
  [ -f "${2:-}" ] || { echo "usage: $0 --summary CONSOLE_LOG" >&2; exit 2; }
  summary - "$2" "" ""
  exit
fi

STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$CACHE/logs"
LOGS=$CACHE/logs/demo-$STAMP
t_start=$SECONDS
steps=""
# done_step N/4 NAME T0 RC LOG: one line with the time; on failure the log's tail and the verdict
done_step() {
  local t=$((SECONDS - $3))
  steps="$steps${steps:+, }$1 $2 $t s"
  if [ "$4" = 0 ]; then bold "      ok, $t s"; return; fi
  echo "      FAILED after $t s; the end of $5:"
  tail -n 8 "$5" | sed 's/^/      | /'
  echo "verdict: FAILED at step $1 ($2); full log: $5"
  exit 1
}

bold "p2m_override demo: Xen 4.17 and a PV dom0 under QEMU, with blkback serving a local blkfront"
bold "[1/4] setup: host packages, Xen userspace in $CACHE/xenroot, hypervisor ELF"
t=$SECONDS rc=0
KVER=$("$HERE/setup-host.sh" 2>"$LOGS-setup.log") || rc=$?
done_step 1/4 setup $t $rc "$LOGS-setup.log"
export KVER

bold "[2/4] build: p2m_override.ko and p2mo_sample.ko against /lib/modules/$KVER/build"
t=$SECONDS rc=0
[ "${P2MO_NOLOCK:-0}" = 1 ] || flock -n "$LOCK" true || echo "      waiting for the CPU lock $LOCK ..."
heavy make -C "/lib/modules/$KVER/build" M="$ROOT" modules >"$LOGS-build.log" 2>&1 || rc=$?
MODULE_KO=$ROOT/p2m_override.ko
[ "$rc" != 0 ] || [ -f "$MODULE_KO" ] || { rc=1; echo "no $MODULE_KO" >>"$LOGS-build.log"; }
SAMPLE_KO=$(sample_ko "$ROOT" || true)
done_step 2/4 build $t $rc "$LOGS-build.log"
export MODULE_KO SAMPLE_KO

bold "[3/4] image: busybox initramfs with the Xen tools, the block modules and the test"
t=$SECONDS rc=0
IMG=$CACHE/img/initramfs-demo.cpio.gz
"$HERE/build-initramfs.sh" "$IMG" >"$LOGS-image.log" 2>&1 || rc=$?
done_step 3/4 image $t $rc "$LOGS-image.log"

bold "[4/4] boot: Xen + the PV dom0 (TCG, 1-2 minutes); inside it the test, step by step:"
TAP=$(mktemp)
trap 'rm -f "$TAP"' EXIT
t=$SECONDS
set +e
"$HERE/run-qemu.py" --initrd "$IMG" --kernel "/boot/vmlinuz-$KVER" --xen "$CACHE/xen-4.17-amd64" \
  --timeout "${TIMEOUT:-600}" --verbose --no-report --tap-file "$TAP" --log "$LOGS.log" |
  if [ "${DEMO_CONSOLE:-0}" = 1 ]; then cat; else
    # "[  10.20] ==> [5.82s] attaching ..." -> "  [  5.8 s] attaching ..."
    awk 'match($0, /==> \[[0-9.]+s\] /) { s = substr($0, RSTART + 5); t = s + 0
         sub(/^[0-9.]+s\] /, "", s); printf "  [%5.1f s] %s\n", t, s; fflush() }'
  fi
rc=${PIPESTATUS[0]}
set -e
t_boot=$((SECONDS - t))
steps="$steps, 4/4 boot $t_boot s; total $((SECONDS - t_start)) s"
echo
if [ -s "$TAP" ]; then summary "$TAP" "$LOGS.log" "$steps" "" || true
else summary - "$LOGS.log" "$steps" "4/4 boot (run-qemu.py exit $rc, no report)" || true; fi
exit "$rc"
