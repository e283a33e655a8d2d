/**
 * Bench 2, AP service latency: the same real ER (Debian wpa_supplicant
 * -Dnone) learns `wpsd ap` and Debian hostapd (driver=wired), alternating,
 * all in namespaces joined by a bridge; milliseconds from `WPS_ER_LEARN` to
 * `WPS-ER-AP-SETTINGS`. Also the AP's CPU per learn: utime + stime of the AP
 * process (/proc/PID/stat) summed over its timed learns, each read just
 * before the learn is sent and after the AP reported its end, divided by
 * the learns; the same for both APs (clock ticks of 10 ms: a sum, not a
 * per-learn figure, and far less disturbed by other load than latency).
 */
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable } from './daemons.js';
import { latencyRows, type Side } from './compare.js';
import type { LearnBenchOptions } from './er-learn.js';
import { alternate, attachCtrl, erStart, learnOnce, waitForAps, type LearnPair, type LearnSamples } from './learn.js';
import { cpuMs } from './learn-cpu.js';
import type { BenchRow } from './results.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withScope } from './scope.js';

export const AP_SERVICE_WHAT = 'AP service latency (wps_er_learn → WPS-ER-AP-SETTINGS), Debian wpa_supplicant ER learning the AP under test';
export const AP_SERVICE_CPU_WHAT = 'AP CPU per learn (utime + stime of the AP process over its timed learns, /proc/PID/stat), Debian wpa_supplicant ER learning the AP under test, mean ms';

/** An AP's CPU over its timed learns. */
interface CpuTally {
  pid: number;
  ms: number;
  learns: number;
}

export async function benchApService(o: LearnBenchOptions = {}): Promise<BenchRow[]> {
  const withWpsd = o.wpsd ?? wpsdRoleAvailable('ap');
  const refUuid = apUuid(0);
  const wpsdUuid = apUuid(1);
  return withScope(async (scope) => {
    const topo = await scope.topology({ hosts: ['er', 'apref', 'apwpsd'], link: 'bridge' });
    const refAp = scope.daemon(await startAp('hostapd', topo.host('apref'), { uuid: refUuid }));
    const refApCtrl = scope.session(await attachCtrl(refAp));

    const cpu = new Map<string, CpuTally>([['reference', { pid: refAp.pid, ms: 0, learns: 0 }]]);
    let wpsdSide: Side = { kind: 'unavailable' };
    let wpsdApCtrl: CtrlSession | undefined;
    if (withWpsd) {
      try {
        const ap = scope.daemon(await startAp('wpsd', topo.host('apwpsd'), { uuid: wpsdUuid }));
        cpu.set('wpsd', { pid: ap.pid, ms: 0, learns: 0 });
        wpsdApCtrl = scope.session(await attachCtrl(ap));
      } catch (err) {
        wpsdSide = { kind: 'failed', error: `wpsd ap: ${(err as Error).message}` };
      }
    }

    const er = scope.daemon(await startEr('wpa_supplicant', topo.host('er')));
    const erCtrl = scope.session(await attachCtrl(er));
    const from = await erStart(erCtrl);
    await waitForAps(erCtrl, [refUuid], from);
    const pairs: LearnPair[] = [{ label: 'reference', er: erCtrl, ap: refApCtrl, uuid: refUuid }];
    if (wpsdApCtrl) {
      try {
        await waitForAps(erCtrl, [wpsdUuid], from);
        pairs.push({ label: 'wpsd', er: erCtrl, ap: wpsdApCtrl, uuid: wpsdUuid });
      } catch (err) {
        wpsdSide = { kind: 'failed', error: `wpsd ap not discovered: ${(err as Error).message}` };
      }
    }

    const warmup = o.warmup ?? 3;
    const contenders = pairs.map((p) => {
      let round = 0;
      return {
        label: p.label,
        run: async (r: LearnSamples): Promise<number> => {
          const tally = cpu.get(p.label) as CpuTally;
          const timed = round++ >= warmup;
          const c0 = cpuMs(tally.pid);
          const ms = await learnOnce(p, r);
          if (timed) {
            tally.ms += cpuMs(tally.pid) - c0;
            tally.learns++;
          }
          return ms;
        },
      };
    });
    const res = await alternate(contenders, { runs: o.learns ?? 50, warmup, maxMs: o.maxMs ?? 60_000 });
    const ref = res.get('reference');
    const w = res.get('wpsd');
    if (w) wpsdSide = { kind: 'measured', result: w };
    const referenceSide: Side = ref ? { kind: 'measured', result: ref } : { kind: 'failed', error: 'not run' };
    return [...latencyRows(AP_SERVICE_WHAT, wpsdSide, referenceSide, referenceName('hostapd')), cpuRow(cpu.get('wpsd'), cpu.get('reference') as CpuTally, wpsdSide)];
  });
}

function cpuRow(wpsd: CpuTally | undefined, ref: CpuTally, wpsdSide: Side): BenchRow {
  const measured = wpsd !== undefined && wpsd.learns > 0 && wpsdSide.kind === 'measured';
  return {
    what: AP_SERVICE_CPU_WHAT,
    ...(measured ? { wpsd: wpsd.ms / wpsd.learns } : { wpsdNote: wpsdSide.kind === 'failed' ? `failed: ${wpsdSide.error.slice(0, 120)}` : 'not available yet' }),
    ...(ref.learns > 0 ? { reference: ref.ms / ref.learns } : { referenceNote: 'not run' }),
    referenceName: referenceName('hostapd'),
    runs: wpsd?.learns ?? 0,
    referenceRuns: ref.learns,
  };
}
