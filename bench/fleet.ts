/**
 * Bench 3, fleet provisioning: one ER learns K APs at once (K = 1, 8, 32),
 * every AP in a namespace of its own on one bridge. Total milliseconds from
 * the first `WPS_ER_LEARN` to the last `WPS-ER-AP-SETTINGS`.
 * Rows per K: wpsd's ER vs wpa_supplicant's ER on a Debian hostapd fleet;
 * the same wpa_supplicant ER on a `wpsd ap` fleet vs the hostapd fleet; and
 * all-wpsd (wpsd ER + wpsd ap fleet) vs all-Debian.
 * Only one fleet and one ER run at a time, so no measurement pays for
 * another's idle processes or subscriptions.
 */
import type { Topology } from '../harness/netns.js';
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable, type ApImpl, type Daemon, type ErImpl } from './daemons.js';
import { latencyRows, type Side } from './compare.js';
import { alternate, attachCtrl, erStart, learnFleet, waitForAps, type FleetAp } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope, type BenchScope } from './scope.js';
import { sleep } from '../src/common/sleep.js';

export const FLEET_SIZES = [1, 8, 32] as const;
/** Timed rounds per fleet size (the ER learns the whole fleet once per round). */
const ROUNDS: Record<number, number> = { 1: 10, 8: 6, 32: 4 };
const DEFAULT_ROUNDS = 3;
/** Cap on each ER's learning loop per fleet size, ms: the whole bench must fit in `npm run bench`'s 10 minutes. */
const LOOP_MAX_MS: Record<number, number> = { 1: 10_000, 8: 15_000, 32: 25_000 };
const DEFAULT_LOOP_MAX_MS = 25_000;
/** An ER that failed a fleet round twice in a row (e.g. wedged) is not retried further. */
const MAX_CONSECUTIVE_FAILURES = 2;
/** After discovery, let the ER finish subscribing to every AP before the first learn. */
const DISCOVERY_QUIET_MS = 1_000;
/** Daemons started at a time: 2 cores, and Node start-up is not free. */
const START_BATCH = 8;
/** UUIDs of wpsd APs start here, hostapd's at 0. */
const WPSD_UUID_BASE = 0x100;

export interface FleetOptions {
  sizes?: readonly number[];
  rounds?: number;
  warmup?: number;
  /** Cap on each ER's learning loop per fleet size, ms (default LOOP_MAX_MS). */
  maxMsPerLoop?: number;
  wpsdAp?: boolean;
  wpsdSta?: boolean;
}


interface Fleet {
  aps: FleetAp[];
  daemons: Daemon[];
}

async function startFleet(scope: BenchScope, topo: Topology, impl: ApImpl, hosts: readonly string[], uuidBase: number): Promise<Fleet> {
  const fleet: Fleet = { aps: [], daemons: [] };
  for (let i = 0; i < hosts.length; i += START_BATCH) {
    const batch = hosts.slice(i, i + START_BATCH);
    await Promise.all(
      batch.map(async (h, j) => {
        const uuid = apUuid(uuidBase + i + j);
        const d = scope.daemon(await startAp(impl, topo.host(h), { uuid }));
        fleet.daemons.push(d);
        fleet.aps.push({ uuid, ctrl: scope.session(await attachCtrl(d)) });
      }),
    );
  }
  return fleet;
}

async function stopFleet(fleet: Fleet): Promise<void> {
  for (const ap of fleet.aps) ap.ctrl.close();
  await Promise.all(fleet.daemons.map((d) => d.stop()));
}

interface Loop {
  runs: number;
  warmup: number;
  maxMs: number;
  maxConsecutiveFailures: number;
}

/** Starts one ER, lets it discover the fleet, times `loop.runs` learns of the whole fleet at once, stops it. */
async function measureEr(scope: BenchScope, topo: Topology, impl: ErImpl, fleet: Fleet, loop: Loop): Promise<Side> {
  const label = impl === 'wpsd' ? 'wpsd sta' : 'wpa_supplicant';
  let er: Daemon | undefined;
  try {
    er = scope.daemon(await startEr(impl, topo.host(impl === 'wpsd' ? 'erwpsd' : 'erref')));
    const ctrl = scope.session(await attachCtrl(er));
    await waitForAps(ctrl, fleet.aps.map((a) => a.uuid), await erStart(ctrl));
    await sleep(DISCOVERY_QUIET_MS);
    const res = await alternate([{ label, run: (r) => learnFleet(ctrl, fleet.aps, r) }], loop);
    ctrl.close();
    const result = res.get(label);
    return result ? { kind: 'measured', result } : { kind: 'failed', error: 'not run' };
  } catch (err) {
    return { kind: 'failed', error: `${label}: ${(err as Error).message}` };
  } finally {
    await er?.stop();
  }
}

/**
 * One fleet size. Phase A: the hostapd fleet, learned by wpa_supplicant's
 * ER, then by wpsd's. Phase B: the hostapd fleet is stopped and a wpsd ap
 * fleet takes its place, learned by the same two ERs.
 */
async function fleetOfSize(k: number, o: FleetOptions, withAp: boolean, withSta: boolean): Promise<BenchRow[]> {
  return withScope(async (scope) => {
    const hostapdHosts = Array.from({ length: k }, (_, i) => `h${i}`);
    const wpsdHosts = withAp ? Array.from({ length: k }, (_, i) => `w${i}`) : [];
    const topo = await scope.topology({ hosts: ['erref', 'erwpsd', ...hostapdHosts, ...wpsdHosts], link: 'bridge' });
    const loop: Loop = {
      runs: o.rounds ?? ROUNDS[k] ?? DEFAULT_ROUNDS,
      warmup: o.warmup ?? 1,
      maxMs: o.maxMsPerLoop ?? LOOP_MAX_MS[k] ?? DEFAULT_LOOP_MAX_MS,
      maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
    };
    const unavailable: Side = { kind: 'unavailable' };

    // Phase A: Debian hostapd fleet.
    const hostapdFleet = await startFleet(scope, topo, 'hostapd', hostapdHosts, 0);
    const refOnHostapd = await measureEr(scope, topo, 'wpa_supplicant', hostapdFleet, loop);
    const wpsdOnHostapd = withSta ? await measureEr(scope, topo, 'wpsd', hostapdFleet, loop) : unavailable;
    await stopFleet(hostapdFleet);

    // Phase B: wpsd ap fleet.
    let refOnWpsd: Side = unavailable;
    let wpsdOnWpsd: Side = unavailable;
    if (withAp) {
      try {
        const wpsdFleet = await startFleet(scope, topo, 'wpsd', wpsdHosts, WPSD_UUID_BASE);
        refOnWpsd = await measureEr(scope, topo, 'wpa_supplicant', wpsdFleet, loop);
        wpsdOnWpsd = withSta ? await measureEr(scope, topo, 'wpsd', wpsdFleet, loop) : unavailable;
        await stopFleet(wpsdFleet);
      } catch (err) {
        refOnWpsd = { kind: 'failed', error: `wpsd ap fleet: ${(err as Error).message}` };
        wpsdOnWpsd = refOnWpsd;
      }
    } else if (wpsdOnHostapd.kind === 'failed') {
      wpsdOnWpsd = wpsdOnHostapd;
    }

    const aps = k === 1 ? 'AP' : 'APs';
    return [
      ...latencyRows(`Fleet K=${k}: one ER learns ${k} Debian hostapd ${aps} at once, total (ER under test)`, wpsdOnHostapd, refOnHostapd, `${referenceName('wpa_supplicant')} ER`, undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: Debian wpa_supplicant ER learns ${k} ${aps} at once, total (AP fleet under test)`, refOnWpsd, refOnHostapd, referenceName('hostapd'), undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: all wpsd (ER + ${k} ${aps}) vs all Debian, total`, wpsdOnWpsd, refOnHostapd, 'wpa_supplicant + hostapd', undefined, ['median']),
    ];
  });
}

export async function benchFleet(o: FleetOptions = {}): Promise<BenchRow[]> {
  const withAp = o.wpsdAp ?? wpsdRoleAvailable('ap');
  const withSta = o.wpsdSta ?? wpsdRoleAvailable('sta');
  const rows: BenchRow[] = [];
  for (const k of o.sizes ?? FLEET_SIZES) rows.push(...(await fleetOfSize(k, o, withAp, withSta)));
  return rows;
}
