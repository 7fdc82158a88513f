#!/bin/sh
# /init of the Xen dom0 test initramfs (busybox): set up a minimal userspace,
# load the Xen infrastructure modules, run /dom0-test.sh, power off.
# The block modules (loop, xen-blkback, xen-blkfront) are NOT loaded here:
# the test loads them after p2m_override so its hooks see every grant map.
export PATH=/usr/lib/xen-4.17/bin:/usr/bin:/bin:/sbin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# devtmpfs lacks the udev symlinks; Xen's hotplug locking.sh loops forever without /dev/stdin
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/xen /run/xenstored /run/lock /var/lib/xen /var/lib/xenstored /var/log/xen
echo "==> init: userspace up at $(cut -d' ' -f1 /proc/uptime) s"

while read -r m; do
  insmod "/modules/$m" || echo "==> init: insmod $m failed"
done < /modules/infra.list

sh /dom0-test.sh
sync
# `rdshell` on the dom0 command line: interactive shell before powering off
if grep -q rdshell /proc/cmdline; then setsid sh -c 'exec sh </dev/hvc0 >/dev/hvc0 2>&1'; fi
poweroff -f
sleep 5
reboot -f
