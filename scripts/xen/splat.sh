# shellcheck shell=dash
# Sourced by dom0-test.sh (the dom0 image has it as /splat.sh, build-initramfs.sh),
# read by run-qemu.py (SPLAT, USER_FAULT: keep each on one line, in single quotes)
# and sourced by splat-test.sh, which checks it on the host.
#
# kernel_splats: the lines of stdin (dmesg) that are kernel splats.
# user_faults:   those that report a user process's fault (show_signal() in
#                arch/x86/kernel/traps.c, the page fault's "segfault at"):
#                not a splat.  "traps: exe[2919] general protection fault ip:..."
#                is busybox dying in dom0, which happens under this TCG-emulated
#                Xen with the module never loaded (testing.rst, 2026-12-02); a
#                kernel-mode fault prints "general protection fault...: 0000 [#1]".
SPLAT='BUG:|WARNING:|Call Trace|general protection|Oops|lockdep|suspicious RCU'
USER_FAULT='traps: .*\[[0-9]+\] .*ip:[0-9a-f]+ sp:[0-9a-f]+ error:[0-9a-f]+|\[[0-9]+\]: segfault at [0-9a-f]+ ip [0-9a-f]+ sp [0-9a-f]+ error'
kernel_splats() { grep -E "$SPLAT" | grep -vE "$USER_FAULT"; }
user_faults() { grep -E "$USER_FAULT"; }
