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
step() { echo "==> [$(cut -d' ' -f1 /proc/uptime)s] $*"; }
result() { # $1 = 0 (pass) or non-zero, $2 = check name; prints the collected reasons
  N=$((N + 1))
  if [ "$1" = 0 ]; then NPASS=$((NPASS + 1)); emit "ok $N - $2"
  else NFAIL=$((NFAIL + 1)); emit "not ok $N - $2"; fi
  diag < $WHY; : > $WHY
}
stat_val() { awk -v k="$1" '$1 == k { print $2 }' $DBG/stats 2>/dev/null; }
wait_for() { # $1 = tenths of a second, rest = condition command
  _i=0; _n=$1; shift
  until "$@"; do [ $_i -ge "$_n" ] && return 1; sleep 0.1; _i=$((_i + 1)); done
}
is_blk() { [ -b "$1" ]; }
not_blk() { [ ! -b "$1" ]; }
selftest_done() { dmesg | grep -qE 'p2m_override: selftest (passed|FAILED)'; }
xs_up() { xenstore-ls / >/dev/null 2>&1; }
fe_closed() { [ "$(xenstore-read "$F/state" 2>/dev/null)" = 6 ]; }
drained() { [ "$(stat_val live_overrides)" = 0 ] && [ "$(stat_val foreign_tags_live)" = 0 ]; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

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

# ---- 2. module_load: p2m_override first, so it sees every grant map ------------
step "loading p2m_override.ko selftest=1"
loaded=1
if [ -f /p2m_override.ko ]; then
  if out=$(insmod /p2m_override.ko selftest=1 2>&1); then loaded=0; else
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

# ---- loopback block devices -----------------------------------------------------
io_ok=0        # 0 while all I/O checks pass
track_ok=0     # 0 while every snapshot had live_overrides == foreign_pfns > 0
nsnap=0
TRACKWHY=/tmp/trackwhy; : > $TRACKWHY

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

step "starting xenstored and xen-init-dom0"
[ $blkmods_ok = 0 ] || { io_ok=1; why "a block module failed to load"; }
mkdir -p /var/run/xenstored /var/lib/xenstored /var/log/xen /var/run/xen /var/lib/xen /var/lock
xenstored --pid-file /run/xenstored.pid || why "xenstored failed"
wait_for 100 xs_up || why "xenstore not answering"
xen-init-dom0 >/tmp/xen-init-dom0.log 2>&1 || { why "xen-init-dom0 failed:"; cat /tmp/xen-init-dom0.log >> $WHY; }

# #1: hand-written xenstore entries, both halves in one xenstore-write (= one transaction)
F=/local/domain/0/device/vbd/51728
B=/local/domain/0/backend/vbd/0/51728
step "attaching xvdb by hand (xenstore, vbd 51728, /dev/loop0)"
truncate -s 64M /tmp/disk0.img
losetup /dev/loop0 /tmp/disk0.img
xenstore-write \
  $B/frontend $F $B/frontend-id 0 $B/online 1 $B/state 1 $B/mode w $B/params /dev/loop0 \
  $B/type phy $B/physical-device 7:0 $B/dev xvdb $B/removable 0 $B/device-type disk \
  $F/backend $B $F/backend-id 0 $F/state 1 $F/virtual-device 51728 $F/device-type disk
if wait_for 300 is_blk /dev/xvdb; then
  blk_io /dev/xvdb /tmp/disk0.img
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

# ---- overrides_tracked ----------------------------------------------------------
cat $TRACKWHY >> $WHY
[ $nsnap -gt 0 ] || { track_ok=1; why "no snapshot taken while a device was attached"; }
[ $loaded = 0 ] || { track_ok=1; why "module not loaded"; }
result $track_ok overrides_tracked

# ---- detach both devices ------------------------------------------------------------
step "detaching xvdb (xenstore) and xvdc (xl block-detach)"
drain_ok=0
if xenstore-exists $B 2>/dev/null; then
  xenstore-write $B/online 0 $B/state 5   # Closing; frontend answers with Closed (6)
  wait_for 100 fe_closed || why "xvdb frontend did not reach state 6"
  xenstore-rm $F; xenstore-rm $B          # unregisters the xenbus devices
fi
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
SPLAT='BUG:|WARNING:|Call Trace|general protection|Oops|lockdep|suspicious RCU'
rc=0
if dmesg | grep -qE "$SPLAT"; then rc=1; dmesg | grep -E "$SPLAT" | head -n 20 >> $WHY; fi
result $rc no_kernel_splat

step "done"
echo "$NPASS passed, $NFAIL failed"
# replay the TAP block with the kernel console muted (no interleaved printk lines)
dmesg -n 1
{ echo "@@TAP-BEGIN"; cat $TAPLOG; echo "$NPASS passed, $NFAIL failed"; echo "@@TAP-END"; } > /tmp/tap.out
cat /tmp/tap.out
