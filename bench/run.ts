/**
 * `npm run bench`: runs every benchmark and writes bench/RESULTS.md.
 * Timings are reported here only, never asserted in tests.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { renderMarkdown, type BenchRow } from './results.js';
import { benchCryptoFloor } from './crypto-floor.js';
import { benchRegistration } from './registration.js';

interface Bench {
  name: string;
  run: () => Promise<BenchRow[]>;
}

const benches: Bench[] = [
  { name: 'crypto floor', run: benchCryptoFloor },
  { name: 'in-memory registration', run: benchRegistration },
];

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const b of benches) {
    process.stdout.write(`bench: ${b.name} ... `);
    const t0 = Date.now();
    const got = await b.run();
    rows.push(...got);
    process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const md = renderMarkdown(rows, new Date());
  // dist/bench/run.js -> <repo>/bench/RESULTS.md
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, here.includes(`${'dist'}`) ? '../../bench/RESULTS.md' : 'RESULTS.md');
  writeFileSync(out, md);
  process.stdout.write(md);
}

await main();
