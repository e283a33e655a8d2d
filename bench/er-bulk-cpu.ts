/**
 * Bench 4b, ER-driven bulk: the External Registrar's CPU per proxied
 * enrollment, `wpsd sta -D none` against Debian `wpa_supplicant -Dnone`,
 * both serving the same stream of PIN Enrollees through the same `wpsd ap`
 * (driver=sim, UPnP on its veth), with bench 6's pacing (8 PINs at a time,
 * batches at least 0.6 s apart; the Enrollees run in this process on the
 * AP's sim medium).
 *
 * Both ERs run from the start, each in a namespace of its own, but only one
 * is an ER at a time: a block is WPS_ER_START, discovery and learn of the
 * AP, then ENROLLEES_PER_BLOCK Enrollees, then WPS_ER_STOP (two ERs
 * subscribed at once would both answer every Enrollee's M1). Blocks
 * alternate between the ERs, first one then the other first. A block's
 * figure is utime + stime of the ER's process (all its threads, from
 * /proc/PID/stat) over the Enrollees alone (after the learn) divided by
 * the Enrollees it enrolled; the row is the median of the blocks and its
 * p95. The AP's CPU per enrollment over the same span is in the note.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogLevel, Logger } from '../src/common/log.js';
import { sleep } from '../src/common/sleep.js';
import { Medium } from '../src/radio/sim/medium.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { bulkLoad, LOAD_BATCH_INTERVAL_MS, LOAD_PIN_BATCH, SIM_BSSID, SIM_CHANNEL, type LoadResult } from './bulk-enroll.js';
import { shortError } from './compare.js';
import { apUuid, NOT_AVAILABLE, referenceName, startAp, startEr, wpsdRoleAvailable, type Daemon } from './daemons.js';
import { attachCtrl, erStart, sendLearn, waitForAps, waitSettings } from './learn.js';
import { cpuMs } from './learn-cpu.js';
import { stats, type BenchRow } from './results.js';
import { withScope } from './scope.js';

/**
 * Enrollees per block (two of bench 6's batches). The clock tick is 10 ms,
 * so one block of the reference (~1.5 ms each) spans only 2-3 ticks: the
 * note gives the mean of the blocks too. Larger blocks were tried:
 * wpa_supplicant 2.10 then found the AP again after WPS_ER_STOP /
 * WPS_ER_START only some of the time (40 per block: never within 20 s).
 */
export const ENROLLEES_PER_BLOCK = 16;
/** Blocks per ER (after one warm-up block each, not counted). */
export const BLOCKS_PER_ER = 8;
const WARMUP_ENROLLEES = 8;
/** One block's load stops after this long. */
const BLOCK_MAX_MS = 30_000;
/** The whole bench stops starting blocks after this long. */
const MAX_MS = 150_000;
/** After the learn, before the block's CPU is read: the learn's last messages and the AP's end-of-learn settle. */
const SETTLE_MS = 500;
/** After WPS_ER_STOP: its UNSUBSCRIBE reaches the AP before the next ER subscribes. */
const STOP_SETTLE_MS = 1_000;
/** Discovery that takes longer than this is tried again from a fresh WPS_ER_STOP / WPS_ER_START... */
const FIRST_DISCOVERY_MS = 10_000;
/** ... this long after the stop. */
const RESTART_PAUSE_MS = 3_000;

export const ER_BULK_WHAT = 'ER-driven bulk: ER CPU per proxied enrollment (wpsd sta -D none vs wpa_supplicant -Dnone, serving the same PIN Enrollees through one wpsd ap driver=sim)';

export interface ErBulkCpuOptions {
  enrolleesPerBlock?: number;
  blocks?: number;
  warmup?: number;
  /** Measure the wpsd ER (false: the reference alone, e.g. for a smoke test). */
  wpsd?: boolean;
}

type ErName = 'wpsd' | 'wpa_supplicant';

interface Side {
  name: ErName;
  er: Daemon;
  ctrl: CtrlSession;
  /** ER CPU ms per enrollment, one per block. */
  perEnrollment: number[];
  /** The AP's CPU ms per enrollment over the same blocks. */
  apPerEnrollment: number[];
  enrolled: number;
  failed: number;
  firstFailure?: string;
  error?: string;
  /** Blocks whose discovery needed a second WPS_ER_STOP / WPS_ER_START. */
  rediscoveries: number;
}

/**
 * WPS_ER_START until the AP is announced. wpa_supplicant 2.10, started again
 * soon after WPS_ER_STOP, now and then never announces the AP (its previous
 * ER instance may still be finishing its UNSUBSCRIBEs); one more stop and
 * start, later, finds it.
 */
async function discover(side: Side, uuid: string): Promise<void> {
  try {
    await waitForAps(side.ctrl, [uuid], await erStart(side.ctrl), FIRST_DISCOVERY_MS);
  } catch {
    side.rediscoveries++;
    await side.ctrl.request('WPS_ER_STOP').catch(() => undefined);
    await sleep(RESTART_PAUSE_MS);
    await waitForAps(side.ctrl, [uuid], await erStart(side.ctrl));
  }
}

/** One block: the ER starts, learns the AP, serves `count` Enrollees (CPU counted only here), stops. */
async function block(side: Side, ap: Daemon, uuid: string, mediumPath: string, count: number, firstNumber: number, counted: boolean): Promise<void> {
  let load: LoadResult;
  let er0: number;
  let ap0: number;
  let er1: number;
  let ap1: number;
  try {
    await discover(side, uuid);
    await sendLearn(side.ctrl, uuid);
    await waitSettings(side.ctrl, uuid);
    await sleep(SETTLE_MS);
    er0 = cpuMs(side.er.pid);
    ap0 = cpuMs(ap.pid);
    load = await bulkLoad(side.ctrl, mediumPath, count, BLOCK_MAX_MS, firstNumber);
    er1 = cpuMs(side.er.pid);
    ap1 = cpuMs(ap.pid);
  } finally {
    // Whatever happened, this ER is no ER any more before the other one starts.
    await side.ctrl.request('WPS_ER_STOP').catch(() => undefined);
    await sleep(STOP_SETTLE_MS);
  }
  if (!counted) return;
  side.enrolled += load.enrolled;
  side.failed += load.failed;
  if (load.firstFailure !== undefined) side.firstFailure ??= load.firstFailure;
  if (load.enrolled > 0) {
    side.perEnrollment.push((er1 - er0) / load.enrolled);
    side.apPerEnrollment.push((ap1 - ap0) / load.enrolled);
  }
}

function fmtMs(n: number | undefined): string {
  return n === undefined ? '-' : n.toFixed(2);
}

function sideNote(s: Side | undefined, label: string): string {
  if (s === undefined) return `${label}: not run`;
  const ap = s.apPerEnrollment.length > 0 ? stats(s.apPerEnrollment).median : undefined;
  const parts = [`${label}: ${s.enrolled} enrolled`];
  if (s.failed > 0) parts.push(`${s.failed} failed (first: ${shortError(s.firstFailure ?? '?')})`);
  if (s.error !== undefined) parts.push(`stopped: ${shortError(s.error)}`);
  if (s.rediscoveries > 0) parts.push(`${s.rediscoveries} block(s) found the AP only after a second WPS_ER_STOP / WPS_ER_START`);
  const mean = (xs: readonly number[]): number | undefined => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);
  parts.push(`mean of the blocks ${fmtMs(mean(s.perEnrollment))} ms`);
  parts.push(`the AP's CPU ${fmtMs(ap)} ms per enrollment (median of the blocks; mean ${fmtMs(mean(s.apPerEnrollment))})`);
  return parts.join(', ');
}

/** Bench 4b: see the file's comment. */
export async function benchErBulkCpu(o: ErBulkCpuOptions = {}): Promise<BenchRow[]> {
  const perBlock = o.enrolleesPerBlock ?? ENROLLEES_PER_BLOCK;
  const blocks = o.blocks ?? BLOCKS_PER_ER;
  const warmup = o.warmup ?? WARMUP_ENROLLEES;
  const wpaName = referenceName('wpa_supplicant');
  const withSta = (o.wpsd ?? true) && wpsdRoleAvailable('sta');
  const withAp = wpsdRoleAvailable('ap');
  const sides: Partial<Record<ErName, Side>> = {};
  let error: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), `wpsd-bench-${process.pid}-erbulk-`));
  const mediumPath = join(dir, 'medium.sock');
  const medium = new Medium({ logger: new Logger({ level: LogLevel.ERROR }) });
  try {
    if (!withAp) throw new Error(NOT_AVAILABLE);
    await medium.listen(mediumPath);
    await withScope(async (scope) => {
      const names: ErName[] = withSta ? ['wpsd', 'wpa_supplicant'] : ['wpa_supplicant'];
      const topo = await scope.topology({ hosts: ['ap', ...names.map((n) => (n === 'wpsd' ? 'erwpsd' : 'erref'))], link: 'bridge' });
      const uuid = apUuid(1);
      const ap = scope.daemon(await startAp('wpsd', topo.host('ap'), { uuid, simMedium: { socket: mediumPath, bssid: SIM_BSSID, channel: SIM_CHANNEL } }));
      for (const name of names) {
        const er = scope.daemon(await startEr(name, topo.host(name === 'wpsd' ? 'erwpsd' : 'erref')));
        const ctrl = scope.session(await attachCtrl(er));
        sides[name] = { name, er, ctrl, perEnrollment: [], apPerEnrollment: [], enrolled: 0, failed: 0, rediscoveries: 0 };
      }
      const order = names.map((n) => sides[n] as Side);
      let next = 1;
      const deadline = Date.now() + MAX_MS;
      const run = async (s: Side, count: number, counted: boolean): Promise<void> => {
        if (s.error !== undefined) return;
        try {
          await block(s, ap, uuid, mediumPath, count, next, counted);
        } catch (e) {
          s.error = (e as Error).message;
        }
        next += count;
      };
      for (const s of order) if (warmup > 0) await run(s, warmup, false);
      for (let b = 0; b < blocks && Date.now() < deadline; b++) {
        for (const s of b % 2 === 0 ? order : [...order].reverse()) await run(s, perBlock, true);
      }
    });
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await medium.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  const w = sides.wpsd;
  const r = sides.wpa_supplicant;
  const ws = w !== undefined && w.perEnrollment.length > 0 ? stats(w.perEnrollment) : undefined;
  const rs = r !== undefined && r.perEnrollment.length > 0 ? stats(r.perEnrollment) : undefined;
  const failNote = (s: Side | undefined): string => (error !== undefined ? `failed: ${shortError(error)}` : s?.error !== undefined ? `failed: ${shortError(s.error)}` : 'no sample');
  const note = [
    `blocks of ${perBlock} Enrollees per ER, alternating, after a warm-up block of ${warmup}; utime + stime of the ER's process over the Enrollees (learn excluded) / enrolled`,
    `paced as bench 6: ${LOAD_PIN_BATCH} PINs at a time, batches at least ${LOAD_BATCH_INTERVAL_MS / 1000} s apart`,
    sideNote(w, 'wpsd sta'),
    sideNote(r, 'wpa_supplicant'),
  ].join('; ');
  const row = (q: 'median' | 'p95'): BenchRow => ({
    what: `${ER_BULK_WHAT}, ${q} of the blocks, ms of CPU per enrollment`,
    ...(ws !== undefined ? { wpsd: ws[q] } : { wpsdNote: withSta ? failNote(w) : NOT_AVAILABLE }),
    ...(rs !== undefined ? { reference: rs[q] } : { referenceNote: failNote(r) }),
    referenceName: `${wpaName} ER`,
    runs: ws?.n ?? 0,
    referenceRuns: rs?.n ?? 0,
    note,
  });
  return [row('median'), row('p95')];
}
