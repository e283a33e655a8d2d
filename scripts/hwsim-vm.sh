#!/usr/bin/env bash
# hwsim-vm.sh JOB [OUTDIR] [RADIOS]: boots Debian's kernel under qemu (TCG),
# loads mac80211_hwsim with RADIOS radios (default 6) and runs the bash script
# JOB inside, as root, in the directory this was called from. The host's root
# is shared read-only with a tmpfs overlay, so every host path (the worktree,
# node_modules, /usr/sbin/hostapd) reads the same inside and writes stay in the
# VM's memory. OUTDIR (default: a fresh temp dir) is writable from inside at
# /vmshare; JOB's output goes to OUTDIR/job.out, the console to
# OUTDIR/console.log. Exit status: JOB's (2: cannot start, 3: no result).
#
# Needs qemu-system-x86, linux-image-amd64, busybox-static (scripts/install-deps.sh).
# KVM is not used: nested KVM hangs at boot on these machines, TCG works.
# VM_TIMEOUT (seconds, default 1500) bounds the whole run; VM_MEM (MiB, default 3072).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: hwsim-vm.sh JOB [OUTDIR] [RADIOS]" >&2; exit 2; }
JOB=$(readlink -f "$1")
OUT=${2:-$(mktemp -d /tmp/hwsim-vm.XXXXXX)}
RADIOS=${3:-6}
command -v qemu-system-x86_64 >/dev/null || { echo "hwsim-vm: qemu-system-x86_64 missing (bash scripts/install-deps.sh)" >&2; exit 2; }
[ -x /bin/busybox ] || { echo "hwsim-vm: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 2; }
K=$(ls /lib/modules | sort -V | tail -1)
[ -f "/boot/vmlinuz-$K" ] || { echo "hwsim-vm: no /boot/vmlinuz-$K (apt-get install linux-image-amd64)" >&2; exit 2; }
find "/lib/modules/$K" -name 'mac80211_hwsim.ko*' | grep -q . || { echo "hwsim-vm: kernel $K has no mac80211_hwsim module" >&2; exit 2; }
# One cached image per builder text: checkouts with another builder (other branches on this machine) keep theirs.
INITRD=${TMPDIR:-/tmp}/wpsd-hwsim-initrd-$K-$(sha1sum "$HERE/hwsim-initrd.sh" | cut -c1-12).gz
if [ ! -s "$INITRD" ]; then bash "$HERE/hwsim-initrd.sh" "$K" "$INITRD"; fi
mkdir -p "$OUT"
OUT=$(readlink -f "$OUT")
rm -f "$OUT/job.out" "$OUT/rc" "$OUT/console.log"
cp "$JOB" "$OUT/job.sh"
cat > "$OUT/inside.sh" <<IN
#!/bin/bash
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm; mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run; mkdir -p /run/netns
# A fresh /tmp, unless the work tree itself is under /tmp (a clone there must stay visible).
case "$PWD" in /tmp|/tmp/*) ;; *) mount -t tmpfs tmpfs /tmp ;; esac
ip link set lo up
hostname hwsim
modprobe mac80211_hwsim radios=$RADIOS || echo "hwsim-vm: mac80211_hwsim did not load"
export HWSIM_VM=1 HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd "$PWD"
bash /vmshare/job.sh > /vmshare/job.out 2>&1
echo \$? > /vmshare/rc
sync
poweroff -f
IN
chmod +x "$OUT/inside.sh"
timeout "${VM_TIMEOUT:-1500}" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "${VM_MEM:-3072}" -smp 2 -nographic -no-reboot \
  -kernel "/boot/vmlinuz-$K" -initrd "$INITRD" -append "console=ttyS0 quiet panic=-1" \
  -fsdev local,id=r,path=/,readonly=on,security_model=none,multidevs=remap -device virtio-9p-pci,fsdev=r,mount_tag=hostroot \
  -fsdev local,id=s,path="$OUT",security_model=none -device virtio-9p-pci,fsdev=s,mount_tag=vmshare > "$OUT/console.log" 2>&1 || true
[ -f "$OUT/rc" ] || { echo "hwsim-vm: the VM ended without a result (timeout ${VM_TIMEOUT:-1500} s?); console:" >&2; tail -15 "$OUT/console.log" >&2; exit 3; }
exit "$(cat "$OUT/rc")"
