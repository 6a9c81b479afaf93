#!/bin/busybox sh
# /init of the arm64 machine's initramfs (see run.sh): loads the virtio and
# ext4 modules that Debian's kernel does not build in, mounts the root
# filesystem (vda) and the project (vdb), and hands over to the project's
# guest-init.sh. Any failure powers the machine off at once: the host then
# finds no results and says so.
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "pid1-arm64: initrd: $*"; poweroff -f; }
mount -t devtmpfs devtmpfs /dev || fail "devtmpfs"
mount -t proc proc /proc
for module in $(cat /modules/order); do
  insmod "/modules/$module.ko" || fail "insmod $module"
done
# The disks are probed while virtio_blk registers, but their nodes may
# appear a moment later: wait for them, boundedly.
tries=0
while [ ! -b /dev/vdc ]; do
  tries=$((tries + 1))
  [ $tries -le 100 ] || fail "no /dev/vda, vdb, vdc"
  sleep 0.1
done
mount -t ext4 /dev/vda /newroot || fail "mount /dev/vda"
mount -t ext4 /dev/vdb /newroot/project || fail "mount /dev/vdb"
umount /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh /project/scripts/arm64/guest-init.sh
