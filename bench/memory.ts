/**
 * Bench 6, resident memory: VmRSS of `wpsd ap` and `wpsd sta` next to
 * hostapd's and wpa_supplicant's, at idle (started, ER discovery done) and
 * after a learn load (every ER learns every AP, alternating), plus the peak
 * (VmHWM). All four daemons run side by side on one bridge and see the same
 * load. Under the bulk-enrollment load (bench 4): bench/bulk-enroll.ts.
 */
import type { CtrlSession } from '../harness/ctrl-session.js';
import { apUuid, NOT_AVAILABLE, readRss, referenceName, startAp, startEr, wpsdRoleAvailable, type Daemon, type Rss } from './daemons.js';
import { shortError } from './compare.js';
import { alternate, attachCtrl, erStart, learnOnce, waitForAps, type Contender } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope } from './scope.js';
import { sleep } from '../src/common/sleep.js';

/** Learns per (ER, AP) pair in the load. */
const LOAD_LEARNS = 40;
/** Idle: this long after discovery before reading RSS (start-up garbage settles). */
const IDLE_SETTLE_MS = 2_000;
const KIB_PER_MIB = 1024;

export interface MemoryOptions {
  learns?: number;
  idleMs?: number;
  maxMs?: number;
  wpsdAp?: boolean;
  wpsdSta?: boolean;
}

interface Measured {
  daemon?: Daemon;
  error?: string;
  idle?: Rss;
  loaded?: Rss;
}


function sample(m: Measured, key: 'idle' | 'loaded'): void {
  if (!m.daemon?.proc.running) return;
  try {
    m[key] = readRss(m.daemon.pid);
  } catch (err) {
    m.error = (err as Error).message;
  }
}

function mib(kib: number | undefined): number | undefined {
  return kib === undefined ? undefined : kib / KIB_PER_MIB;
}

function rows(role: string, wpsd: Measured, ref: Measured, refName: string, wpsdAvailable: boolean, learnsNote: string): BenchRow[] {
  const wpsdNote = !wpsdAvailable ? NOT_AVAILABLE : wpsd.error ? `failed: ${shortError(wpsd.error)}` : undefined;
  const refNote = ref.error ? `failed: ${shortError(ref.error)}` : undefined;
  const row = (what: string, w: number | undefined, r: number | undefined, note?: string): BenchRow => ({
    what,
    wpsd: mib(w),
    wpsdNote: w === undefined ? (wpsdNote ?? 'no sample') : undefined,
    reference: mib(r),
    referenceName: refName,
    referenceNote: r === undefined ? (refNote ?? 'no sample') : undefined,
    runs: w === undefined ? 0 : 1,
    referenceRuns: r === undefined ? 0 : 1,
    ...(note ? { note } : {}),
  });
  return [
    row(`Resident memory of ${role}, idle after discovery (VmRSS MiB)`, wpsd.idle?.rssKiB, ref.idle?.rssKiB),
    row(`Resident memory of ${role} after the learn load (VmRSS MiB)`, wpsd.loaded?.rssKiB, ref.loaded?.rssKiB, learnsNote),
    row(`Peak resident memory of ${role} through the learn load (VmHWM MiB)`, wpsd.loaded?.hwmKiB, ref.loaded?.hwmKiB, learnsNote),
  ];
}

export async function benchMemory(o: MemoryOptions = {}): Promise<BenchRow[]> {
  const withAp = o.wpsdAp ?? wpsdRoleAvailable('ap');
  const withSta = o.wpsdSta ?? wpsdRoleAvailable('sta');
  const refUuid = apUuid(0);
  const wpsdUuid = apUuid(1);
  return withScope(async (scope) => {
    const topo = await scope.topology({ hosts: ['apref', 'apwpsd', 'erref', 'erwpsd'], link: 'bridge' });
    const hostapd: Measured = {};
    const wpsdAp: Measured = {};
    const wpaSupplicant: Measured = {};
    const wpsdSta: Measured = {};
    const aps: Array<{ uuid: string; ctrl: CtrlSession; label: string }> = [];
    const ers: Array<{ ctrl: CtrlSession; from: number; label: string }> = [];

    hostapd.daemon = scope.daemon(await startAp('hostapd', topo.host('apref'), { uuid: refUuid }));
    aps.push({ uuid: refUuid, ctrl: scope.session(await attachCtrl(hostapd.daemon)), label: 'hostapd' });
    if (withAp) {
      try {
        wpsdAp.daemon = scope.daemon(await startAp('wpsd', topo.host('apwpsd'), { uuid: wpsdUuid }));
        aps.push({ uuid: wpsdUuid, ctrl: scope.session(await attachCtrl(wpsdAp.daemon)), label: 'wpsd-ap' });
      } catch (err) {
        wpsdAp.error = `wpsd ap: ${(err as Error).message}`;
      }
    }
    wpaSupplicant.daemon = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
    const refCtrl = scope.session(await attachCtrl(wpaSupplicant.daemon));
    ers.push({ ctrl: refCtrl, from: await erStart(refCtrl), label: 'wpa_supplicant' });
    if (withSta) {
      try {
        wpsdSta.daemon = scope.daemon(await startEr('wpsd', topo.host('erwpsd')));
        const ctrl = scope.session(await attachCtrl(wpsdSta.daemon));
        ers.push({ ctrl, from: await erStart(ctrl), label: 'wpsd-sta' });
      } catch (err) {
        wpsdSta.error = `wpsd sta: ${(err as Error).message}`;
      }
    }
    const pairs: Contender[] = [];
    for (const er of ers) {
      for (const ap of aps) {
        try {
          await waitForAps(er.ctrl, [ap.uuid], er.from);
        } catch (err) {
          const failed = er.label === 'wpsd-sta' ? wpsdSta : ap.label === 'wpsd-ap' ? wpsdAp : hostapd;
          failed.error = `${er.label} did not discover ${ap.label}: ${(err as Error).message}`;
          continue;
        }
        pairs.push({ label: `${er.label}/${ap.label}`, run: (res) => learnOnce({ label: '', er: er.ctrl, ap: ap.ctrl, uuid: ap.uuid }, res) });
      }
    }

    await sleep(o.idleMs ?? IDLE_SETTLE_MS);
    for (const m of [hostapd, wpsdAp, wpaSupplicant, wpsdSta]) sample(m, 'idle');
    const res = await alternate(pairs, { runs: o.learns ?? LOAD_LEARNS, warmup: 0, maxMs: o.maxMs ?? 45_000 });
    for (const m of [hostapd, wpsdAp, wpaSupplicant, wpsdSta]) sample(m, 'loaded');

    const done = [...res.entries()].map(([label, r]) => `${label} ${r.samples.length}${r.failures ? ` (${r.failures} failed)` : ''}`).join(', ');
    const learnsNote = `load: learns per ER/AP pair: ${done}`;
    return [
      ...rows('the AP (wpsd ap vs hostapd)', wpsdAp, hostapd, referenceName('hostapd'), withAp, learnsNote),
      ...rows('the ER (wpsd sta -D none vs wpa_supplicant -Dnone)', wpsdSta, wpaSupplicant, referenceName('wpa_supplicant'), withSta, learnsNote),
    ];
  });
}
