/**
 * `npm run bench`: runs every benchmark and writes bench/RESULTS.md.
 * Timings are reported here only, never asserted in tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { hwsimSection, renderMarkdown, withHwsimSection, type BenchRow } from './results.js';
import { benchCryptoFloor } from './crypto-floor.js';
import { benchRegistration } from './registration.js';
import { disposeAllOnSignals } from '../harness/netns.js';
import { repoRoot } from './daemons.js';
import { benchErLearn } from './er-learn.js';
import { benchErLearnCpu } from './learn-cpu.js';
import { benchApService } from './ap-service.js';
import { benchFleet } from './fleet.js';
import { benchMemory } from './memory.js';
import { benchBulkEnroll } from './bulk-enroll.js';
import { benchErBulkCpu } from './er-bulk-cpu.js';
import { benchHostile } from './hostile.js';

interface Bench {
  name: string;
  run: () => Promise<BenchRow[]>;
}

const benches: Bench[] = [
  { name: 'crypto floor', run: benchCryptoFloor },
  { name: 'in-memory registration', run: benchRegistration },
  // The interop benches start hostapd / wpa_supplicant / wpsd in network namespaces (root).
  { name: 'ER learn latency', run: () => benchErLearn() },
  { name: 'ER CPU per learn', run: () => benchErLearnCpu() },
  { name: 'AP service latency', run: () => benchApService() },
  { name: 'fleet provisioning', run: () => benchFleet() },
  // 4, and 6 under load 4: the sim medium, wpsd ap and the ERs as separate processes.
  { name: 'bulk enrollment', run: () => benchBulkEnroll() },
  // 4b. The ER's CPU per proxied enrollment, wpsd sta beside wpa_supplicant through one wpsd ap.
  { name: 'ER-driven bulk CPU', run: () => benchErBulkCpu() },
  { name: 'resident memory', run: () => benchMemory() },
  // 7. Floods from a host of their own, wpsd beside hostapd / wpa_supplicant under the same attack.
  { name: 'hostile LAN', run: () => benchHostile() },
];

/** As root, install the Debian packages the benches drive (the installer .ci/run uses; it skips what is there). */
function installDeps(): void {
  if (process.getuid?.() !== 0) return;
  const r = spawnSync('bash', [join(repoRoot(), 'scripts', 'install-deps.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/install-deps.sh failed (${String(r.status ?? r.signal)})`);
}

/** Timings mean little on a busy machine: the table says how busy it was. */
function loadNote(atStart: number): string {
  return `Load average (1 min): ${atStart.toFixed(2)} when the run started, ${(loadavg()[0] ?? 0).toFixed(2)} when it ended, on ${cpus().length} CPUs.`;
}

async function main(): Promise<void> {
  // Namespaces and daemons of an interrupted run are torn down, not leaked.
  disposeAllOnSignals();
  installDeps();
  const rows: BenchRow[] = [];
  const start = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  for (const b of benches) {
    process.stdout.write(`bench: ${b.name} ... `);
    const t0 = Date.now();
    try {
      rows.push(...(await b.run()));
      process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      // A broken bench still leaves a row saying so (never a number), and the run exits non-zero.
      const msg = err instanceof Error ? err.message : String(err);
      rows.push({ what: b.name, wpsdNote: 'failed', referenceNote: 'failed', runs: 0, note: msg.slice(0, 300) });
      process.exitCode = 1;
      process.stdout.write(`FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${msg}\n`);
    }
  }
  process.stdout.write(`bench: all done in ${((Date.now() - start) / 1000).toFixed(1)} s\n`);
  const md = renderMarkdown(rows, new Date(), [loadNote(loadAtStart)]);
  // dist/bench/run.js -> <repo>/bench/RESULTS.md
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, here.includes(`${'dist'}`) ? '../../bench/RESULTS.md' : 'RESULTS.md');
  // The hwsim VM's section (npm run bench:hwsim) stays.
  const kept = existsSync(out) ? hwsimSection(readFileSync(out, 'utf8')) : '';
  writeFileSync(out, kept === '' ? md : withHwsimSection(md, kept));
  process.stdout.write(md);
}

await main();
