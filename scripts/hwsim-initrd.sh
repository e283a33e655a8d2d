#!/usr/bin/env bash
# hwsim-initrd.sh KERNEL_VERSION OUT: a tiny initramfs for scripts/hwsim-vm.sh.
# Debian's own initramfs has no 9p modules, so this one holds busybox plus the
# virtio / 9p / overlay modules (loaded in dependency order: virtio_ring before
# virtio, or symbols are missing). Its /init mounts the host's root read-only
# over virtio-9p with a tmpfs overlay on top (every host path reads the same
# inside; writes stay in the VM's memory), mounts the shared job directory
# writable at /vmshare, and switches root to run /vmshare/inside.sh.
# The root is mounted cache=loose: it is read-only and nothing on the host
# changes under a run, so the guest keeps what it read in its page cache
# instead of asking the host again over 9p at every open and read (a Node
# start reads hundreds of modules; under TCG each 9p round trip is slow).
set -euo pipefail
K=$1
OUT=$2
MODS="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p overlay"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
mkdir -p "$D"/bin "$D"/mods "$D"/proc "$D"/sys "$D"/dev "$D"/newroot "$D"/lower "$D"/upper
cp /bin/busybox "$D"/bin/
for m in $MODS; do
  f=$(find "/lib/modules/$K" -name "$m.ko*" | head -1)
  # netfs and fscache are built in on some kernels; the rest must be there.
  if [ -n "$f" ]; then cp "$f" "$D/mods/"; fi
done
for f in "$D"/mods/*.ko.xz; do [ -e "$f" ] && xz -d "$f"; done
for f in "$D"/mods/*.ko.zst; do [ -e "$f" ] && zstd -q -d --rm "$f"; done
cat > "$D/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $MODS; do
  [ -f /mods/\$m.ko ] && { insmod /mods/\$m.ko || echo "hwsim-initrd: insmod \$m failed"; }
done
fail() { echo "hwsim-initrd: \$1"; dmesg | tail -20; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower || fail "9p root mount failed"
mount -t tmpfs tmpfs /upper; mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot || fail "overlay mount failed"
mkdir -p /newroot/vmshare
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmshare /newroot/vmshare || fail "9p share mount failed"
exec switch_root /newroot /vmshare/inside.sh
INIT
chmod +x "$D/init"
(cd "$D" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$OUT.$$.tmp"
mv "$OUT.$$.tmp" "$OUT"
