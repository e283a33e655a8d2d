/**
 * Bench 1, ER learn latency: wpsd's ER (`wpsd sta -D none`) and Debian
 * wpa_supplicant's ER learn the same Debian hostapd (driver=wired,
 * upnp_iface, in namespaces joined by a bridge), alternating; milliseconds
 * from sending `WPS_ER_LEARN` to the `WPS-ER-AP-SETTINGS` event.
 */
import { referenceName, wpsdRoleAvailable } from './daemons.js';
import { latencyRows, type Side } from './compare.js';
import { alternateLearns, setupErLearn, type LearnPair } from './learn.js';
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
  return withScope(async (scope) => {
    const setup = await setupErLearn(scope, { wpsd: o.wpsd ?? wpsdRoleAvailable('sta') });
    const pairs: LearnPair[] = [setup.reference.pair];
    if (setup.wpsd !== undefined) pairs.push(setup.wpsd.pair);
    const res = await alternateLearns(pairs, { learns: o.learns ?? 50, warmup: o.warmup ?? 3, maxMs: o.maxMs ?? 60_000 });
    const ref = res.get('reference');
    const w = res.get('wpsd');
    const wpsdSide: Side = w ? { kind: 'measured', result: w } : setup.wpsdError !== undefined ? { kind: 'failed', error: setup.wpsdError } : { kind: 'unavailable' };
    const referenceSide: Side = ref ? { kind: 'measured', result: ref } : { kind: 'failed', error: 'not run' };
    return latencyRows(ER_LEARN_WHAT, wpsdSide, referenceSide, `${referenceName('wpa_supplicant')} ER`);
  });
}

/** `node dist/bench/er-learn.js [learns]`: bench 1 alone, its rows as JSON lines. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const learns = Number(process.argv[2] ?? 50);
  const rows = await benchErLearn(Number.isInteger(learns) && learns > 0 ? { learns } : {});
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}
