#!/usr/bin/env bash
# Re-records fixtures/reference/ from Debian hostapd 2.10 + wpa_supplicant 2.10
# (External Registrar) in throw-away network namespaces, captured with tshark.
# Needs root, hostapd, wpa_supplicant, hostapd_cli, tshark, curl, iproute2.
# Usage: scripts/record-reference.sh [OUT_DIR]   (default fixtures/reference)
set -euo pipefail
cd "$(dirname "$0")/.."
for t in hostapd wpa_supplicant hostapd_cli tshark curl ip ss; do
  command -v "$t" >/dev/null || { echo "record-reference: $t is missing (apt-get install -y hostapd wpasupplicant tshark curl iproute2)" >&2; exit 1; }
done
out_js=dist/record-reference
rm -rf "$out_js"
# Compile just the recorder (it imports nothing from src/).
npx tsc --outDir "$out_js" --rootDir harness --module nodenext --moduleResolution nodenext \
  --target es2022 --types node --strict --skipLibCheck --sourceMap false harness/record-reference.ts
node "$out_js/record-reference.js" "${1:-fixtures/reference}"
