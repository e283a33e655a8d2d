#!/usr/bin/env bash
# `npm run bench:hwsim` (after the build): boots ONE hwsim VM
# (scripts/hwsim-vm.sh) and runs bench/hwsim-radio.ts inside it, then puts
# its section into bench/RESULTS.md (the rest of the file stays). The VM's
# output lands in test-artifacts/bench-hwsim/. HWSIM_BENCH_ROUNDS sets the
# rounds (default 5).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=test-artifacts/bench-hwsim
rm -rf "$OUT"; mkdir -p "$OUT"
JOB=$(mktemp /tmp/bench-hwsim.XXXXXX.sh)
trap 'rm -f "$JOB"' EXIT
# wpsd's daemons start from the bundled build, as in the hwsim group (scripts/hwsim-bundle.mjs).
CLI=$(node scripts/hwsim-bundle.mjs hwsim-bench)
printf '#!/usr/bin/env bash\nexport WPSD_CLI=%q HWSIM_BENCH_ROUNDS=%q\nexec node dist/bench/hwsim-radio.js /vmshare/hwsim-radio.md\n' "$CLI" "${HWSIM_BENCH_ROUNDS:-5}" > "$JOB"
# The host's load says how much the VM's 2 vCPUs had to share.
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)
VM_TIMEOUT=${VM_TIMEOUT:-3000} bash scripts/hwsim-vm.sh "$JOB" "$OUT" 3
status=$?
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)
cat "$OUT/job.out" 2>/dev/null
if [ -s "$OUT/hwsim-radio.md" ]; then
  node --input-type=module -e '
    import { readFileSync, writeFileSync, existsSync } from "node:fs";
    import { withHwsimSection } from "./dist/bench/results.js";
    const path = "bench/RESULTS.md";
    const host = `Host load average (1 min): ${process.argv[2]} when the VM booted, ${process.argv[3]} when it ended, on ${process.argv[4]} CPUs.`;
    const section = readFileSync(process.argv[1], "utf8").replace("\n\n| what |", `\n\n${host}\n\n| what |`);
    writeFileSync(path, withHwsimSection(existsSync(path) ? readFileSync(path, "utf8") : "", section));
  ' "$OUT/hwsim-radio.md" "$LOAD_START" "$LOAD_END" "$(nproc)" && echo "bench-hwsim: section written to bench/RESULTS.md"
fi
exit $status
