/**
 * CPU per learn, from /proc/PID/stat (utime + stime of the daemon's own
 * process, all its threads): what a loaded machine disturbs far less than
 * latency. wpsd's ER (`wpsd sta -D none`) and wpa_supplicant's ER learn
 * the same Debian hostapd. Learns alternate between the two sides in
 * blocks of LEARNS_PER_BLOCK; the figure is the median of the blocks' CPU
 * per learn, and its p95.
 */
import { readFileSync } from 'node:fs';
import { NOT_AVAILABLE, referenceName, wpsdRoleAvailable, type Daemon } from './daemons.js';
import { learnOnce, setupErLearn, type ErUnderTest, type LearnPair, type LearnSamples } from './learn.js';
import { stats, type BenchRow } from './results.js';
import { withScope } from './scope.js';
import { shortError } from './compare.js';

/** Learns timed together: a block's CPU over this many learns is one sample (the clock tick is 10 ms). */
const LEARNS_PER_BLOCK = 10;
const BLOCKS = 8;
const WARMUP_LEARNS = 5;
/** The whole bench stops after this long (both sides, every block). */
const MAX_MS = 120_000;
/** USER_HZ on Linux. */
const CLOCK_TICKS_PER_S = 100;

/** utime + stime of `pid`, ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from its closing parenthesis.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_S;
}

interface Side {
  pair: LearnPair;
  /** The daemon whose CPU is counted. */
  measured: Daemon;
  perLearn: number[];
  res: LearnSamples;
}

async function block(side: Side, n: number): Promise<void> {
  const c0 = cpuMs(side.measured.pid);
  for (let i = 0; i < n; i++) await learnOnce(side.pair, side.res);
  side.perLearn.push((cpuMs(side.measured.pid) - c0) / n);
}

async function alternateBlocks(sides: Side[]): Promise<void> {
  const deadline = Date.now() + MAX_MS;
  for (const s of sides) for (let i = 0; i < WARMUP_LEARNS; i++) await learnOnce(s.pair, s.res);
  for (let b = 0; b < BLOCKS && Date.now() < deadline; b++) {
    for (const s of b % 2 === 0 ? sides : [...sides].reverse()) await block(s, LEARNS_PER_BLOCK);
  }
}

function rows(what: string, wpsd: Side | undefined, ref: Side, refName: string, wpsdError?: string): BenchRow[] {
  const r = stats(ref.perLearn);
  const w = wpsd === undefined || wpsd.perLearn.length === 0 ? undefined : stats(wpsd.perLearn);
  const note = `blocks of ${LEARNS_PER_BLOCK} learns, alternating`;
  const row = (q: 'median' | 'p95'): BenchRow => ({
    what: `${what}, ${q} of the blocks, ms of CPU per learn`,
    ...(w !== undefined ? { wpsd: w[q] } : { wpsdNote: wpsdError === undefined ? NOT_AVAILABLE : `failed: ${shortError(wpsdError)}` }),
    reference: r[q],
    referenceName: refName,
    runs: w?.n ?? 0,
    referenceRuns: r.n,
    note,
  });
  return [row('median'), row('p95')];
}

const fresh = (): LearnSamples => ({ samples: [], failures: 0, settleMisses: 0 });

/** ER side: each ER's own CPU while it learns one Debian hostapd (the setup of bench 1). */
export async function benchErLearnCpu(): Promise<BenchRow[]> {
  return withScope(async (scope) => {
    const setup = await setupErLearn(scope, { wpsd: wpsdRoleAvailable('sta') });
    const side = (u: ErUnderTest): Side => ({ pair: u.pair, measured: u.daemon, perLearn: [], res: fresh() });
    const ref = side(setup.reference);
    const wpsd = setup.wpsd === undefined ? undefined : side(setup.wpsd);
    await alternateBlocks(wpsd === undefined ? [ref] : [wpsd, ref]);
    return rows('ER CPU per learn (wpsd sta -D none vs wpa_supplicant -Dnone, learning one Debian hostapd)', wpsd, ref, `${referenceName('wpa_supplicant')} ER`, setup.wpsdError);
  });
}

/** `node dist/bench/learn-cpu.js`: bench 1b alone, its rows as JSON lines. */
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchErLearnCpu()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
