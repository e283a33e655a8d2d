#!/usr/bin/env bash
# Debian packages the interop tests, the lab test and the benchmarks use:
# hostapd / wpa_supplicant (reference peers), iproute2 (namespaces, veth),
# chromium (the web console test), and for the hwsim group (npm run test:hwsim)
# qemu-system-x86, linux-image-amd64 (mac80211_hwsim), busybox-static, iw and
# iputils-ping, and a C compiler for driver=wired's EAPOL port module. Installed
# only when missing; needs root.
set -euo pipefail
need=()
command -v hostapd >/dev/null || need+=(hostapd)
command -v hostapd_cli >/dev/null || need+=(hostapd)
command -v wpa_supplicant >/dev/null || need+=(wpasupplicant)
command -v wpa_cli >/dev/null || need+=(wpasupplicant)
command -v ip >/dev/null || need+=(iproute2)
command -v unshare >/dev/null || need+=(util-linux)
command -v chromium >/dev/null || need+=(chromium)
command -v dumpcap >/dev/null || need+=(tshark)
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
ls /boot/vmlinuz-* >/dev/null 2>&1 || need+=(linux-image-amd64)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v iw >/dev/null || need+=(iw)
command -v ping >/dev/null || need+=(iputils-ping)
command -v cpio >/dev/null || need+=(cpio)
# driver=wired's EAPOL port (native/eapol-socket.c) and the daemons' C heap trim
# (native/malloc-trim.c) are small Node-API modules.
command -v cc >/dev/null || need+=(gcc libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need[*]}; run as root or install them (apt-get install ${need[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $(printf '%s\n' "${need[@]}" | sort -u) >/dev/null
fi
# The native modules (driver=wired's EAPOL port, the C heap trim); `npm run build` rebuilds one when its source changes.
node "$(dirname "$0")/build-native.mjs" --force
# Debian starts no daemons from these packages in a container, but make sure a
# packaged hostapd/wpa_supplicant service is not holding interfaces.
echo "install-deps: hostapd $(hostapd -v 2>&1 | head -1 | awk '{print $2}'), wpa_supplicant $(wpa_supplicant -v | head -1 | awk '{print $2}')"
