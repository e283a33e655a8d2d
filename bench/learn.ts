/**
 * ER learn as the benchmarks drive it, over the ctrl sockets only (the same
 * commands and events for wpa_supplicant's ER and wpsd's): WPS_ER_START,
 * WPS-ER-AP-ADD, then WPS_ER_LEARN <uuid> <AP PIN> -> WPS-ER-AP-SETTINGS.
 */
import { performance } from 'node:perf_hooks';
import { CtrlSession } from '../test/harness/ctrl-session.js';
import { REFERENCE_AP } from '../test/harness/hostapd.js';
import type { Daemon } from './daemons.js';

/** Discovery of an AP over SSDP (hostapd answers an M-SEARCH after up to MX = 3 s). */
export const DISCOVERY_TIMEOUT_MS = 20_000;
/** One learn: 4 SOAP round trips and two DH computations, far below this. */
export const LEARN_TIMEOUT_MS = 10_000;
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An attached ctrl session on a started daemon. */
export async function attachCtrl(d: Daemon): Promise<CtrlSession> {
  return CtrlSession.open(d.socketPath, { attach: true });
}

/** WPS_ER_START, then waits until every UUID has been announced with WPS-ER-AP-ADD. */
export async function startErAndDiscover(er: CtrlSession, uuids: readonly string[], timeoutMs = DISCOVERY_TIMEOUT_MS): Promise<void> {
  const from = er.mark();
  const reply = await er.request('WPS_ER_START');
  if (reply.trim() !== 'OK') throw new BenchLearnError('LEARN_REFUSED', `WPS_ER_START answered ${JSON.stringify(reply)}`);
  const deadline = Date.now() + timeoutMs;
  const missing = new Set(uuids.map((u) => u.toLowerCase()));
  for (;;) {
    for (const ev of er.events.slice(from)) {
      const m = /^WPS-ER-AP-ADD (\S+)/.exec(ev.text);
      if (m?.[1]) missing.delete(m[1].toLowerCase());
    }
    if (missing.size === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new BenchLearnError('DISCOVERY_TIMEOUT', `ER did not discover ${missing.size} of ${uuids.length} APs within ${timeoutMs} ms`);
    try {
      await er.waitFor(/^WPS-ER-AP-ADD /, Math.min(left, 500));
    } catch {
      // re-scan and re-check the deadline
    }
  }
}

/**
 * Sends WPS_ER_LEARN until the ER accepts it (it refuses while its previous
 * operation with that AP is finishing) and returns performance.now() of the
 * accepted attempt's send. `er.mark()` is set just before that send.
 */
export async function sendLearn(er: CtrlSession, uuid: string, pin: string = REFERENCE_AP.apPin, timeoutMs = LEARN_TIMEOUT_MS): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    er.mark();
    const t0 = performance.now();
    const reply = await er.request(`WPS_ER_LEARN ${uuid} ${pin}`, Math.max(1, deadline - Date.now()));
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
  /** Milliseconds from sending the accepted WPS_ER_LEARN to WPS-ER-AP-SETTINGS. */
  samples: number[];
  failures: number;
  lastError?: string;
  /** Learns whose end the AP did not report within the settle timeout. */
  settleMisses: number;
}

/**
 * One timed learn, then waits until the AP has seen the NACK that ends it,
 * so the next learn (by this or another ER) starts from an idle AP.
 */
export async function learnOnce(pair: LearnPair, settle: { misses: number }): Promise<number> {
  pair.ap.mark();
  const t0 = await sendLearn(pair.er, pair.uuid);
  const t1 = await waitSettings(pair.er, pair.uuid);
  if (settle.misses >= SETTLE_MISSES_BEFORE_PAUSE) {
    await sleep(SETTLE_PAUSE_MS);
  } else {
    try {
      await pair.ap.waitFor(/^WPS-FAIL /, SETTLE_TIMEOUT_MS);
    } catch {
      settle.misses++;
    }
  }
  return t1 - t0;
}

/** Consecutive failures after which a side stops being measured. */
const MAX_CONSECUTIVE_FAILURES = 3;

/**
 * Learns with each pair in turn (ABAB.., order reversed every round so neither
 * side always goes first), `warmup` untimed rounds, then up to `learns` timed
 * rounds, stopping at `maxMs`. A side that fails 3 times in a row is dropped.
 */
export async function alternateLearns(pairs: readonly LearnPair[], o: { learns: number; warmup: number; maxMs: number }): Promise<Map<string, LearnSamples>> {
  const out = new Map<string, LearnSamples>(pairs.map((p) => [p.label, { samples: [], failures: 0, settleMisses: 0 }]));
  const settle = new Map<string, { misses: number }>(pairs.map((p) => [p.label, { misses: 0 }]));
  const streak = new Map<string, number>(pairs.map((p) => [p.label, 0]));
  const deadline = performance.now() + o.maxMs;
  for (let round = 0; round < o.warmup + o.learns && performance.now() < deadline; round++) {
    const order = round % 2 === 0 ? pairs : [...pairs].reverse();
    for (const p of order) {
      const res = out.get(p.label) as LearnSamples;
      const st = settle.get(p.label) as { misses: number };
      if ((streak.get(p.label) ?? 0) >= MAX_CONSECUTIVE_FAILURES) continue;
      try {
        const ms = await learnOnce(p, st);
        if (round >= o.warmup) res.samples.push(ms);
        streak.set(p.label, 0);
      } catch (err) {
        res.failures++;
        res.lastError = (err as Error).message;
        streak.set(p.label, (streak.get(p.label) ?? 0) + 1);
      }
      res.settleMisses = st.misses;
    }
  }
  return out;
}
