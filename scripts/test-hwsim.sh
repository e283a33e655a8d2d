#!/usr/bin/env bash
# `npm run test:hwsim` (after the build): boots ONE hwsim VM
# (scripts/hwsim-vm.sh) and runs the whole hwsim group inside it
# (scripts/hwsim-group.sh). The VM's output, vitest's JSON report and the
# kernel log land in test-artifacts/hwsim/; the vitest summary is printed
# here. Exit status: the group's. Needs root on the host only for apt
# (scripts/install-deps.sh); extra arguments go to vitest (a file filter).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=test-artifacts/hwsim
rm -rf "$OUT"; mkdir -p "$OUT"
start=$(date +%s)
GROUP=$(mktemp /tmp/hwsim-group.XXXXXX.sh)
trap 'rm -f "$GROUP"' EXIT
# The daemons start from the bundled build (scripts/hwsim-bundle.mjs says why).
CLI=$(node scripts/hwsim-bundle.mjs)
{ echo '#!/usr/bin/env bash'; printf 'export WPSD_CLI=%q\n' "$CLI"; printf 'exec bash scripts/hwsim-group.sh'; printf ' %q' "$@"; echo; } > "$GROUP"
bash scripts/hwsim-vm.sh "$GROUP" "$OUT" 6
status=$?
cat "$OUT/job.out" 2>/dev/null
[ -f "$OUT/vitest.json" ] && node scripts/test-summary.mjs "$OUT/vitest.json"
echo "hwsim: $(( $(date +%s) - start )) s wall (boot included); artifacts in $OUT"
exit $status
