/**
 * ER learn as the benchmarks drive it, over the ctrl sockets only (the same
 * commands and events for wpa_supplicant's ER and wpsd's): WPS_ER_START,
 * WPS-ER-AP-ADD, then WPS_ER_LEARN <uuid> <AP PIN> -> WPS-ER-AP-SETTINGS.
 */
import { performance } from 'node:perf_hooks';
import { CtrlSession } from '../harness/ctrl-session.js';
import type { NetnsHost } from '../harness/netns.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import { apUuid, startAp, startEr, type Daemon } from './daemons.js';
import type { BenchScope } from './scope.js';
import { sleep } from '../src/common/sleep.js';

/** Discovery of an AP over SSDP (hostapd answers an M-SEARCH after up to MX = 3 s). */
export const DISCOVERY_TIMEOUT_MS = 20_000;
/** Missing APs after this long: WPS_ER_START again (re-announce + M-SEARCH). */
const DISCOVERY_REFRESH_MS = 6_000;
/** One learn: 4 SOAP round trips and two DH computations, far below this. */
export const LEARN_TIMEOUT_MS = 10_000;
/** Extra time per AP when one ER learns a whole fleet at once. */
const FLEET_TIMEOUT_PER_AP_MS = 150;
/** Wait between WPS_ER_LEARN attempts the ER refuses with FAIL ("Pending operation ongoing"). */
const RETRY_INTERVAL_MS = 5;
/** How long the AP gets to report the end of a learn (the ER's NACK after M7: WPS-FAIL msg=11). */
const SETTLE_TIMEOUT_MS = 3_000;
/** After this many missing end-of-learn events from one AP, pause a fixed time instead of waiting for it. */
const SETTLE_MISSES_BEFORE_PAUSE = 2;
const SETTLE_PAUSE_MS = 300;

export class BenchLearnError extends Error {
  constructor(
    readonly code: 'LEARN_REFUSED' | 'LEARN_TIMEOUT' | 'DISCOVERY_TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'BenchLearnError';
  }
}


function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An attached ctrl session on a started daemon. */
export async function attachCtrl(d: Daemon): Promise<CtrlSession> {
  return CtrlSession.open(d.socketPath, { attach: true });
}

/** Sends WPS_ER_START; returns the event index to look for WPS-ER-AP-ADD from. */
export async function erStart(er: CtrlSession): Promise<number> {
  const from = er.mark();
  const reply = await er.request('WPS_ER_START');
  if (reply.trim() !== 'OK') throw new BenchLearnError('LEARN_REFUSED', `WPS_ER_START answered ${JSON.stringify(reply)}`);
  return from;
}

/** Waits until every UUID has been announced with WPS-ER-AP-ADD at or after event index `from`. */
export async function waitForAps(er: CtrlSession, uuids: readonly string[], from: number, timeoutMs = DISCOVERY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextRefresh = Date.now() + DISCOVERY_REFRESH_MS;
  const missing = new Set(uuids.map((u) => u.toLowerCase()));
  for (;;) {
    for (const ev of er.events.slice(from)) {
      const m = /^WPS-ER-AP-ADD (\S+)/.exec(ev.text);
      if (m?.[1]) missing.delete(m[1].toLowerCase());
    }
    if (missing.size === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new BenchLearnError('DISCOVERY_TIMEOUT', `ER did not discover ${missing.size} of ${uuids.length} APs within ${timeoutMs} ms`);
    if (Date.now() >= nextRefresh) {
      // Another WPS_ER_START re-announces known APs and sends a fresh M-SEARCH (a lost SSDP datagram is not fatal).
      nextRefresh = Date.now() + DISCOVERY_REFRESH_MS;
      await er.request('WPS_ER_START').catch(() => undefined);
    }
    er.mark();
    try {
      await er.waitFor(/^WPS-ER-AP-ADD /, Math.min(left, 500));
    } catch {
      // re-scan and re-check the deadline
    }
  }
}

/** WPS_ER_START, then waits until every UUID has been announced with WPS-ER-AP-ADD. */
export async function startErAndDiscover(er: CtrlSession, uuids: readonly string[], timeoutMs = DISCOVERY_TIMEOUT_MS): Promise<void> {
  await waitForAps(er, uuids, await erStart(er), timeoutMs);
}

/**
 * Sends WPS_ER_LEARN until the ER accepts it (it refuses while its previous
 * operation with that AP is finishing) and returns performance.now() of the
 * accepted attempt's send. With `mark`, `er.mark()` is set just before each
 * send, so waitSettings() sees only what follows.
 */
export async function sendLearn(er: CtrlSession, uuid: string, o: { pin?: string; timeoutMs?: number; mark?: boolean } = {}): Promise<number> {
  const deadline = Date.now() + (o.timeoutMs ?? LEARN_TIMEOUT_MS);
  for (;;) {
    if (o.mark ?? true) er.mark();
    const t0 = performance.now();
    const reply = await er.request(`WPS_ER_LEARN ${uuid} ${o.pin ?? REFERENCE_AP.apPin}`, Math.max(1, deadline - Date.now()));
    if (reply.trim() === 'OK') return t0;
    if (Date.now() + RETRY_INTERVAL_MS >= deadline) throw new BenchLearnError('LEARN_REFUSED', `WPS_ER_LEARN ${uuid} answered ${JSON.stringify(reply)} until the timeout`);
    await sleep(RETRY_INTERVAL_MS);
  }
}

/** Waits for WPS-ER-AP-SETTINGS of `uuid` (from the cursor) and returns performance.now() on its arrival. */
export async function waitSettings(er: CtrlSession, uuid: string, timeoutMs = LEARN_TIMEOUT_MS): Promise<number> {
  try {
    await er.waitFor(new RegExp(`^WPS-ER-AP-SETTINGS uuid=${escapeRe(uuid)} `, 'i'), timeoutMs);
  } catch (err) {
    throw new BenchLearnError('LEARN_TIMEOUT', `no WPS-ER-AP-SETTINGS for ${uuid}: ${(err as Error).message.slice(0, 500)}`);
  }
  return performance.now();
}

/** One side of an alternating comparison: an ER learning one AP. */
export interface LearnPair {
  label: string;
  er: CtrlSession;
  /** The AP's attached ctrl session: the end of a learn is its WPS-FAIL (the ER's NACK after M7). */
  ap: CtrlSession;
  uuid: string;
}

export interface LearnSamples {
  /** Milliseconds per timed run (one learn, or one fleet learned at once). */
  samples: number[];
  failures: number;
  lastError?: string;
  /** Learns whose end the AP did not report within the settle timeout. */
  settleMisses: number;
}

/**
 * Waits until the AP has seen the NACK that ends a learn (its WPS-FAIL from
 * the cursor on), so the next learn by this or another ER starts from an
 * idle AP; an AP that does not report it gets a fixed pause after 2 misses.
 */
async function settleAp(ap: CtrlSession, res: LearnSamples): Promise<void> {
  if (res.settleMisses >= SETTLE_MISSES_BEFORE_PAUSE) {
    await sleep(SETTLE_PAUSE_MS);
    return;
  }
  try {
    await ap.waitFor(/^WPS-FAIL /, SETTLE_TIMEOUT_MS);
  } catch {
    res.settleMisses++;
  }
}

/** One timed learn (send -> WPS-ER-AP-SETTINGS), then waits for the AP to finish it. */
export async function learnOnce(pair: LearnPair, res: LearnSamples): Promise<number> {
  pair.ap.mark();
  const t0 = await sendLearn(pair.er, pair.uuid);
  const t1 = await waitSettings(pair.er, pair.uuid);
  await settleAp(pair.ap, res);
  return t1 - t0;
}

/** Time allowed for one ER to learn a fleet of `k` APs at once (a wedged round must not eat the budget). */
export function fleetTimeoutMs(k: number): number {
  return LEARN_TIMEOUT_MS + FLEET_TIMEOUT_PER_AP_MS * k;
}

/** An AP of a fleet: its UUID and attached ctrl session. */
export interface FleetAp {
  uuid: string;
  ctrl: CtrlSession;
}

/**
 * One ER learns every AP of the fleet at once: all WPS_ER_LEARN commands go
 * out back to back, and the run ends with the last WPS-ER-AP-SETTINGS.
 * Returns milliseconds from the first send to the last settings event.
 */
export async function learnFleet(er: CtrlSession, aps: readonly FleetAp[], res: LearnSamples, timeoutMs = fleetTimeoutMs(aps.length)): Promise<number> {
  for (const ap of aps) ap.ctrl.mark();
  const from = er.mark();
  const t0 = performance.now();
  for (const ap of aps) await sendLearn(er, ap.uuid, { mark: false });
  const missing = new Set(aps.map((a) => a.uuid.toLowerCase()));
  const deadline = Date.now() + timeoutMs;
  let t1 = performance.now();
  for (;;) {
    for (const ev of er.events.slice(from)) {
      const m = /^WPS-ER-AP-SETTINGS uuid=(\S+)/.exec(ev.text);
      if (m?.[1]) missing.delete(m[1].toLowerCase());
    }
    if (missing.size === 0) break;
    const left = deadline - Date.now();
    if (left <= 0) throw new BenchLearnError('LEARN_TIMEOUT', `no WPS-ER-AP-SETTINGS from ${missing.size} of ${aps.length} APs within ${timeoutMs} ms`);
    try {
      await er.waitFor(/^WPS-ER-AP-SETTINGS /, left);
      t1 = performance.now();
    } catch {
      // the deadline check above reports it
    }
  }
  await Promise.all(aps.map((ap) => settleAp(ap.ctrl, res)));
  return t1 - t0;
}

/** A side of a comparison: one timed run per call. */
export interface Contender {
  label: string;
  run: (res: LearnSamples) => Promise<number>;
}

/** Consecutive failures after which a side stops being measured (default). */
const MAX_CONSECUTIVE_FAILURES = 3;

/**
 * Runs each contender in turn (order reversed every round, so neither side
 * always goes first): `warmup` untimed rounds, then up to `runs` timed
 * rounds, stopping at `maxMs` (a round under way finishes). A side that
 * fails `maxConsecutiveFailures` (3) times in a row is dropped.
 */
export async function alternate(contenders: readonly Contender[], o: { runs: number; warmup: number; maxMs: number; maxConsecutiveFailures?: number }): Promise<Map<string, LearnSamples>> {
  const maxStreak = o.maxConsecutiveFailures ?? MAX_CONSECUTIVE_FAILURES;
  const out = new Map<string, LearnSamples>(contenders.map((c) => [c.label, { samples: [], failures: 0, settleMisses: 0 }]));
  const streak = new Map<string, number>(contenders.map((c) => [c.label, 0]));
  const deadline = performance.now() + o.maxMs;
  for (let round = 0; round < o.warmup + o.runs && performance.now() < deadline; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      const res = out.get(c.label) as LearnSamples;
      if ((streak.get(c.label) ?? 0) >= maxStreak) continue;
      try {
        const ms = await c.run(res);
        if (round >= o.warmup) res.samples.push(ms);
        streak.set(c.label, 0);
      } catch (err) {
        res.failures++;
        res.lastError = (err as Error).message;
        streak.set(c.label, (streak.get(c.label) ?? 0) + 1);
      }
    }
  }
  return out;
}

/** alternate() over single learns: each pair's ER learns its AP once per round. */
export function alternateLearns(pairs: readonly LearnPair[], o: { learns: number; warmup: number; maxMs: number }): Promise<Map<string, LearnSamples>> {
  return alternate(
    pairs.map((p) => ({ label: p.label, run: (res: LearnSamples) => learnOnce(p, res) })),
    { runs: o.learns, warmup: o.warmup, maxMs: o.maxMs },
  );
}

/** An ER learning the shared hostapd of an ER bench, with its daemon (whose CPU bench 1b reads). */
export interface ErUnderTest {
  daemon: Daemon;
  pair: LearnPair;
}

/** What benches 1 and 1b learn on: one Debian hostapd, wpa_supplicant's ER, and wpsd's when asked for. */
export interface ErLearnSetup {
  reference: ErUnderTest;
  /** wpsd's ER; undefined when not asked for. */
  wpsd?: ErUnderTest;
  /** Why wpsd's ER could not be started or could not discover the AP. */
  wpsdError?: string;
}

async function erLearning(scope: BenchScope, impl: 'wpa_supplicant' | 'wpsd', host: NetnsHost, ap: CtrlSession, uuid: string): Promise<ErUnderTest> {
  const daemon = scope.daemon(await startEr(impl, host));
  const er = scope.session(await attachCtrl(daemon));
  await startErAndDiscover(er, [uuid]);
  return { daemon, pair: { label: impl === 'wpsd' ? 'wpsd' : 'reference', er, ap, uuid } };
}

/**
 * Benches 1 and 1b: a Debian hostapd (driver=wired, upnp_iface) and each
 * ER in a namespace of its own on one bridge, every ER having discovered
 * the AP. A wpsd ER that fails to start or discover is reported in
 * `wpsdError`; the reference's failure throws.
 */
export async function setupErLearn(scope: BenchScope, o: { wpsd: boolean }): Promise<ErLearnSetup> {
  const uuid = apUuid(0);
  const topo = await scope.topology({ hosts: ['ap', 'erref', 'erwpsd'], link: 'bridge' });
  const ap = scope.daemon(await startAp('hostapd', topo.host('ap'), { uuid }));
  const apCtrl = scope.session(await attachCtrl(ap));
  const out: ErLearnSetup = { reference: await erLearning(scope, 'wpa_supplicant', topo.host('erref'), apCtrl, uuid) };
  if (o.wpsd) {
    try {
      out.wpsd = await erLearning(scope, 'wpsd', topo.host('erwpsd'), apCtrl, uuid);
    } catch (err) {
      out.wpsdError = `wpsd sta: ${(err as Error).message}`;
    }
  }
  return out;
}
