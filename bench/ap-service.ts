/**
 * Bench 2, AP service latency: the same real ER (Debian wpa_supplicant
 * -Dnone) learns `wpsd ap` and Debian hostapd (driver=wired), alternating,
 * all in namespaces joined by a bridge; milliseconds from `WPS_ER_LEARN` to
 * `WPS-ER-AP-SETTINGS`.
 */
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable } from './daemons.js';
import { latencyRows, type Side } from './compare.js';
import type { LearnBenchOptions } from './er-learn.js';
import { alternateLearns, attachCtrl, erStart, waitForAps, type LearnPair } from './learn.js';
import type { BenchRow } from './results.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withScope } from './scope.js';

export const AP_SERVICE_WHAT = 'AP service latency (wps_er_learn → WPS-ER-AP-SETTINGS), Debian wpa_supplicant ER learning the AP under test';

export async function benchApService(o: LearnBenchOptions = {}): Promise<BenchRow[]> {
  const withWpsd = o.wpsd ?? wpsdRoleAvailable('ap');
  const refUuid = apUuid(0);
  const wpsdUuid = apUuid(1);
  return withScope(async (scope) => {
    const topo = await scope.topology({ hosts: ['er', 'apref', 'apwpsd'], link: 'bridge' });
    const refAp = scope.daemon(await startAp('hostapd', topo.host('apref'), { uuid: refUuid }));
    const refApCtrl = scope.session(await attachCtrl(refAp));

    let wpsdSide: Side = { kind: 'unavailable' };
    let wpsdApCtrl: CtrlSession | undefined;
    if (withWpsd) {
      try {
        const ap = scope.daemon(await startAp('wpsd', topo.host('apwpsd'), { uuid: wpsdUuid }));
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

    const res = await alternateLearns(pairs, { learns: o.learns ?? 50, warmup: o.warmup ?? 3, maxMs: o.maxMs ?? 60_000 });
    const ref = res.get('reference');
    const w = res.get('wpsd');
    if (w) wpsdSide = { kind: 'measured', result: w };
    const referenceSide: Side = ref ? { kind: 'measured', result: ref } : { kind: 'failed', error: 'not run' };
    return latencyRows(AP_SERVICE_WHAT, wpsdSide, referenceSide, referenceName('hostapd'));
  });
}
