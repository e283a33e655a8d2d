#!/usr/bin/env bash
# The job scripts/test-hwsim.sh runs inside the hwsim VM: the whole hwsim
# group (test/hwsim, vitest.hwsim.config.ts), its JSON report and the
# kernel log written to /vmshare. Exit status: vitest's.
set -uo pipefail
[ "${HWSIM_VM:-}" = 1 ] || { echo "hwsim-group: runs inside scripts/hwsim-vm.sh only" >&2; exit 2; }
echo "hwsim-group: $(uname -r), $(ls /sys/class/ieee80211 | wc -l) radios, node $(node -v)"
# The first Node start reads its files over 9p (then the page cache has them, the root being cache=loose):
# once here, outside any test's wait.
CLI=${WPSD_CLI:-dist/src/cli.js}
cat "$(command -v node)" "$(dirname "$CLI")"/*.js > /dev/null 2>&1
node "$CLI" --help >/dev/null 2>&1 || true
start=$(date +%s)
export HWSIM_LOG_DIR=/vmshare/logs
node node_modules/vitest/vitest.mjs run --config vitest.hwsim.config.ts --reporter=verbose --reporter=json --outputFile.json=/vmshare/vitest.json "$@"
status=$?
echo "hwsim-group: $(( $(date +%s) - start )) s in the VM"
dmesg > /vmshare/dmesg.txt 2>&1
ip netns list > /vmshare/netns-left.txt 2>&1
exit $status
