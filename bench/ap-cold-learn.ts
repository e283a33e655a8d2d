/**
 * `node dist/bench/ap-cold-learn.js [aps] [learns] [one|fleet]` (root; not
 * part of `npm run bench`): what the first learns of a freshly started AP
 * cost, learn by learn. `aps` fresh `wpsd ap` and as many hostapd, each in
 * a namespace of its own on one bridge, are learned by one wpa_supplicant
 * ER `learns` times each, so a process is learned once per round as in
 * bench 3's process-per-AP fleet:
 *   one    (default) one AP at a time, AP after AP; per learn index the
 *          median latency (WPS_ER_LEARN -> WPS-ER-AP-SETTINGS) and the
 *          median CPU of the AP process over that learn;
 *   fleet  all APs of one kind at once (bench 3's round), one kind at a
 *          time with an ER of its own, as bench 3 runs them; per round the
 *          time from the first WPS_ER_LEARN to the last
 *          WPS-ER-AP-SETTINGS and the CPU of all AP processes over the
 *          round, per AP.
 * CPU is every thread's, from /proc/PID/task/TID/schedstat (nanoseconds,
 * not 10 ms ticks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { apUuid, startAp, startEr, type ApImpl, type Daemon } from './daemons.js';
import { attachCtrl, erStart, learnFleet, sendLearn, waitForAps, waitSettings, type LearnSamples } from './learn.js';
import { withScope, type BenchScope } from './scope.js';
import { disposeAllOnSignals, type Topology } from '../harness/netns.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { sleep } from '../src/common/sleep.js';

/** CPU time of every thread of `pid` so far, ms. */
export function processCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // a thread that ended since the listing
    }
  }
  return ns / 1e6;
}

/** How long the APs' idle CPU is sampled before the learns. */
const IDLE_SAMPLE_MS = 3_000;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
}

interface Ap {
  impl: ApImpl;
  uuid: string;
  daemon: Daemon;
  ctrl: CtrlSession;
}

/** The end of the AP's side of a learn (the ER's NACK after M7), or a short pause if it never says. */
async function settle(ap: Ap): Promise<void> {
  await ap.ctrl.waitFor(/^WPS-FAIL /, 3000).catch(() => sleep(300));
}

/** Starts `k` APs of each kind in `impls` (hosts c0.. for wpsd, d0.. for hostapd) and one ER on `erHost` that has discovered them. */
async function startAps(scope: BenchScope, topo: Topology, impls: readonly ApImpl[], k: number, erHost: string): Promise<{ er: CtrlSession; aps: Ap[] }> {
  const aps: Ap[] = [];
  for (let i = 0; i < k; i++) {
    for (const impl of impls) {
      const uuid = apUuid((impl === 'wpsd' ? 0x100 : 0) + i);
      const daemon = scope.daemon(await startAp(impl, topo.host(`${impl === 'wpsd' ? 'c' : 'd'}${i}`), { uuid }));
      aps.push({ impl, uuid, daemon, ctrl: scope.session(await attachCtrl(daemon)) });
    }
  }
  const er = scope.session(await attachCtrl(scope.daemon(await startEr('wpa_supplicant', topo.host(erHost)))));
  await waitForAps(er, aps.map((a) => a.uuid), await erStart(er));
  await sleep(1000);
  // What the APs cost while nobody learns them (timers, other hosts' SSDP traffic).
  const idle0 = aps.map((a) => processCpuMs(a.daemon.pid));
  await sleep(IDLE_SAMPLE_MS);
  for (const impl of impls) {
    const own = aps.map((a, i) => (a.impl === impl ? processCpuMs(a.daemon.pid) - (idle0[i] as number) : NaN)).filter((x) => !Number.isNaN(x));
    console.log(`${impl}: idle CPU per AP over ${IDLE_SAMPLE_MS} ms, median ${median(own).toFixed(2)} ms, max ${Math.max(...own).toFixed(2)} ms`);
  }
  return { er, aps };
}

/** Bench 3's process-per-AP fleet, one kind at a time (as bench 3 runs it): every round learns all `k` at once. */
async function fleetRounds(topo: Topology, k: number, rounds: number): Promise<void> {
  const load0 = loadavg()[0] ?? 0;
  const rows = new Map<ApImpl, string[]>();
  for (const impl of ['hostapd', 'wpsd'] as const) {
    await withScope(async (scope) => {
      const { er, aps } = await startAps(scope, topo, [impl], k, impl === 'wpsd' ? 'er1' : 'er2');
      const out: string[] = [];
      for (let n = 0; n < rounds; n++) {
        const c0 = aps.reduce((t, a) => t + processCpuMs(a.daemon.pid), 0);
        const res: LearnSamples = { samples: [], failures: 0, settleMisses: 0 };
        const ms = await learnFleet(er, aps, res);
        const c = aps.reduce((t, a) => t + processCpuMs(a.daemon.pid), 0) - c0;
        out.push(`${ms.toFixed(1)} | ${(c / k).toFixed(2)}`);
      }
      rows.set(impl, out);
    });
  }
  console.log(`load average ${load0.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}; ${k} APs, a process each, learned all at once per round, one kind at a time (round 1 is each AP's first learn)`);
  console.log('| round | wpsd ap fleet, ms | wpsd ap CPU per AP, ms | hostapd fleet, ms | hostapd CPU per AP, ms |\n|---|---:|---:|---:|---:|');
  for (let n = 0; n < rounds; n++) console.log(`| ${n + 1} | ${rows.get('wpsd')?.[n] ?? '-'} | ${rows.get('hostapd')?.[n] ?? '-'} |`);
}

/** Every AP learned alone, AP after AP, `learns` rounds: the cost of each AP's n-th learn. */
async function learnsOneByOne(topo: Topology, k: number, learns: number): Promise<void> {
  const load0 = loadavg()[0] ?? 0;
  await withScope(async (scope) => {
    const { er, aps } = await startAps(scope, topo, ['wpsd', 'hostapd'], k, 'er1');
    const lat = new Map<string, number[][]>([['wpsd', []], ['hostapd', []]]);
    const cpu = new Map<string, number[][]>([['wpsd', []], ['hostapd', []]]);
    for (let n = 0; n < learns; n++) {
      for (const m of [lat, cpu]) for (const v of m.values()) v.push([]);
      for (const ap of aps) {
        ap.ctrl.mark();
        const c0 = processCpuMs(ap.daemon.pid);
        const t0 = await sendLearn(er, ap.uuid);
        const t1 = await waitSettings(er, ap.uuid);
        await settle(ap);
        lat.get(ap.impl)?.[n]?.push(t1 - t0);
        cpu.get(ap.impl)?.[n]?.push(processCpuMs(ap.daemon.pid) - c0);
      }
    }
    console.log(`load average ${load0.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}; ${k} APs of each, learned ${learns} times each, one at a time`);
    console.log('| learn | wpsd ap latency, ms | hostapd latency, ms | wpsd ap CPU, ms | hostapd CPU, ms |\n|---|---:|---:|---:|---:|');
    for (let n = 0; n < learns; n++) {
      const f = (m: Map<string, number[][]>, impl: string): string => median(m.get(impl)?.[n] ?? []).toFixed(2);
      console.log(`| ${n + 1} | ${f(lat, 'wpsd')} | ${f(lat, 'hostapd')} | ${f(cpu, 'wpsd')} | ${f(cpu, 'hostapd')} |`);
    }
  });
}

async function main(): Promise<void> {
  disposeAllOnSignals();
  const k = Number(process.argv[2] ?? 8);
  const learns = Number(process.argv[3] ?? 10);
  const fleet = process.argv[4] === 'fleet';
  await withScope(async (scope) => {
    const names = Array.from({ length: k }, (_, i) => [`c${i}`, `d${i}`]).flat();
    const topo = await scope.topology({ hosts: ['er1', 'er2', ...names], link: 'bridge' });
    if (fleet) await fleetRounds(topo, k, learns);
    else await learnsOneByOne(topo, k, learns);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
