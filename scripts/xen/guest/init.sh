#!/bin/sh
# shellcheck shell=dash
# /init of the test guest (a PV domU started by dom0-test.sh with xl create):
# busybox, xen-blkfront, xen-netfront, xenstore-read/write, pktsend.
# dom0 drives it through xenstore, relative to the guest's home
# /local/domain/DOMID: it writes data/p2mo/cmd = "SEQ VERB ARGS", the guest
# runs it and writes data/p2mo/res-SEQ = "ok|fail" and its details.
#   blkio          O_DIRECT writes + reads of random data at spread offsets and
#                  mixed sizes on /dev/xvda, each read back and compared; the
#                  result lists "OFFSET_KIB LENGTH_KIB MD5" per chunk, for dom0
#                  to compare with the backing file
#   net N SIZE     N raw Ethernet frames of SIZE bytes out of eth0 (pktsend)
#   load           O_DIRECT I/O on /dev/xvda in the background, until the end
# Everything is echoed on the console too (xenconsoled logs it in dom0).
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
X=data/p2mo
say() { echo "guest: $*"; }
while read -r m; do insmod "/modules/$m" || say "insmod $m failed"; done < /modules/guest.list
i=0; while [ ! -b /dev/xvda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
i=0; while [ ! -d /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
ip link set eth0 up 2>/dev/null
blk=no; [ -b /dev/xvda ] && blk=yes
net=no; [ -d /sys/class/net/eth0 ] && net=yes
say "up at $(cut -d' ' -f1 /proc/uptime) s: xvda $blk, eth0 $net"
xenstore-write $X/state "ready xvda=$blk eth0=$net" || say "xenstore-write failed"

# chunks "BS_KIB COUNT INDEX": COUNT blocks of BS_KIB KiB at block INDEX (offset
# BS_KIB * INDEX KiB), one O_DIRECT request per block; none overlap in 64 MiB
CHUNKS="4 1 3
8 1 1001
12 1 2000
64 1 170
128 1 250
256 1 180
512 4 100
1024 1 60"
RETRY_PREFIX="guest: "
# shellcheck source=retry.sh  # (paths relative to scripts/xen)
. /retry.sh        # retry_crash, md5_of
# The md5s are taken once all the I/O is done: the crashes of processes here come
# with block I/O (retry.sh), and a chunk's md5 is what dom0 checks the backing file by.
blkio() {
  _rc=ok; : > /tmp/out; : > /tmp/sums; _k=0
  echo "$CHUNKS" > /tmp/chunks
  while read -r bs n idx; do
    _k=$((_k + 1))
    retry_crash dd if=/dev/urandom of=/tmp/c.$_k bs="${bs}k" count="$n" 2>/dev/null
    retry_crash dd if=/tmp/c.$_k of=/dev/xvda bs="${bs}k" count="$n" seek="$idx" oflag=direct 2>/tmp/dd.err ||
      { _rc=fail; echo "write ${bs}k x $n at $idx failed: $(tail -n 1 /tmp/dd.err)" >> /tmp/out; }
    retry_crash dd if=/dev/xvda of=/tmp/r bs="${bs}k" count="$n" skip="$idx" iflag=direct 2>/tmp/dd.err ||
      { _rc=fail; echo "read ${bs}k x $n at $idx failed: $(tail -n 1 /tmp/dd.err)" >> /tmp/out; }
    retry_crash cmp -s /tmp/c.$_k /tmp/r || { _rc=fail; echo "readback ${bs}k x $n at $idx differs" >> /tmp/out; }
    echo "$_k $((bs * idx)) $((bs * n))" >> /tmp/sums
  done < /tmp/chunks
  rm -f /tmp/r
  sleep 0.5
  while read -r k off len; do
    echo "$off $len $(retry_crash md5_of "/tmp/c.$k" || echo md5-failed)" >> /tmp/out
    rm -f "/tmp/c.$k"
  done < /tmp/sums
  echo $_rc > /tmp/rc
}
load() { # 1 MiB of data rewritten at places spread over the second 32 MiB, read back
  i=0
  while :; do
    # made again while short: a crashed dd (retry.sh) would leave every write failing
    [ "$(wc -c < /tmp/lp 2>/dev/null)" = 1048576 ] || dd if=/dev/urandom of=/tmp/lp bs=64k count=16 2>/dev/null
    i=$((i + 1)); o=$((32 + i * 7 % 31))
    dd if=/tmp/lp of=/dev/xvda bs=64k count=16 seek=$((o * 16)) oflag=direct 2>/dev/null
    dd if=/dev/xvda of=/dev/null bs=64k count=16 skip=$((o * 16)) iflag=direct 2>/dev/null
  done
}

last=""
while :; do
  c=$(xenstore-read $X/cmd 2>/dev/null)
  if [ -n "$c" ] && [ "$c" != "$last" ]; then
    last=$c
    # shellcheck disable=SC2086  # split "SEQ VERB ARGS"
    set -- $c
    seq=$1; verb=$2; shift 2
    say "[$(cut -d' ' -f1 /proc/uptime)s] command $seq: $verb $*"
    case $verb in
      blkio) blkio; res="$(cat /tmp/rc)
$(cat /tmp/out)";;
      net) if out=$(pktsend eth0 "$1" "$2" 2>&1); then res="ok $out"; else res="fail $out"; fi;;
      load) load > /dev/null 2>&1 & res="ok load pid $!";;
      *) res="fail unknown command $verb";;
    esac
    echo "$res" | sed "s/^/guest: $seq: /"
    retry_crash xenstore-write "$X/res-$seq" "$res" || say "xenstore-write $X/res-$seq failed"
  fi
  sleep 0.2
done
