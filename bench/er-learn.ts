/**
 * Bench 1, ER learn latency: wpsd's ER (`wpsd sta -D none`) and Debian
 * wpa_supplicant's ER learn the same Debian hostapd (driver=wired,
 * upnp_iface, in namespaces joined by a bridge), alternating; milliseconds
 * from sending `WPS_ER_LEARN` to the `WPS-ER-AP-SETTINGS` event.
 */
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable } from './daemons.js';
import { latencyRows, type Side } from './compare.js';
import { alternateLearns, attachCtrl, startErAndDiscover, type LearnPair } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope } from './scope.js';

export interface LearnBenchOptions {
  /** Timed learns per side (default 50). */
  learns?: number;
  /** Untimed learns per side first (default 3). */
  warmup?: number;
  /** Cap on the learning loop, ms (default 60 s; 2 x 53 learns take about 5 s here); the rows record how many learns fitted. */
  maxMs?: number;
  /** Measure the wpsd side: default when `wpsd sta` / `wpsd ap` is in the build. */
  wpsd?: boolean;
}

export const ER_LEARN_WHAT = 'ER learn latency (wps_er_learn → WPS-ER-AP-SETTINGS), ER under test learning Debian hostapd';

export async function benchErLearn(o: LearnBenchOptions = {}): Promise<BenchRow[]> {
  const withWpsd = o.wpsd ?? wpsdRoleAvailable('sta');
  const uuid = apUuid(0);
  return withScope(async (scope) => {
    const topo = await scope.topology({ hosts: ['ap', 'erref', 'erwpsd'], link: 'bridge' });
    const ap = scope.daemon(await startAp('hostapd', topo.host('ap'), { uuid }));
    const apCtrl = scope.session(await attachCtrl(ap));

    const refEr = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
    const refCtrl = scope.session(await attachCtrl(refEr));
    await startErAndDiscover(refCtrl, [uuid]);
    const pairs: LearnPair[] = [{ label: 'reference', er: refCtrl, ap: apCtrl, uuid }];

    let wpsdSide: Side = { kind: 'unavailable' };
    if (withWpsd) {
      try {
        const er = scope.daemon(await startEr('wpsd', topo.host('erwpsd')));
        const ctrl = scope.session(await attachCtrl(er));
        await startErAndDiscover(ctrl, [uuid]);
        pairs.push({ label: 'wpsd', er: ctrl, ap: apCtrl, uuid });
      } catch (err) {
        wpsdSide = { kind: 'failed', error: `wpsd sta: ${(err as Error).message}` };
      }
    }

    const res = await alternateLearns(pairs, { learns: o.learns ?? 50, warmup: o.warmup ?? 3, maxMs: o.maxMs ?? 60_000 });
    const ref = res.get('reference');
    const w = res.get('wpsd');
    if (w) wpsdSide = { kind: 'measured', result: w };
    const referenceSide: Side = ref ? { kind: 'measured', result: ref } : { kind: 'failed', error: 'not run' };
    return latencyRows(ER_LEARN_WHAT, wpsdSide, referenceSide, `${referenceName('wpa_supplicant')} ER`);
  });
}
