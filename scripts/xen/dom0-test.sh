#!/bin/sh
# shellcheck shell=dash
# Runs inside the PV dom0 (busybox ash, started by /init). Prints TAP to the console:
#   ok N - name / not ok N - name, diagnostics as "# ..." lines, then "N passed, M failed".
# Human progress lines start with "==> " (not TAP). At the end, the TAP block is printed
# again between @@TAP-BEGIN/@@TAP-END with kernel console output muted, so that a kernel
# message interleaved with a live line cannot corrupt the result.
export PATH=/usr/lib/xen-4.17/bin:/usr/bin:/bin:/sbin:/usr/sbin
DBG=/sys/kernel/debug/p2m_override
TAPLOG=/tmp/tap.log; WHY=/tmp/why; : > $TAPLOG; : > $WHY
N=0; NPASS=0; NFAIL=0

emit() { echo "$1"; echo "$1" >> $TAPLOG; }
diag() { while IFS= read -r l; do emit "# $l"; done; }   # stdin -> "# " lines
dump() { emit "# --- $1 ---"; sed 's/^/  /' | diag; }     # section: header + "#   " lines
why() { printf '%s\n' "$*" >> $WHY; }                     # reason for the next result
STEPN=0; STEPF=/tmp/step.now
step() { # progress line; STEPF names the step for hang_watch
  STEPN=$((STEPN + 1)); echo "$STEPN $(cut -d. -f1 /proc/uptime) $*" > $STEPF
  echo "==> [$(cut -d' ' -f1 /proc/uptime)s] $*"
}
# hang_watch (in the background): once per step that has run HANG_S seconds, print the
# processes and the kernel stacks of those in D state, so that a run that run-qemu.py kills
# at its timeout says where it hung. From /proc, not sysrq: a dump in dmesg would match SPLAT.
HANG_S=150
hang_watch() {
  _seen=0
  while sleep 10; do
    read -r _n _t0 _s < $STEPF 2>/dev/null || continue
    [ "$_n" != "$_seen" ] || continue
    [ $(($(cut -d. -f1 /proc/uptime) - _t0)) -ge $HANG_S ] || continue
    _seen=$_n
    echo "==> hang_watch: step $_n ($_s) has run ${HANG_S}+ s; processes, then D-state stacks:"
    # shellcheck disable=SC2009  # busybox ps, kernel threads ([name]) left out
    ps 2>&1 | grep -v '\[[^]]*\]$' | sed 's/^/==>   /'
    for _p in /proc/[0-9]*; do
      grep -q '^State:[[:space:]]*D' "$_p/status" 2>/dev/null || continue
      echo "==>   D: ${_p#/proc/} $(cat "$_p/comm" 2>/dev/null): $(tr '\0' ' ' < "$_p/cmdline" 2>/dev/null)"
      sed 's/^/==>     /' "$_p/stack" 2>/dev/null
    done
  done
}
result() { # $1 = 0 (pass) or non-zero, $2 = check name; prints the collected reasons
  N=$((N + 1))
  if [ "$1" = 0 ]; then NPASS=$((NPASS + 1)); emit "ok $N - $2"
  else NFAIL=$((NFAIL + 1)); emit "not ok $N - $2"; fi
  diag < $WHY; : > $WHY
}
RETRY_PREFIX="==> "
# shellcheck source=retry.sh  # (paths relative to scripts/xen)
. /retry.sh        # retry_crash, md5_of
# shellcheck source=splat.sh
. /splat.sh        # kernel_splats, user_faults
# shellcheck disable=SC2016  # $1, $2: the awk program's fields
stat_val() { retry_crash awk -v k="$1" '$1 == k { print $2 }' $DBG/stats 2>/dev/null; }
wait_for() { # $1 = tenths of a second, rest = condition command
  _i=0; _n=$1; shift
  until "$@"; do [ $_i -ge "$_n" ] && return 1; sleep 0.1; _i=$((_i + 1)); done
}
is_blk() { [ -b "$1" ]; }
not_blk() { [ ! -b "$1" ]; }
selftest_done() { dmesg | grep -qE 'p2m_override: selftest (passed|FAILED)'; }
xs_up() { xenstore-ls / >/dev/null 2>&1; }
fe_closed() { [ "$(xenstore-read "$1/state" 2>/dev/null)" = 6 ]; }   # $1 = frontend path
running() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
not_running() { ! running "$1"; }
sample_done() { dmesg | grep -qE 'p2mo_sample: (passed|FAILED)'; }
drained() { [ "$(stat_val live_overrides)" = 0 ] && [ "$(stat_val foreign_tags_live)" = 0 ]; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
nsplat() { dmesg | kernel_splats | grep -c .; }
# bg_write PATTERN DEVICE ERRFILE: 16 MiB of random data into PATTERN, then
# written to DEVICE with direct I/O in the background; sets t0 and ddpid.
bg_write() {
  dd if=/dev/urandom of="$1" bs=1M count=16 2>/dev/null
  t0=$(ms)
  dd if="$1" of="$2" bs=$IO_BS oflag=direct 2>"$3" &
  ddpid=$!
}
new_splats() { dmesg | kernel_splats | tail -n +$(($1 + 1)) | head -n 10; }   # $1 = nsplat before
IO_BS=4096      # block size of the background dd of the *_under_io checks: small, so it lasts seconds
TR=/sys/kernel/tracing
SCAN=/sys/kernel/debug/p2mo_p2mscan      # p2mscan.ko: the real p2m's FOREIGN entries
BBP=/sys/module/xen_blkback/parameters
VWHY=/tmp/vwhy
COUNTERS="live_overrides adopted reconciled_added reconciled_dropped hook_missed track_errors untracked_unmaps"
counters() { _c=""; for _k in $COUNTERS; do _c="$_c $_k=$(stat_val "$_k")"; [ -n "$(stat_val "$_k")" ] || _c="$_c<absent>"; done; echo "${_c# }"; }

# real_set OUT: the real p2m's FOREIGN entries, "mfn pfn" sorted, read by p2mscan.ko (which
# shares no code with the module); sets scan_ms and scan_tail ("scanned N leaves M")
real_set() {
  _t0=$(ms)
  if ! cat $SCAN/foreign > /tmp/scan.raw 2>/tmp/scan.err; then scan_tail="read failed: $(cat /tmp/scan.err)"; return 1; fi
  scan_ms=$(($(ms) - _t0))
  scan_tail=$(tail -n 1 /tmp/scan.raw)
  case "$scan_tail" in scanned*) ;; *) scan_tail="no 'scanned' line at the end"; return 1;; esac
  grep -v '^scanned' /tmp/scan.raw | sort > "$1"
}
# only_in A B: the lines of A that are not in B (FILENAME, not NR == FNR: B may be empty)
only_in() { awk -v b="$2" 'FILENAME == b { s[$0] = 1; next } !($0 in s)' "$2" "$1"; }

# sets_cmp LABEL: the module's m2p dump and the real p2m's FOREIGN entries must be equal
# sets of "mfn bpfn"; reasons go to $VWHY, the first few differences included
sets_cmp() {
  [ -r $SCAN/foreign ] || { echo "$1: $SCAN/foreign missing: p2mscan.ko not loaded ($P2MSCAN_WHY)" >> $VWHY; return 1; }
  cat $DBG/m2p > /tmp/m2p.raw 2>/tmp/m2p.err || { echo "$1: cannot read $DBG/m2p: $(cat /tmp/m2p.err)" >> $VWHY; return 1; }
  sort /tmp/m2p.raw > /tmp/set.mod
  real_set /tmp/set.real || { echo "$1: p2mscan: $scan_tail" >> $VWHY; return 1; }
  only_in /tmp/set.mod /tmp/set.real > /tmp/set.onlymod    # in the table, not FOREIGN in the p2m
  only_in /tmp/set.real /tmp/set.mod > /tmp/set.onlyreal   # FOREIGN in the p2m, not in the table
  uniq -d /tmp/set.mod > /tmp/set.dup
  _a=$(wc -l < /tmp/set.onlymod); _b=$(wc -l < /tmp/set.onlyreal); _d=$(wc -l < /tmp/set.dup)
  {
    echo "$1: sets: m2p dump $(wc -l < /tmp/set.mod), real p2m FOREIGN $(wc -l < /tmp/set.real) (p2mscan $scan_ms ms, $scan_tail); only in m2p dump $_a, only in real p2m $_b, duplicated in m2p dump $_d"
    sed 's/^/  only in m2p dump (mfn bpfn): /' /tmp/set.onlymod | head -n 5
    sed 's/^/  only in real p2m (mfn pfn): /' /tmp/set.onlyreal | head -n 5
    sed 's/^/  duplicated in m2p dump: /' /tmp/set.dup | head -n 3
  } >> $VWHY
  [ "$_a" = 0 ] && [ "$_b" = 0 ] && [ "$_d" = 0 ]
}

# verify_read LABEL: the module's own verify file: stale, missing and wrong_tag must be 0
verify_read() {
  [ -e $DBG/verify ] || { echo "$1: $DBG/verify missing: the loaded p2m_override has no verify file" >> $VWHY; return 1; }
  cat $DBG/verify > /tmp/verify.out 2>/tmp/verify.err || { echo "$1: reading $DBG/verify failed: $(cat /tmp/verify.err)" >> $VWHY; return 1; }
  _line=""; _bad=0
  for _k in stale missing wrong_tag scanned foreign us; do
    _v=$(awk -v k="$_k" 'NF == 2 && $1 == k { print $2; exit }' /tmp/verify.out)
    _line="$_line $_k ${_v:-<absent>}"
    case $_k in stale|missing|wrong_tag) [ "$_v" = 0 ] || _bad=1;; esac
  done
  echo "$1: verify:$_line" >> $VWHY
  awk 'NF == 3 { print "  verify offender: " $0 }' /tmp/verify.out | head -n 8 >> $VWHY
  return $_bad
}

# verify_ok LABEL: verify clean AND the m2p dump equal to the real p2m (p2mscan), as sets.
# Up to 3 attempts 1 s apart (async gnttab unmaps, blkback's purge): the attempt count is
# reported, and the last attempt's reasons go to why; the counters are appended.
verify_ok() {
  _try=0
  while :; do
    _try=$((_try + 1)); : > $VWHY; _vrc=0
    verify_read "$1" || _vrc=1
    sets_cmp "$1" || _vrc=1
    [ $_vrc = 0 ] || [ $_try -ge 3 ] && break
    sleep 1
  done
  while IFS= read -r _l; do why "$_l"; done < $VWHY
  if [ "$_vrc" = 0 ]; then [ $_try = 1 ] || why "$1: clean at attempt $_try of 3"
  else why "$1: NOT clean after $_try attempts"; fi
  why "$1: stats: $(counters)"
  return "$_vrc"
}
TEV=$TR/events/p2m_override
EVENTS="p2mo_override_add p2mo_override_remove p2mo_tag_set p2mo_tag_clear p2mo_map_refs p2mo_unmap_refs p2mo_hook"

# An Oops ends the boot at once (Xen reboots, run-qemu.py reports the crash and the checks
# not reached) instead of RCU stalls until the timeout; the Oops is in the log either way.
echo 1 > /proc/sys/kernel/panic_on_oops

hang_watch & hwpid=$!

# ---- 1. dom0_is_pv -------------------------------------------------------------
step "checking that we are a Xen PV dom0"
grep -q ' /proc/xen ' /proc/mounts || mount -t xenfs xenfs /proc/xen
mkdir -p /sys/kernel/debug
grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug
rc=0
ht=$(cat /sys/hypervisor/type 2>/dev/null)
[ "$ht" = xen ] || { rc=1; why "/sys/hypervisor/type is '$ht', not xen"; }
dmesg | grep -q 'Hypervisor detected: Xen PV' || { rc=1; why "no 'Hypervisor detected: Xen PV' in dmesg"; }
grep -q control_d /proc/xen/capabilities 2>/dev/null || { rc=1; why "/proc/xen/capabilities lacks control_d"; }
[ $rc = 0 ] && why "Xen $(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra), dom0 kernel $(uname -r)"
result $rc dom0_is_pv

# p2mscan.ko (test only, no code shared with p2m_override): read by verify_ok
P2MSCAN_WHY="/p2mscan.ko is not in the image"
if [ -f /p2mscan.ko ]; then
  if out=$(insmod /p2mscan.ko 2>&1); then P2MSCAN_WHY="loaded"; else P2MSCAN_WHY="insmod failed: $out"; fi
fi
echo "==> p2mscan.ko: $P2MSCAN_WHY"

# ---- 2. module_load: p2m_override first, so it sees every grant map ------------
# `--extra-dom0-args p2mo_args=hooks=0,adopt=0` (comma separated) adds parameters to every
# insmod of p2m_override: a mutation run, to see the checks catch a module that misses maps
P2MO_ARGS=$(sed -n 's/.*p2mo_args=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
[ -z "$P2MO_ARGS" ] || echo "==> p2m_override parameters from the command line: $P2MO_ARGS"
step "loading p2m_override.ko selftest=1"
loaded=1
if [ -f /p2m_override.ko ]; then
  # shellcheck disable=SC2086  # P2MO_ARGS: one word per parameter
  if out=$(insmod /p2m_override.ko selftest=1 $P2MO_ARGS 2>&1); then loaded=0; else
    why "insmod failed: $out"; dmesg | grep 'p2m_override' | tail -n 10 >> $WHY
  fi
else
  why "/p2m_override.ko is not in the image (module build failed or MODULE_KO unset)"
fi
result $loaded module_load

step "loading the block modules (loop, xen-blkback, xen-blkfront)"
blkmods_ok=0
while read -r m; do
  out=$(insmod "/modules/$m" 2>&1) || { blkmods_ok=1; echo "==> insmod $m failed: $out"; }
done < /modules/blk.list
# blkback unmaps persistent grants left unused for 60 s (LRU purge). The run lasts longer
# than that, so the purge would land at a random point, e.g. inside the 16 MiB dd of
# unload_under_io (seen: 30-40 s instead of 5 s). Off by default for repeatable timings;
# `--extra-dom0-args p2mo_pgrant_timeout=N` (seconds, 0 = never) sets it.
PGT=$(sed -n 's/.*p2mo_pgrant_timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "${PGT:-0}" > /sys/module/xen_blkback/parameters/persistent_grant_unused_seconds 2>/dev/null ||
  echo "==> cannot set xen_blkback persistent_grant_unused_seconds"
echo "==> xen_blkback persistent_grant_unused_seconds=$(cat /sys/module/xen_blkback/parameters/persistent_grant_unused_seconds 2>&1)"

# ---- 3. selftest ----------------------------------------------------------------
rc=1
if [ $loaded = 0 ]; then
  wait_for 100 selftest_done
  dmesg | grep -q 'p2m_override: selftest passed' && rc=0
  dmesg | grep -q 'p2m_override: selftest FAILED' && rc=1
  dmesg | grep 'p2m_override: selftest' | head -n 10 | sed 's/^\[[^]]*\] //' >> $WHY
  [ $rc = 0 ] || why "expected 'p2m_override: selftest passed' and no 'selftest FAILED'"
else
  why "module not loaded"
fi
result $rc selftest

# ---- 4. sample_backend: a second module mapping grants through the p2m_override API ----
step "sample backend: insmod /p2mo_sample.ko"
rc=1
if [ $loaded != 0 ]; then
  why "p2m_override not loaded"
elif [ ! -f /p2mo_sample.ko ]; then
  why "/p2mo_sample.ko is not in the image (samples/p2mo_sample.ko not built, or SAMPLE_KO unset)"
else
  live0=$(stat_val live_overrides); tags0=$(stat_val foreign_tags_live)
  if out=$(insmod /p2mo_sample.ko 2>&1); then
    wait_for 50 sample_done
    dmesg | grep -E 'p2mo_sample: (passed|FAILED)' | head -n 5 | sed 's/^\[[^]]*\] //' >> $WHY
    if dmesg | grep -q 'p2mo_sample: passed' && ! dmesg | grep -q 'p2mo_sample: FAILED'; then rc=0
    else why "expected 'p2mo_sample: passed' and no 'p2mo_sample: FAILED'"; fi
    out=$(rmmod p2mo_sample 2>&1) || { rc=1; why "rmmod p2mo_sample failed: $out"; }
  else
    why "insmod /p2mo_sample.ko failed: $out"
    dmesg | grep -E 'p2mo_sample|p2m_override' | tail -n 5 | sed 's/^\[[^]]*\] //' >> $WHY
  fi
  live1=$(stat_val live_overrides); tags1=$(stat_val foreign_tags_live)
  if [ "$live0" != "$live1" ] || [ "$tags0" != "$tags1" ]; then
    rc=1; why "sample left state behind: live_overrides $live0 -> $live1, foreign_tags_live $tags0 -> $tags1"
  fi
fi
result $rc sample_backend

# ---- probes_off_ftrace: every probe the module arms is a plain kprobe past the ftrace
# NOP; the map kretprobe is registered disabled (fired from its +5 kprobe).  Arming a
# probe on the ftrace NOP while blkback called the function crashed dom0 three times.
KPL=/sys/kernel/debug/kprobes/list
step "probes_off_ftrace: the probes on *_foreign_p2m_mapping in $KPL"
rc=0
if [ $loaded != 0 ]; then
  rc=1; why "p2m_override not loaded"
elif ! grep -E 'foreign_p2m_mapping' $KPL > /tmp/kpl 2> /tmp/kpl.err; then
  rc=1; why "no probe on *_foreign_p2m_mapping in $KPL $(cat /tmp/kpl.err)"
else
  sed 's/^/kprobe: /' /tmp/kpl >> $WHY
  # flags as report_probe() prints them: [GONE][DISABLED][OPTIMIZED][FTRACE]
  grep -v 'DISABLED' /tmp/kpl > /tmp/kpl.armed
  n=$(grep -c 'FTRACE' /tmp/kpl.armed)
  [ "$n" = 0 ] || { rc=1; why "$n armed on an ftrace site (the function's entry NOP)"; }
  for f in set_foreign_p2m_mapping clear_foreign_p2m_mapping; do
    grep -q "  $f+0x5 " /tmp/kpl.armed || { rc=1; why "no armed kprobe at $f+0x5"; }
  done
fi
result $rc probes_off_ftrace

# ---- loopback block devices -----------------------------------------------------
io_ok=0        # 0 while all I/O checks pass
track_ok=0     # 0 while every snapshot had live_overrides == foreign_pfns > 0
nsnap=0
TRACKWHY=/tmp/trackwhy; : > $TRACKWHY
trace_on=1     # 0 once the p2m_override trace events are enabled
trace_ok=1     # 0 from then on, 1 again on any missing event or failed step
TRACEWHY=/tmp/tracewhy; : > $TRACEWHY

# snapshot LABEL: dump stats/m2p/p2m while attached, compare live_overrides and foreign_pfns
snapshot() {
  if [ ! -r $DBG/stats ]; then track_ok=1; echo "$1: $DBG/stats not readable" >> $TRACKWHY; return; fi
  for _t in 1 2 3; do   # retry if blkback mapped/unmapped between the two reads
    live=$(stat_val live_overrides)
    foreign=$(awk '$1 == "foreign_pfns" { print $2 }' $DBG/scan_foreign 2>/dev/null)
    [ "$live" = "$(stat_val live_overrides)" ] && break
  done
  nsnap=$((nsnap + 1))
  dump "p2m_override stats with $1 attached" < $DBG/stats
  dump "scan_foreign with $1 attached" < $DBG/scan_foreign
  head -n 20 $DBG/m2p 2>&1 | dump "m2p (first 20 lines) with $1 attached"
  head -n 20 $DBG/p2m 2>&1 | dump "p2m (first 20 lines) with $1 attached"
  echo "$1: live_overrides=${live:-?} foreign_pfns=${foreign:-?}" >> $TRACKWHY
  if [ -z "$live" ] || [ -z "$foreign" ] || [ "$live" -le 0 ] || [ "$live" != "$foreign" ]; then track_ok=1; fi
}

# blk_io DEV IMG: 32 MiB O_DIRECT write+read, 3x4k at an odd offset, cmp data and backing file
blk_io() {
  d=$1; img=$2; n=${d#/dev/}
  step "I/O on $d: 32 MiB O_DIRECT write + read, 12 KiB at block 9001"
  dd if=/dev/urandom of=/tmp/pat bs=1M count=32 2>/dev/null
  t0=$(ms); dd if=/tmp/pat of="$d" bs=1M count=32 oflag=direct 2>/dev/null
  t1=$(ms); dd if="$d" of=/tmp/rb bs=1M count=32 iflag=direct 2>/dev/null
  t2=$(ms)
  # block 9001 (~35 MiB) is outside the 32 MiB region
  dd if=/tmp/pat of="$d" bs=4096 count=3 seek=9001 skip=5 oflag=direct conv=notrunc 2>/dev/null
  dd if="$d" of=/tmp/rb4 bs=4096 count=3 skip=9001 iflag=direct 2>/dev/null
  dd if=/tmp/pat of=/tmp/pat4 bs=4096 count=3 skip=5 2>/dev/null
  dd if="$img" of=/tmp/img32 bs=1M count=32 2>/dev/null
  dd if="$img" of=/tmp/img4 bs=4096 count=3 skip=9001 2>/dev/null
  emit "# $n: 32 MiB O_DIRECT write $((t1 - t0)) ms, read $((t2 - t1)) ms"
  for p in "pat rb $n-32MiB-readback" "pat4 rb4 $n-4k-readback" "pat img32 $n-32MiB-backing-file" "pat4 img4 $n-4k-backing-file"; do
    # shellcheck disable=SC2086  # split "a b label"
    set -- $p
    cmp -s "/tmp/$1" "/tmp/$2" || { io_ok=1; why "$3 differs"; }
  done
  rm -f /tmp/pat /tmp/rb /tmp/rb4 /tmp/pat4 /tmp/img32 /tmp/img4
}

# verify_io DEV IMG MIB LABEL: MIB MiB O_DIRECT write + read at offset 0, cmp data and backing
# file; returns non-zero (reasons via why) on a mismatch
verify_io() {
  _rc=0
  dd if=/dev/urandom of=/tmp/vpat bs=1M count="$3" 2>/dev/null
  dd if=/tmp/vpat of="$1" bs=1M count="$3" oflag=direct 2>/tmp/vdd.err || { _rc=1; why "$4: write failed: $(tail -n 1 /tmp/vdd.err)"; }
  dd if="$1" of=/tmp/vrb bs=1M count="$3" iflag=direct 2>/tmp/vdd.err || { _rc=1; why "$4: read failed: $(tail -n 1 /tmp/vdd.err)"; }
  dd if="$2" of=/tmp/vimg bs=1M count="$3" 2>/dev/null
  cmp -s /tmp/vpat /tmp/vrb || { _rc=1; why "$4: $3 MiB readback differs"; }
  cmp -s /tmp/vpat /tmp/vimg || { _rc=1; why "$4: $3 MiB backing file differs"; }
  rm -f /tmp/vpat /tmp/vrb /tmp/vimg
  return $_rc
}

# hand_attach VBD NAME LOOPN: blkfront+blkback pair written by hand, both xenstore halves in
# one xenstore-write (= one transaction); hand_detach VBD: Closing, wait for Closed, remove
hand_attach() {
  _f=/local/domain/0/device/vbd/$1; _b=/local/domain/0/backend/vbd/0/$1
  xenstore-write \
    "$_b/frontend" "$_f" "$_b/frontend-id" 0 "$_b/online" 1 "$_b/state" 1 "$_b/mode" w \
    "$_b/params" "/dev/loop$3" "$_b/type" phy "$_b/physical-device" "7:$3" "$_b/dev" "$2" \
    "$_b/removable" 0 "$_b/device-type" disk \
    "$_f/backend" "$_b" "$_f/backend-id" 0 "$_f/state" 1 "$_f/virtual-device" "$1" "$_f/device-type" disk
}
hand_detach() {
  _f=/local/domain/0/device/vbd/$1; _b=/local/domain/0/backend/vbd/0/$1
  xenstore-exists "$_b" 2>/dev/null || return 0
  xenstore-write "$_b/online" 0 "$_b/state" 5   # Closing; frontend answers with Closed (6)
  _r=0; wait_for 100 fe_closed "$_f" || { _r=1; why "vbd $1 frontend did not reach state 6"; }
  xenstore-rm "$_f"; xenstore-rm "$_b"          # unregisters the xenbus devices
  return $_r
}

# trace_counts KEY LABEL: count the p2m_override events in the trace buffer into
# /tmp/trace.KEY ("event count" lines), note them as one line, then clear the buffer
trace_counts() {
  awk -v ex="/tmp/trace.$1.ex" '!/^#/ { for (i = 1; i <= NF; i++) if ($i ~ /^p2mo_[a-z_]+:$/) {
           e = substr($i, 1, length($i) - 1)
           if (!c[e]++) { l = $0; sub(/^ +/, "", l); print "  first " e ": " l > ex }
           break } }
       END { for (e in c) print e, c[e] }' $TR/trace > "/tmp/trace.$1"
  _line=""
  for _e in $EVENTS; do _line="$_line $_e=$(trace_n "$1" "$_e")"; done
  _ov=$(cat $TR/per_cpu/cpu*/stats 2>/dev/null | awk '$1 == "overrun:" { s += $2 } END { print s + 0 }')
  echo "events $2:$_line (ring buffer overruns $_ov)" >> $TRACEWHY
  cat "/tmp/trace.$1.ex" >> $TRACEWHY 2>/dev/null
  echo > $TR/trace
}
trace_n() { awk -v e="$2" '$1 == e { n = $2 } END { print n + 0 }' "/tmp/trace.$1"; }
trace_need() { # KEY LABEL EVENT...: each event must have fired at least once
  _k=$1; _l=$2; shift 2
  for _e in "$@"; do
    [ "$(trace_n "$_k" "$_e")" -gt 0 ] || { trace_ok=1; echo "no $_e event $_l" >> $TRACEWHY; }
  done
}

step "starting xenstored and xen-init-dom0"
[ $blkmods_ok = 0 ] || { io_ok=1; why "a block module failed to load"; }
mkdir -p /var/run/xenstored /var/lib/xenstored /var/log/xen /var/run/xen /var/lib/xen /var/lock
xenstored --pid-file /run/xenstored.pid || why "xenstored failed"
wait_for 100 xs_up || why "xenstore not answering"
xen-init-dom0 >/tmp/xen-init-dom0.log 2>&1 || { why "xen-init-dom0 failed:"; cat /tmp/xen-init-dom0.log >> $WHY; }

# trace events on before the first grant map (checked by tracepoints_fire)
step "enabling the p2m_override trace events"
mkdir -p $TR
grep -q " $TR " /proc/mounts || mount -t tracefs tracefs $TR 2>>$TRACEWHY
if [ ! -d $TR/events ]; then
  echo "tracefs not mounted at $TR" >> $TRACEWHY
elif [ ! -d $TEV ]; then
  echo "$TEV does not exist: the loaded p2m_override has no trace system p2m_override" >> $TRACEWHY
else
  echo > $TR/trace
  if echo 1 > $TEV/enable; then trace_on=0; trace_ok=0; else echo "cannot write 1 to $TEV/enable" >> $TRACEWHY; fi
fi

# #1: hand-written xenstore entries
F=/local/domain/0/device/vbd/51728
B=/local/domain/0/backend/vbd/0/51728
step "attaching xvdb by hand (xenstore, vbd 51728, /dev/loop0)"
truncate -s 64M /tmp/disk0.img
losetup /dev/loop0 /tmp/disk0.img
hand_attach 51728 xvdb 0
if wait_for 300 is_blk /dev/xvdb; then
  blk_io /dev/xvdb /tmp/disk0.img
  if [ $trace_on = 0 ]; then
    trace_counts A "during xvdb attach + I/O"
    trace_need A "during xvdb attach + I/O" p2mo_override_add p2mo_map_refs
  fi
  snapshot xvdb
else
  io_ok=1; why "/dev/xvdb did not appear (frontend state $(xenstore-read $F/state 2>&1), backend state $(xenstore-read $B/state 2>&1))"
fi

# #2: through the toolstack
step "attaching xvdc with xl block-attach (vbd 51744, /dev/loop1)"
truncate -s 64M /tmp/disk1.img
losetup /dev/loop1 /tmp/disk1.img
out=$(timeout 60 xl block-attach 0 'format=raw, vdev=xvdc, access=rw, target=/dev/loop1' 2>&1) ||
  why "xl block-attach failed: $out"
if wait_for 300 is_blk /dev/xvdc; then
  blk_io /dev/xvdc /tmp/disk1.img
  snapshot "xvdb+xvdc"
else
  io_ok=1; why "/dev/xvdc did not appear"
  tail -n 20 /var/log/xen/xen-hotplug.log 2>/dev/null >> $WHY
fi
result $io_ok loopback_direct_io

# ---- overrides_tracked: with xvdb+xvdc attached and idle, the m2p dump equals the real
# p2m's FOREIGN entries over the whole p2m range, as sets (p2mscan), and verify is clean;
# p2mscan is timed and must count what the module's own scan_foreign counts
cat $TRACKWHY >> $WHY
[ $nsnap -gt 0 ] || { track_ok=1; why "no snapshot taken while a device was attached"; }
if [ $loaded = 0 ]; then
  step "overrides_tracked: m2p dump vs p2mscan (sets), verify"
  verify_ok overrides_tracked || track_ok=1
  if real_set /tmp/set.real; then
    nreal=$(wc -l < /tmp/set.real)
    nsf=$(awk '$1 == "foreign_pfns" { print $2 }' $DBG/scan_foreign 2>/dev/null)
    why "p2mscan: $nreal FOREIGN entries in $scan_ms ms ($scan_tail; $(cat $SCAN/last_ns 2>/dev/null) ns in the kernel); module scan_foreign: foreign_pfns ${nsf:-?}"
    [ "$nsf" = "$nreal" ] || { track_ok=1; why "p2mscan and scan_foreign disagree: $nreal != ${nsf:-?}"; }
    [ "$scan_ms" -lt 10000 ] || { track_ok=1; why "p2mscan took $scan_ms ms (limit 10000): not skipping the shared leaves?"; }
    [ "$nreal" -gt 0 ] || { track_ok=1; why "p2mscan found no FOREIGN entry with two devices attached"; }
    # the skipping checked: every entry of [0, noskip_limit) read one by one gives the same set
    t1=$(ms)
    if cat $SCAN/foreign_noskip > /tmp/noskip.raw 2>/tmp/noskip.err; then
      grep -v '^scanned' /tmp/noskip.raw | sort > /tmp/set.noskip
      why "p2mscan foreign_noskip: $(wc -l < /tmp/set.noskip) FOREIGN entries in $(($(ms) - t1)) ms ($(tail -n 1 /tmp/noskip.raw) of pfns [0, $(cat /sys/module/p2mscan/parameters/noskip_limit)))"
      only_in /tmp/set.real /tmp/set.noskip > /tmp/set.d1; only_in /tmp/set.noskip /tmp/set.real > /tmp/set.d2
      if [ -s /tmp/set.d1 ] || [ -s /tmp/set.d2 ]; then
        track_ok=1; why "p2mscan with skipping and without differ: $(wc -l < /tmp/set.d1) only with, $(wc -l < /tmp/set.d2) only without"
        sed 's/^/  only with skipping: /' /tmp/set.d1 | head -n 5 >> $WHY
        sed 's/^/  only without skipping: /' /tmp/set.d2 | head -n 5 >> $WHY
      fi
    else
      track_ok=1; why "cannot read $SCAN/foreign_noskip: $(cat /tmp/noskip.err)"
    fi
  else
    track_ok=1; why "p2mscan: $scan_tail ($P2MSCAN_WHY)"
  fi
else
  track_ok=1; why "module not loaded"
fi
result $track_ok overrides_tracked

# ---- tracepoints_fire: events seen for xvdb's maps, and for a scratch device's unmaps ----
# (xvdb and xvdc stay attached for the *_under_io checks: a small scratch vbd 51760 = xvdd on
# /dev/loop2 is attached, used and detached while the events are on)
if [ $trace_on = 0 ]; then
  step "tracepoints: scratch xvdd (xenstore, vbd 51760, /dev/loop2): attach, 1 MiB I/O, detach"
  truncate -s 8M /tmp/disk2.img
  losetup /dev/loop2 /tmp/disk2.img
  hand_attach 51760 xvdd 2
  if wait_for 300 is_blk /dev/xvdd; then
    verify_io /dev/xvdd /tmp/disk2.img 1 xvdd || trace_ok=1
  else
    trace_ok=1; echo "/dev/xvdd did not appear" >> $TRACEWHY
  fi
  hand_detach 51760 || trace_ok=1
  wait_for 300 not_blk /dev/xvdd || { trace_ok=1; echo "/dev/xvdd still present after detach" >> $TRACEWHY; }
  losetup -d /dev/loop2 2>/dev/null; rm -f /tmp/disk2.img
  trace_counts B "during xvdc attach + I/O and xvdd attach + I/O + detach"
  trace_need B "during xvdc attach + I/O and xvdd attach + I/O + detach" \
    p2mo_override_remove p2mo_unmap_refs p2mo_tag_set p2mo_tag_clear
  echo 0 > $TEV/enable || { trace_ok=1; echo "cannot write 0 to $TEV/enable" >> $TRACEWHY; }
fi
cat $TRACEWHY >> $WHY
result $trace_ok tracepoints_fire

# ---- unload_under_io: rmmod + insmod p2m_override while dd writes to xvdb ---------
step "unload_under_io: 16 MiB O_DIRECT dd (bs=$IO_BS) to xvdb, rmmod + insmod p2m_override meanwhile"
rc=0
if [ $loaded != 0 ]; then
  rc=1; why "module not loaded"
elif [ ! -b /dev/xvdb ]; then
  rc=1; why "/dev/xvdb is not attached"
else
  ns0=$(nsplat)
  grep -E 'foreign_p2m_mapping' $KPL 2>&1 | sed 's/^/kprobes before rmmod: /' > /tmp/kp0
  sed 's/^/==> /' /tmp/kp0    # live too: a crash during the reload loses the TAP diagnostics
  bg_write /tmp/upat /dev/xvdb /tmp/udd.err
  sleep 0.5
  run_rm=no; running $ddpid && run_rm=yes
  t1=$(ms); tries=0
  until out=$(rmmod p2m_override 2>&1); do   # retry briefly if busy
    tries=$((tries + 1)); [ $tries -ge 30 ] && break; sleep 0.1
  done
  t2=$(ms)
  if lsmod | grep -q '^p2m_override '; then
    rc=1; why "rmmod p2m_override failed ($((tries + 1)) tries): $out"
  else
    loaded=1
    # shellcheck disable=SC2086
    if out=$(insmod /p2m_override.ko $P2MO_ARGS 2>&1); then loaded=0
    else rc=1; why "insmod /p2m_override.ko after rmmod failed: $out"; fi
  fi
  t3=$(ms)
  run_ins=no; running $ddpid && run_ins=yes
  grep -E 'foreign_p2m_mapping' $KPL 2>&1 | sed 's/^/kprobes after insmod: /' > /tmp/kp1
  if wait_for 600 not_running $ddpid; then
    wait $ddpid; ddrc=$?
  else
    ddrc=hung; rc=1; why "dd still running 60 s after the reload"
  fi
  t4=$(ms)
  [ "$ddrc" = 0 ] || { rc=1; why "dd rc=$ddrc: $(tail -n 1 /tmp/udd.err)"; }
  [ $run_rm = yes ] || { rc=1; why "dd had finished before rmmod: nothing was under I/O"; }
  why "dd of 16 MiB took $((t4 - t0)) ms; rmmod at +$((t1 - t0)) ms ($((t2 - t1)) ms, $((tries + 1)) tries), insmod done at +$((t3 - t0)) ms; dd running at rmmod: $run_rm, after insmod: $run_ins"
  dmesg | grep -E 'p2m_override: unload' | tail -n 3 | sed 's/^\[[^]]*\] //' >> $WHY
  cat /tmp/kp0 /tmp/kp1 >> $WHY
  dd if=/dev/xvdb of=/tmp/urb bs=1M count=16 iflag=direct 2>/dev/null
  dd if=/tmp/disk0.img of=/tmp/uimg bs=1M count=16 2>/dev/null
  cmp -s /tmp/upat /tmp/urb || { rc=1; why "xvdb 16 MiB readback differs"; }
  cmp -s /tmp/upat /tmp/uimg || { rc=1; why "xvdb 16 MiB backing file differs"; }
  rm -f /tmp/upat /tmp/urb /tmp/uimg
  ns1=$(nsplat)
  [ "$ns1" = "$ns0" ] || { rc=1; why "kernel splat during the reload:"; new_splats "$ns0" >> $WHY; }
  if [ -r $DBG/stats ]; then dump "p2m_override stats after reload under I/O" < $DBG/stats
  else rc=1; why "$DBG/stats not readable after reload"; fi
fi
result $rc unload_under_io

# ---- detach_under_io: xvdc detached while dd writes to it -----------------------
# The frontend goes first: blkfront is unbound from vbd-51744 under I/O (its
# remove waits for the requests in flight, which the live backend answers),
# then the toolstack removes the vbd and blkback unmaps every grant.  A
# backend-first detach (xl block-detach under I/O) hits a Linux 6.1 race
# unrelated to this module: xen_blkif_disconnect() stops blkback's thread
# with requests still unconsumed in the ring, and blkfront_remove() then
# waits in del_gendisk() for answers that never come (xenwatch hung; seen
# in about 1 run in 4 under TCG, with and without this session's changes).
step "detach_under_io: 16 MiB O_DIRECT dd (bs=$IO_BS) to xvdc, blkfront unbound after 1 s, then xl block-detach"
rc=0
VBDDRV=/sys/bus/xen/drivers/vbd
if [ ! -b /dev/xvdc ]; then
  rc=1; why "/dev/xvdc is not attached"
elif [ ! -e $VBDDRV/vbd-51744 ]; then
  rc=1; why "$VBDDRV/vbd-51744 missing: xvdc is not vbd 51744"
else
  ns0=$(nsplat)
  bg_write /tmp/dpat /dev/xvdc /tmp/ddd.err
  sleep 1
  run_det=no; running $ddpid && run_det=yes
  t1=$(ms)
  echo vbd-51744 > $VBDDRV/unbind 2>/tmp/unbind.err ||
    { rc=1; why "unbinding blkfront from vbd-51744 failed: $(cat /tmp/unbind.err)"; }
  t2=$(ms)
  wait_for 300 not_blk /dev/xvdc || { rc=1; why "/dev/xvdc still present 30 s after the unbind"; }
  if wait_for 300 not_running $ddpid; then
    wait $ddpid; ddrc=$?
  else
    ddrc=hung; rc=1
    why "dd still running 30 s after the detach: $(grep '^State' /proc/$ddpid/status 2>&1)"
  fi
  t3=$(ms)
  rm -f /tmp/dpat		# only now: dd may open it late
  [ $run_det = yes ] || { rc=1; why "dd had finished before the detach: nothing was under I/O"; }
  why "dd started, unbind at +$((t1 - t0)) ms (took $((t2 - t1)) ms), dd ended at +$((t3 - t0)) ms, rc=$ddrc (an I/O error is expected): $(grep -v 'records\|bytes' /tmp/ddd.err | tail -n 1)"
  out=$(timeout 60 xl block-detach 0 xvdc 2>&1) || { rc=1; why "xl block-detach (after the unbind) failed: $out"; }
  # the same backing device again, through the toolstack
  out=$(timeout 60 xl block-attach 0 'format=raw, vdev=xvdc, access=rw, target=/dev/loop1' 2>&1) ||
    { rc=1; why "xl block-attach (re-attach) failed: $out"; }
  if wait_for 300 is_blk /dev/xvdc; then
    if verify_io /dev/xvdc /tmp/disk1.img 4 "re-attached xvdc"; then why "re-attached xvdc: 4 MiB O_DIRECT write + read verified"
    else rc=1; fi
    out=$(timeout 60 xl block-detach 0 xvdc 2>&1) || { rc=1; why "xl block-detach (re-attached) failed: $out"; }
    wait_for 300 not_blk /dev/xvdc || { rc=1; why "/dev/xvdc still present after the second detach"; }
  else
    rc=1; why "/dev/xvdc did not re-appear after xl block-attach"
    tail -n 10 /var/log/xen/xen-hotplug.log 2>/dev/null >> $WHY
  fi
  ns1=$(nsplat)
  [ "$ns1" = "$ns0" ] || { rc=1; why "kernel splat during detach_under_io:"; new_splats "$ns0" >> $WHY; }
fi
result $rc detach_under_io

# ---- detach what is left -------------------------------------------------------------
step "detaching xvdb (xenstore) and xvdc (xl block-detach, if still attached)"
drain_ok=0
hand_detach 51728
if [ -b /dev/xvdc ] || xl block-list 0 2>/dev/null | grep -q 51744; then
  out=$(timeout 60 xl block-detach 0 xvdc 2>&1) || why "xl block-detach failed: $out"
fi
wait_for 300 not_blk /dev/xvdb || { drain_ok=1; why "/dev/xvdb still present after detach"; }
wait_for 300 not_blk /dev/xvdc || { drain_ok=1; why "/dev/xvdc still present after detach"; }
losetup -d /dev/loop0 2>/dev/null; losetup -d /dev/loop1 2>/dev/null

# ---- overrides_drained ----------------------------------------------------------
if [ -r $DBG/stats ]; then
  # unmaps of pages still in use are retried asynchronously by gnttab: give them 10 s
  wait_for 100 drained || drain_ok=1
  why "after detach: live_overrides=$(stat_val live_overrides) foreign_tags_live=$(stat_val foreign_tags_live)"
  dump "p2m_override stats after detach" < $DBG/stats
else
  drain_ok=1; why "$DBG/stats not readable (module not loaded?)"
fi
result $drain_ok overrides_drained

# ---- helpers of the checks below ------------------------------------------------------
# rmmod_p2mo / insmod_p2mo: reload p2m_override; set loaded; reasons via why
rmmod_p2mo() {
  _tries=0
  until _out=$(rmmod p2m_override 2>&1); do
    _tries=$((_tries + 1)); [ $_tries -ge 30 ] && { why "rmmod p2m_override failed: $_out"; return 1; }
    sleep 0.1
  done
  loaded=1
}
insmod_p2mo() {
  # shellcheck disable=SC2086
  _out=$(insmod /p2m_override.ko $P2MO_ARGS 2>&1) || { why "insmod /p2m_override.ko $P2MO_ARGS: $_out"; return 1; }
  loaded=0
}
# attach_wait VBD NAME LOOPN MIB: fresh MIB MiB backing file /tmp/vbdVBD.img on /dev/loopN,
# hand-attached as /dev/NAME; waits for the device
attach_wait() {
  truncate -s "${4}M" "/tmp/vbd$1.img"
  losetup "/dev/loop$3" "/tmp/vbd$1.img" || { why "losetup /dev/loop$3 failed"; return 1; }
  hand_attach "$1" "$2" "$3"
  wait_for 300 is_blk "/dev/$2" || { why "/dev/$2 did not appear (frontend state $(xenstore-read "/local/domain/0/device/vbd/$1/state" 2>&1))"; return 1; }
}
detach_wait() { # VBD NAME LOOPN
  hand_detach "$1" || return 1
  wait_for 300 not_blk "/dev/$2" || { why "/dev/$2 still present after detach"; return 1; }
  losetup -d "/dev/loop$3" 2>/dev/null; rm -f "/tmp/vbd$1.img"
}
# fio_start SECONDS OUT DEV...: concurrent, random-offset, mixed-size (4k-128k) O_DIRECT
# writes read back and checked (crc32c) as they go, one job per device; sets fiopid
fio_start() {
  _rt=$1; _o=$2; shift 2
  _jobs=""
  for _d in "$@"; do _jobs="$_jobs --name=${_d#/dev/} --filename=$_d"; done
  # shellcheck disable=SC2086  # job list split on purpose
  fio --thread --ioengine=libaio --direct=1 --rw=randwrite --bsrange=4k-128k --iodepth=4 \
      --size=12M --verify=crc32c --verify_backlog=16 --verify_fatal=1 --randrepeat=0 \
      --runtime="$_rt" --time_based --output="$_o" $_jobs >/dev/null 2>"$_o.err" &
  fiopid=$!
}
# fio_check OUT RC: fio's exit code and each job's err= must be 0; a summary goes to why
fio_check() {
  _f=0
  [ "$2" = 0 ] || { _f=1; why "fio rc=$2: $(tail -n 3 "$1.err" | tr '\n' ' ')"; }
  awk '/^[a-z0-9]+: \(groupid/ { j = $1; e = $0; sub(/.*err= */, "", e); sub(/:.*/, "", e) }
       /issued rwts:/ { t = $3; sub(/total=/, "", t); split(t, n, ","); printf "fio %s err=%s reads=%s writes=%s\n", j, e, n[1], n[2] }
       /^ +WRITE:/ { sub(/^ +/, ""); print "fio " $0 }' "$1" | while IFS= read -r _l; do why "$_l"; done
  grep -qE '^[a-z0-9]+: \(groupid.* err= *0' "$1" || { _f=1; why "fio: no job reported err=0"; }
  if grep -E '^[a-z0-9]+: \(groupid' "$1" | grep -vqE 'err= *0'; then _f=1; fi
  if grep -qiE 'verify|bad magic|crc32c' "$1" "$1.err"; then
    _f=1; grep -iE 'verify|bad magic|crc32c' "$1" "$1.err" | head -n 5 | while IFS= read -r _l; do why "fio: $_l"; done
  fi
  return $_f
}
# bbreq DOMID VBD COUNTER: a request counter of blkback's vbd-DOMID-VBD, 0 if it is gone
bbreq() { cat "/sys/bus/xen-backend/devices/vbd-$1-$2/statistics/$3" 2>/dev/null || echo 0; }
bbstat() { # VBD: blkback's request counters for vbd-0-VBD
  echo "rd_req=$(bbreq 0 "$1" rd_req) wr_req=$(bbreq 0 "$1" wr_req) oo_req=$(bbreq 0 "$1" oo_req)"
}
gl_state() { [ "$(cat /tmp/gl.state 2>/dev/null)" = "$1" ] || [ "$(cat /tmp/gl.state 2>/dev/null)" = failed ] ||
             [ "$(cat /tmp/gl.state 2>/dev/null)" = "done" ]; }
nreal() { real_set /tmp/set.n >/dev/null 2>&1 && wc -l < /tmp/set.n; }
live_some() { [ "$(stat_val live_overrides)" -gt 0 ] 2>/dev/null; }

# ---- adopt_at_load: grants mapped while p2m_override is not loaded are in its tables at
# once after insmod (adopt=1 is the default), and their unmaps are tracked
step "adopt_at_load: rmmod p2m_override, attach xvdd (vbd 51760, loop2), 8 MiB I/O, insmod"
rc=0
if [ $loaded != 0 ] || [ ! -f /p2m_override.ko ]; then
  rc=1; why "p2m_override not loaded before the check"
elif ! rmmod_p2mo; then
  rc=1
else
  if attach_wait 51760 xvdd 2 16; then
    verify_io /dev/xvdd /tmp/vbd51760.img 8 xvdd || rc=1
    nlive=$(nreal)
    why "with p2m_override unloaded: $nlive FOREIGN entries in the real p2m (xvdd: $(bbstat 51760))"
    [ "${nlive:-0}" -gt 0 ] || { rc=1; why "no live grant mapping to adopt (persistent grants expected)"; }
    t1=$(ms)
    if insmod_p2mo; then
      why "insmod took $(($(ms) - t1)) ms, adopt=$(cat /sys/module/p2m_override/parameters/adopt 2>&1)"
      dmesg | grep -E 'p2m_override: adopted' | tail -n 1 | sed 's/^\[[^]]*\] //' >> $WHY
      verify_ok adopt_at_load || rc=1
      ad=$(stat_val adopted); ra=$(stat_val reconciled_added)
      [ "${ad:-0}" -ge "${nlive:-1}" ] || { rc=1; why "adopted=${ad:-<absent>} < $nlive live mappings"; }
      # the adoption is a repair pass at load: reconciled_added counts it too, so any
      # excess is what a later (periodic) repair added
      if [ -z "$ra" ] || [ "$ra" != "$ad" ]; then
        rc=1; why "reconciled_added=${ra:-<absent>} != adopted=${ad:-<absent>}: a repair after the adoption added entries"
      fi
      verify_io /dev/xvdd /tmp/vbd51760.img 4 "xvdd after insmod" || rc=1
    else
      rc=1
    fi
  else
    rc=1
  fi
  detach_wait 51760 xvdd 2 || rc=1
  if [ $loaded = 0 ]; then
    wait_for 100 drained || { rc=1; why "after the detach: live_overrides=$(stat_val live_overrides) foreign_tags_live=$(stat_val foreign_tags_live)"; }
    uu=$(stat_val untracked_unmaps)
    [ "${uu:-x}" = 0 ] || { rc=1; why "untracked_unmaps=${uu:-<absent>} after the detach (expected 0)"; }
    verify_ok "adopt_at_load after detach" || rc=1
  fi
fi
result $rc adopt_at_load

# ---- nopersist_io: blkback with feature_persistent=0 maps and unmaps every request ------
# xvde and xvdf without persistent grants, xvdg with them and blkback's purge of idle
# persistent grants at 1 s (persistent_grant_unused_seconds is one module-wide parameter:
# per device is impossible, so it is set while only xvdg has persistent grants); fio runs
# a verifying random mixed-size workload on the three at once; verify just after fio
# (xvdg's last grants still mapped: the purge is turned off 1.5 s before fio's end) and
# after the purge has unmapped them
NP_DEVS="/dev/xvde /dev/xvdf /dev/xvdg"
np_up=1
step "nopersist_io: xvde+xvdf (feature_persistent=0), xvdg (persistent, purge 1 s), fio 5 s on all three"
rc=0
if [ $loaded != 0 ]; then
  rc=1; why "p2m_override not loaded"
else
  echo 0 > $BBP/feature_persistent || { rc=1; why "cannot set $BBP/feature_persistent"; }
  attach_wait 51776 xvde 3 16 || rc=1
  attach_wait 51792 xvdf 4 16 || rc=1
  echo 1 > $BBP/feature_persistent
  attach_wait 51808 xvdg 5 16 || rc=1
  echo 1 > $BBP/persistent_grant_unused_seconds || { rc=1; why "cannot set persistent_grant_unused_seconds"; }
  fp=""
  for v in 51776 51792 51808; do fp="$fp $v:$(xenstore-read /local/domain/0/backend/vbd/0/$v/feature-persistent 2>&1)"; done
  why "backend feature-persistent:$fp (want 51776:0 51792:0 51808:1)"
  case "$fp" in " 51776:0 51792:0 51808:1") ;; *) rc=1; why "feature_persistent was not applied per device";; esac
  if [ $rc = 0 ]; then
    np_up=0
    ns0=$(nsplat); hm0=$(stat_val hook_missed)
    t1=$(ms)
    # shellcheck disable=SC2086
    fio_start 5 /tmp/fio.np $NP_DEVS
    # purge on for the first 3.5 s (fio starts in about 1 s under TCG), then off, so that
    # the grants xvdg used last are still mapped when fio has ended (its exit can take 1 s)
    sleep 3.5
    echo 0 > $BBP/persistent_grant_unused_seconds
    wait $fiopid; frc=$?
    why "fio took $(($(ms) - t1)) ms; blkback: xvde $(bbstat 51776), xvdf $(bbstat 51792), xvdg $(bbstat 51808)"
    fio_check /tmp/fio.np $frc || rc=1
    verify_ok "nopersist_io after fio" || rc=1
    n1=$(wc -l < /tmp/set.real)
    [ "$n1" -gt 0 ] || { rc=1; why "no FOREIGN entry just after fio: xvdg's persistent grants were expected"; }
    echo 1 > $BBP/persistent_grant_unused_seconds
    sleep 2      # xvdg's idle persistent grants are purged after 1 s (blkback unmaps them)
    verify_ok "nopersist_io after the purge" || rc=1
    n2=$(wc -l < /tmp/set.real)
    why "real p2m FOREIGN entries: $n1 just after fio, $n2 2 s later (purge)"
    [ "$n2" = 0 ] || { rc=1; why "xvdg's persistent grants were not purged within 2 s"; }
    why "persistent_grant_unused_seconds=1 is module-wide (no per-device knob): only xvdg has persistent grants"
    why "hook_missed during fio: $hm0 -> $(stat_val hook_missed)"
    [ "$(nsplat)" = "$ns0" ] || { rc=1; why "kernel splat during nopersist_io:"; new_splats "$ns0" >> $WHY; }
  fi
fi
result $rc nopersist_io

# ---- gntdev_loopback: dom0 grants pages to itself (gntalloc), maps them (gntdev), does
# O_DIRECT I/O from the mapping to xvde, forks; verify while mapped and after the unmap
step "gntdev_loopback: gntloop /dev/xvde 16 pages at 14 MiB"
rc=0
if [ $loaded != 0 ]; then
  rc=1; why "p2m_override not loaded"
elif [ ! -c /dev/xen/gntdev ] || [ ! -c /dev/xen/gntalloc ]; then
  rc=1; why "/dev/xen/gntdev or /dev/xen/gntalloc missing (xen-gntdev, xen-gntalloc: $(lsmod | grep -cE '^xen_gnt(dev|alloc) ') loaded)"
elif [ ! -x /usr/bin/gntloop ] || [ ! -b /dev/xvde ]; then
  rc=1; why "/usr/bin/gntloop missing or /dev/xvde not attached"
else
  n0=$(nreal); rm -f /tmp/gl.state
  gntloop /dev/xvde 16 /tmp/gl.state 28672 > /tmp/gl.out 2>&1 &
  glpid=$!
  wait_for 300 gl_state mapped || { rc=1; why "gntloop did not reach 'mapped' in 30 s"; }
  if [ "$(cat /tmp/gl.state 2>/dev/null)" = mapped ]; then
    n1=$(nreal)
    why "real p2m FOREIGN entries: $n0 before, $n1 while mapped (16 gntdev pages)"
    [ "${n1:-0}" -ge $((${n0:-0} + 16)) ] || { rc=1; why "the 16 gntdev pages are not FOREIGN in the real p2m"; }
    verify_ok "gntdev_loopback mapped" || rc=1
    kill -USR1 $glpid
    wait_for 300 gl_state unmapped || { rc=1; why "gntloop did not reach 'unmapped'"; }
    if [ "$(cat /tmp/gl.state 2>/dev/null)" = unmapped ]; then
      verify_ok "gntdev_loopback unmapped" || rc=1
      why "real p2m FOREIGN entries after the unmap: $(nreal)"
    fi
    kill -USR1 $glpid
  fi
  wait_for 100 not_running $glpid || { kill $glpid; rc=1; why "gntloop did not exit"; }
  wait $glpid; glrc=$?
  [ $glrc = 0 ] || { rc=1; why "gntloop rc=$glrc"; }
  while IFS= read -r l; do why "$l"; done < /tmp/gl.out
fi
result $rc gntdev_loopback

# ---- reload_loop: five rmmod/insmod cycles of p2m_override, each under nopersist_io's fio
# workload (5 s; rmmod once the module tracks live grants), each followed by verify once
# fio has ended
step "reload_loop: 5 x (fio 5 s on xvde/xvdf/xvdg, rmmod + insmod p2m_override under I/O, verify)"
rc=0
if [ $np_up != 0 ]; then
  rc=1; why "the nopersist_io devices are not attached"
else
  ns0=$(nsplat)
  # blkback's purge stays off during fio (xvdg's grants are compared after it), on after
  for i in 1 2 3 4 5; do
    echo 0 > $BBP/persistent_grant_unused_seconds
    # shellcheck disable=SC2086
    fio_start 5 /tmp/fio.rl$i $NP_DEVS
    # fio takes about 1 s to start under TCG: rmmod once I/O flows (xvdg's grants tracked)
    wait_for 50 live_some || { rc=1; why "cycle $i: no live override 5 s after fio's start"; }
    sleep 0.5
    lv=$(stat_val live_overrides)
    r1=no; running $fiopid && r1=yes
    t1=$(ms)
    if ! rmmod_p2mo || ! insmod_p2mo; then rc=1; break; fi
    t2=$(ms)
    r2=no; running $fiopid && r2=yes
    wait $fiopid; frc=$?
    if [ $r1 != yes ] || [ $r2 != yes ]; then rc=1; why "cycle $i: fio not running across the reload"; fi
    why "cycle $i: rmmod with live_overrides=$lv, rmmod+insmod $((t2 - t1)) ms, fio running at rmmod: $r1, after insmod: $r2"
    dmesg | grep -E 'p2m_override: (unload|adopted)' | tail -n 2 | sed "s/^\[[^]]*\] /cycle $i: /" >> $WHY
    fio_check /tmp/fio.rl$i $frc || { rc=1; why "cycle $i: fio failed"; }
    verify_ok "reload_loop cycle $i, after fio" || rc=1    # xvdg's grants, adopted or hooked
    [ "$(wc -l < /tmp/set.real)" -gt 0 ] || { rc=1; why "cycle $i: no FOREIGN entry just after fio (xvdg's grants expected)"; }
    echo 1 > $BBP/persistent_grant_unused_seconds
    sleep 1.5    # xvdg's purge (1 s), async unmaps
    verify_ok "reload_loop cycle $i, after the purge" || rc=1
  done
  [ "$(nsplat)" = "$ns0" ] || { rc=1; why "kernel splat during reload_loop:"; new_splats "$ns0" >> $WHY; }
fi
# tear down the three devices; the tables must drain
step "detaching xvde, xvdf, xvdg"
for d in "51776 xvde 3" "51792 xvdf 4" "51808 xvdg 5"; do
  # shellcheck disable=SC2086
  set -- $d
  if [ -b "/dev/$2" ]; then detach_wait "$1" "$2" "$3" || rc=1; fi
done
echo "${PGT:-0}" > $BBP/persistent_grant_unused_seconds
if [ $np_up = 0 ] && [ $loaded = 0 ]; then
  wait_for 100 drained || { rc=1; why "after the detach: live_overrides=$(stat_val live_overrides) foreign_tags_live=$(stat_val foreign_tags_live)"; }
  verify_ok "reload_loop after detach" || rc=1
fi
result $rc reload_loop

# ---- a real PV guest served by dom0 (guest_* checks) --------------------------------
# The production case: dom0's blkback and netback serve a domU, whose frames are
# foreign to dom0 (no FOREIGN tag to set: the override is the only way from the
# frame back to dom0's page). scripts/xen/guest/init.sh runs the guest's side of
# each check; dom0 sends it commands and reads its results through xenstore
# (/local/domain/DOMID/data/p2mo/{cmd,res-SEQ}); its console goes to xenconsoled's log.
GNAME=p2mo-guest
GVBD=51712                    # xvda in the guest
GIMG=/tmp/guest-disk.img      # its backing file, on /dev/loop$GLOOP
GLOOP=6
GCON=/var/log/xen/console/guest-$GNAME.log
GFRAMES=20000                 # raw frames of guest_net, 1400 bytes each
gdom=""; gseq=0; g_up=1; gwhy=""
gx() { echo "/local/domain/$gdom/data/p2mo"; }
g_ready() { case "$(xenstore-read "$(gx)/state" 2>/dev/null)" in ready*) return 0;; esac; return 1; }
g_has_res() { xenstore-exists "$(gx)/res-$gseq" 2>/dev/null; }
g_gone() { ! xl domid $GNAME >/dev/null 2>&1; }
# gcmd TENTHS VERB ARGS...: one command to the guest, its answer in /tmp/gres
# (first word ok or fail); returns non-zero unless ok
gcmd() {
  _t=$1; shift
  gseq=$((gseq + 1))
  if ! retry_crash xenstore-write "$(gx)/cmd" "$gseq $*" 2>/tmp/gres.err; then
    echo "fail xenstore-write of the command '$*': $(cat /tmp/gres.err)" > /tmp/gres; return 1
  fi
  if ! wait_for "$_t" g_has_res; then
    echo "fail the guest did not answer '$*' in $((_t / 10)) s" > /tmp/gres; return 1
  fi
  # -R: newlines as they are (the value has no final one: echo adds it for read).
  # Its stderr apart: the shell's "Segmentation fault" of a crashed run goes there.
  if ! retry_crash xenstore-read -R "$(gx)/res-$gseq" > /tmp/gres.raw 2> /tmp/gres.err; then
    echo "fail xenstore-read of the answer to '$*': $(cat /tmp/gres.err)" > /tmp/gres; return 1
  fi
  echo >> /tmp/gres.raw
  retry_crash grep . /tmp/gres.raw > /tmp/gres
  read -r _w _ < /tmp/gres      # a builtin: no process to crash in the verdict itself
  [ "$_w" = ok ]
}
gcon_tail() {
  why "guest console (last 12 lines of $GCON; $(grep -c 'Segmentation fault\|segfault\|general protection' "$GCON" 2>/dev/null) lines of crashed processes in all):"
  tail -n 12 "$GCON" 2>&1 | sed 's/^/  /' >> $WHY
}
gbbstat() { echo "rd_req=$(bbreq $gdom $GVBD rd_req) wr_req=$(bbreq $gdom $GVBD wr_req)"; }
greqs() { echo $(($(bbreq $gdom $GVBD rd_req) + $(bbreq $gdom $GVBD wr_req))); }   # the guest's, all
greqs_moved() { [ "$(greqs)" -gt "$greqs0" ]; }
# chunk_md5 OFF_KIB LEN_KIB: md5 of that part of the guest's backing file
chunk_md5() {
  retry_crash dd if=$GIMG of=/tmp/gchunk bs=1k skip="$1" count="$2" 2>/dev/null &&
    retry_crash md5_of /tmp/gchunk || echo "md5-failed"
  rm -f /tmp/gchunk
}
# g_blkio LABEL: the guest's O_DIRECT writes + reads at spread offsets and mixed sizes
# (checked in the guest), then each chunk's md5 against the backing file in dom0
g_blkio() {
  _t1=$(ms)
  if ! gcmd 1200 blkio; then
    why "$1: guest blkio: $(tr '\n' ';' < /tmp/gres)"; return 1
  fi
  _n=0; _bad=0
  tail -n +2 /tmp/gres > /tmp/gchunks
  while read -r _off _len _md5; do
    _n=$((_n + 1))
    case $_md5 in
      [0-9a-f]*) ;;
      *) _bad=$((_bad + 1)); why "$1: the guest's line for chunk $_n has no md5: '$_off $_len $_md5'"
         why "$1: the guest's whole answer: $(tr '\n' ';' < /tmp/gres)"; gcon_tail; continue;;
    esac
    _h=$(chunk_md5 "$_off" "$_len")
    [ "$_h" = "$_md5" ] || { _bad=$((_bad + 1)); why "$1: backing file differs at $_off KiB (+$_len KiB): guest md5 $_md5, dom0 $_h"; }
  done < /tmp/gchunks
  why "$1: guest wrote and read back $_n chunks (4 KiB-4 MiB, O_DIRECT, $(awk '{ s += $2 } END { print s + 0 }' /tmp/gchunks) KiB) in $(($(ms) - _t1)) ms; $_bad differ from the backing file; blkback $(gbbstat)"
  [ "$_n" = 8 ] || { why "$1: expected 8 chunks from the guest, got $_n"; return 1; }
  [ "$_bad" = 0 ]
}
# lookup_check LABEL: every mfn of the last real_set (/tmp/set.real, "mfn pfn") asked of
# p2mo_mfn_to_pfn() through the module's debugfs lookup file: the answer must be a
# backend pfn the real p2m maps to that mfn (FOREIGN)
lookup_check() {
  [ -e $DBG/lookup ] || { why "$1: $DBG/lookup missing"; return 1; }
  [ -s /tmp/set.real ] || { why "$1: no FOREIGN entry to look up"; return 1; }
  exec 3<>$DBG/lookup
  while read -r _m _p; do echo "$_m" >&3 || break; done < /tmp/set.real
  cat <&3 > /tmp/lookup.out
  exec 3<&-
  awk 'FILENAME == ARGV[1] { ok[$1 " " $2] = 1; next }
       { n++; if (!(($1 " " $2) in ok)) { bad++; if (bad <= 5) print "  wrong answer (mfn p2mo_mfn_to_pfn): " $0 } }
       END { print "answers " n + 0 " wrong " bad + 0 }' /tmp/set.real /tmp/lookup.out > /tmp/lookup.sum
  _want=$(wc -l < /tmp/set.real)
  why "$1: p2mo_mfn_to_pfn() of the $_want FOREIGN frames: $(tail -n 1 /tmp/lookup.sum)"
  sed '$d' /tmp/lookup.sum >> $WHY
  [ "$(tail -n 1 /tmp/lookup.sum)" = "answers $_want wrong 0" ]
}

step "guest: xen-netback, xenconsoled, 64 MiB disk on /dev/loop$GLOOP, xl create $GNAME (128 MiB, 1 vCPU)"
while read -r m; do
  out=$(insmod "/modules/$m" 2>&1) || { gwhy="insmod $m failed: $out"; echo "==> $gwhy"; }
done < /modules/net.list
mkdir -p /var/log/xen/console
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
  echo "==> xenconsoled failed (the guest's console is not logged)"
truncate -s 64M $GIMG
losetup /dev/loop$GLOOP $GIMG || gwhy="losetup /dev/loop$GLOOP failed"
cat > /tmp/guest.cfg <<EOF
name = "$GNAME"
type = "pv"
kernel = "/guest/vmlinuz"
ramdisk = "/guest/initrd.gz"
extra = "console=hvc0 loglevel=4"
memory = 128
vcpus = 1
disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/loop$GLOOP' ]
vif = [ 'mac=00:16:3e:50:32:01, script=vif-p2mo' ]
EOF
t1=$(ms)
if [ -n "$gwhy" ]; then :
elif [ ! -f /guest/vmlinuz ] || [ ! -f /guest/initrd.gz ]; then gwhy="/guest/vmlinuz or /guest/initrd.gz is not in the image"
elif ! out=$(timeout 120 xl create /tmp/guest.cfg 2>&1); then
  gwhy="xl create failed: $(echo "$out" | tail -n 5 | tr '\n' ';')"
  xl destroy $GNAME >/dev/null 2>&1
else
  gdom=$(xl domid $GNAME 2>/dev/null)
  t2=$(ms)
  if [ -z "$gdom" ]; then gwhy="xl create returned, but no domain $GNAME"
  elif wait_for 1800 g_ready; then
    g_up=0
    echo "==> guest $GNAME is domain $gdom: xl create $((t2 - t1)) ms, ready after $(($(ms) - t1)) ms: $(xenstore-read "$(gx)/state")"
  else
    gwhy="guest $gdom did not report ready within 180 s of xl create (state '$(xenstore-read "$(gx)/state" 2>&1)')"
  fi
fi
[ -z "$gwhy" ] || echo "==> guest not up: $gwhy"
gfail() { why "the guest is not up: $gwhy"; gcon_tail; tail -n 5 "/var/log/xen/xl-$GNAME.log" 2>/dev/null | sed 's/^/  xl: /' >> $WHY; }

# ---- guest_block_io: blkback serves the guest a loop device; O_DIRECT I/O verified in
# the guest and against the backing file; with the guest idle (persistent grants mapped)
# the module's set equals the real p2m's FOREIGN set and every such frame answers
# p2mo_mfn_to_pfn() with dom0's backend pfn
step "guest_block_io: guest O_DIRECT I/O on xvda, then sets and p2mo_mfn_to_pfn() with the guest idle"
rc=0
if [ $g_up != 0 ]; then rc=1; gfail
elif [ $loaded != 0 ]; then rc=1; why "p2m_override not loaded"
else
  why "guest $GNAME: domain $gdom, $(xenstore-read "$(gx)/state")"
  g_blkio guest_block_io || rc=1
  sleep 0.5      # the guest is idle now; its persistent grants stay mapped
  verify_ok "guest_block_io, guest idle" || rc=1
  ng=$(wc -l < /tmp/set.real)
  [ "$ng" -gt 0 ] || { rc=1; why "no FOREIGN entry with the guest idle: its persistent grants were expected"; }
  lookup_check guest_block_io || rc=1
fi
result $rc guest_block_io

# ---- guest_insmod_live: rmmod while the guest's grants are mapped, insmod (adopt=1):
# the set is exact at once, and through more guest I/O
step "guest_insmod_live: rmmod p2m_override, insmod with the guest's grants live, guest I/O"
rc=0
if [ $g_up != 0 ]; then rc=1; gfail
elif [ $loaded != 0 ]; then rc=1; why "p2m_override not loaded"
elif ! rmmod_p2mo; then rc=1
else
  nlive=$(nreal)
  why "with p2m_override unloaded: ${nlive:-?} FOREIGN entries in the real p2m (the guest's)"
  [ "${nlive:-0}" -gt 0 ] || { rc=1; why "no live grant mapping to adopt"; }
  t1=$(ms)
  if insmod_p2mo; then
    why "insmod took $(($(ms) - t1)) ms, adopt=$(cat /sys/module/p2m_override/parameters/adopt 2>&1)"
    verify_ok "guest_insmod_live, at once" || rc=1
    ad=$(stat_val adopted); ra=$(stat_val reconciled_added)
    [ "${ad:-0}" -ge "${nlive:-1}" ] || { rc=1; why "adopted=${ad:-<absent>} < $nlive live mappings"; }
    if [ -z "$ra" ] || [ "$ra" != "$ad" ]; then
      rc=1; why "reconciled_added=${ra:-<absent>} != adopted=${ad:-<absent>}: a repair after the adoption added entries"
    fi
    lookup_check "guest_insmod_live, at once" || rc=1
    g_blkio "guest_insmod_live, more I/O" || rc=1
    sleep 0.5
    verify_ok "guest_insmod_live, after more I/O" || rc=1
    lookup_check "guest_insmod_live, after more I/O" || rc=1
  else
    rc=1
  fi
fi
result $rc guest_insmod_live

# ---- guest_net: raw frames from the guest's netfront to dom0's netback (whose TX path
# grant-maps each frame's page); then the set is exact and nothing is stale
step "guest_net: $GFRAMES raw 1400-byte frames from the guest's eth0 to vif$gdom.0"
rc=0
VIF=/sys/class/net/vif$gdom.0
if [ $g_up != 0 ]; then rc=1; gfail
elif [ $loaded != 0 ]; then rc=1; why "p2m_override not loaded"
elif [ ! -d "$VIF" ]; then rc=1; why "$VIF missing: no vif backend for the guest"; ip link 2>&1 | sed 's/^/  /' >> $WHY
else
  rx0=$(cat "$VIF/statistics/rx_packets"); ms0=$(stat_val maps_seen); hm0=$(stat_val hook_missed); uu0=$(stat_val untracked_unmaps)
  t1=$(ms)
  gcmd 1800 net $GFRAMES 1400 || rc=1
  t2=$(ms)
  sleep 0.5
  rx1=$(cat "$VIF/statistics/rx_packets"); ms1=$(stat_val maps_seen); hm1=$(stat_val hook_missed); uu1=$(stat_val untracked_unmaps)
  drx=$((rx1 - rx0))
  why "guest: $(tr '\n' ' ' < /tmp/gres)($((t2 - t1)) ms); vif$gdom.0 rx_packets +$drx, state $(cat "$VIF/operstate")"
  why "during the traffic: maps_seen +$((ms1 - ms0)), hook_missed +$((hm1 - hm0)) (now $hm1), untracked_unmaps +$((uu1 - uu0)) (now $uu1)"
  [ "$drx" -ge $((GFRAMES * 9 / 10)) ] || { rc=1; why "netback delivered $drx of $GFRAMES frames to vif$gdom.0 (90% expected)"; }
  [ $((ms1 - ms0)) -gt 0 ] || { rc=1; why "the module saw no grant map during the traffic (netback's TX maps)"; }
  verify_ok "guest_net, after the traffic" || rc=1
  lookup_check "guest_net, after the traffic" || rc=1
fi
result $rc guest_net

# ---- guest_destroyed_drained: xl destroy of the guest under I/O: every override of its
# frames goes, nothing stale, no splat
step "guest_destroyed_drained: guest I/O in the background, xl destroy $GNAME"
rc=0
if [ $g_up != 0 ]; then rc=1; gfail
elif [ $loaded != 0 ]; then rc=1; why "p2m_override not loaded"
else
  verify_ok "guest_destroyed_drained, before" || rc=1
  cp /tmp/set.real /tmp/set.guest
  why "the guest's frames before the destroy: $(wc -l < /tmp/set.guest) FOREIGN entries"
  [ -s /tmp/set.guest ] || { rc=1; why "no FOREIGN entry of the guest before the destroy"; }
  ns0=$(nsplat)
  # What this check needs is I/O in flight, and blkback's counters show it: an answer
  # lost to a crashed process in the guest (it happens under TCG, see testing.rst) is
  # a note, no new request (reads or writes) within 10 s of the command the failure.
  # The destroy goes at the first one: under TCG the guest answers and starts late.
  greqs0=$(greqs); t0=$(ms)
  gcmd 300 load || { why "note: no answer to 'load': $(tr '\n' ' ' < /tmp/gres)"; gcon_tail; }
  if wait_for 100 greqs_moved; then
    why "guest I/O before the destroy: blkback requests +$(($(greqs) - greqs0)) in $(($(ms) - t0)) ms of 'load'"
  else
    rc=1; why "the guest's I/O was not running: blkback $(gbbstat), no new request in 10 s of 'load'"; gcon_tail
  fi
  t1=$(ms)
  out=$(timeout 60 xl destroy $GNAME 2>&1) || { rc=1; why "xl destroy failed: $out"; }
  wait_for 300 g_gone || { rc=1; why "domain $GNAME still there 30 s after xl destroy"; }
  wait_for 100 drained || { rc=1; why "after the destroy: live_overrides=$(stat_val live_overrides) foreign_tags_live=$(stat_val foreign_tags_live)"; }
  why "destroyed in $(($(ms) - t1)) ms; live_overrides=$(stat_val live_overrides) foreign_tags_live=$(stat_val foreign_tags_live)"
  verify_ok "guest_destroyed_drained, after" || rc=1
  cat $DBG/m2p 2>/dev/null | sort > /tmp/set.after
  awk 'FILENAME == ARGV[1] { g[$1] = 1; next } ($1 in g)' /tmp/set.guest /tmp/set.after > /tmp/set.left
  awk 'FILENAME == ARGV[1] { g[$1] = 1; next } ($1 in g)' /tmp/set.guest /tmp/set.real > /tmp/set.left.real
  [ ! -s /tmp/set.left ] || { rc=1; why "$(wc -l < /tmp/set.left) overrides of the guest's frames left:"; head -n 5 /tmp/set.left | sed 's/^/  /' >> $WHY; }
  [ ! -s /tmp/set.left.real ] || { rc=1; why "$(wc -l < /tmp/set.left.real) of the guest's frames still FOREIGN in the real p2m"; }
  [ "$(nsplat)" = "$ns0" ] || { rc=1; why "kernel splat during the destroy:"; new_splats "$ns0" >> $WHY; }
  g_up=1
fi
g_gone || xl destroy $GNAME >/dev/null 2>&1
losetup -d /dev/loop$GLOOP 2>/dev/null; rm -f $GIMG
result $rc guest_destroyed_drained

# ---- module_unload --------------------------------------------------------------
step "unloading p2m_override"
rc=1
if [ $loaded = 0 ]; then
  if out=$(rmmod p2m_override 2>&1); then rc=0; else why "rmmod failed: $out"; fi
  if dmesg | grep -q 'p2m_override:.*leak'; then
    rc=1; dmesg | grep 'p2m_override:.*leak' | head -n 10 >> $WHY
  fi
else
  why "module not loaded"
fi
result $rc module_unload

# ---- no_kernel_splat ------------------------------------------------------------
rc=0
if [ "$(nsplat)" != 0 ]; then rc=1; dmesg | kernel_splats | head -n 20 >> $WHY; fi
nuf=$(dmesg | user_faults | grep -c .)
if [ "$nuf" != 0 ]; then
  why "user-process faults on the console (not kernel splats): $nuf"
  dmesg | user_faults | head -n 5 >> $WHY
fi
result $rc no_kernel_splat

step "done"
kill $hwpid 2>/dev/null
echo "$NPASS passed, $NFAIL failed"
# replay the TAP block with the kernel console muted (no interleaved printk lines)
dmesg -n 1
{ echo "@@TAP-BEGIN"; cat $TAPLOG; echo "$NPASS passed, $NFAIL failed"; echo "@@TAP-END"; } > /tmp/tap.out
cat /tmp/tap.out
