#!/bin/sh
# make check's harness step: splat.sh's filters against console lines seen
# in dom0 boots (kernel splats, and user-process faults, which are not).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=splat.sh
. "$HERE/splat.sh"
pass=0 fail=0
# expect FILTER WANT LINE: FILTER picks LINE (WANT=1) or leaves it (WANT=0)
expect() {
  got=$(printf '%s\n' "$3" | $1 | grep -c .)
  if [ "$got" = "$2" ]; then pass=$((pass + 1)); echo "ok - $1 $2: $3"
  else fail=$((fail + 1)); echo "not ok - $1 wanted $2, got $got: $3"; fi
}
K1='[   55.100000] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI'
K2='[   55.100000] general protection fault: 0000 [#1] SMP NOPTI'
K3='[   12.500000] BUG: kernel NULL pointer dereference, address: 0000000000000000'
K4='[   12.600000] WARNING: CPU: 1 PID: 42 at src/m2p.c:375 p2mo_remove+0x1a/0x2b [p2m_override]'
K5='[   12.700000] Call Trace:'
K6='[   13.000000] WARNING: suspicious RCU usage'
U1='[  172.771150] traps: exe[2919] general protection fault ip:4a4d02 sp:7ffe5cc078f8 error:0 in busybox[401000+184000]'
U2='[   90.000000] md5sum[315]: segfault at 31004de0 ip 00000000004a4d02 sp 00007ffd2c3e1f08 error 4 in busybox[401000+184000]'
N1='[    9.000000] p2m_override: adopted 266 live grant mappings in 8104 us'
for l in "$K1" "$K2" "$K3" "$K4" "$K5" "$K6"; do expect kernel_splats 1 "$l"; done
for l in "$U1" "$U2" "$N1"; do expect kernel_splats 0 "$l"; done
for l in "$U1" "$U2"; do expect user_faults 1 "$l"; done
for l in "$K1" "$K2" "$K3" "$K4" "$K5" "$K6" "$N1"; do expect user_faults 0 "$l"; done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
