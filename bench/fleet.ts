/**
 * Bench 3, fleet provisioning: one ER learns K APs at once (K = 1, 8, 32),
 * every AP in a namespace of its own on one bridge. Total milliseconds from
 * the first `WPS_ER_LEARN` to the last `WPS-ER-AP-SETTINGS`.
 * Rows per K: wpsd's ER vs wpa_supplicant's ER on a Debian hostapd fleet;
 * the same wpa_supplicant ER on a `wpsd ap` fleet vs the hostapd fleet; and
 * all-wpsd (wpsd ER + wpsd ap fleet) vs all-Debian.
 */
import type { CtrlSession } from '../test/harness/ctrl-session.js';
import type { Topology } from '../test/harness/netns.js';
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable, type ApImpl } from './daemons.js';
import { latencyRows, sideOf, type Side } from './compare.js';
import { alternate, attachCtrl, erStart, learnFleet, waitForAps, type Contender, type FleetAp } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope, type BenchScope } from './scope.js';

export const FLEET_SIZES = [1, 8, 32] as const;
/** Timed rounds per fleet size (each contender learns the whole fleet once per round). */
const ROUNDS: Record<number, number> = { 1: 10, 8: 6, 32: 4 };
const DEFAULT_ROUNDS = 3;
/** Daemons started at a time: 2 cores, and Node start-up is not free. */
const START_BATCH = 8;
/** UUIDs of wpsd APs start here, hostapd's at 0. */
const WPSD_UUID_BASE = 0x100;

export interface FleetOptions {
  sizes?: readonly number[];
  rounds?: number;
  warmup?: number;
  /** Cap on the learning loop per fleet size, ms (default 60 s). */
  maxMsPerSize?: number;
  wpsdAp?: boolean;
  wpsdSta?: boolean;
}

async function startFleet(scope: BenchScope, topo: Topology, impl: ApImpl, hosts: readonly string[], uuidBase: number): Promise<FleetAp[]> {
  const fleet: FleetAp[] = [];
  for (let i = 0; i < hosts.length; i += START_BATCH) {
    const batch = hosts.slice(i, i + START_BATCH);
    const started = await Promise.all(
      batch.map(async (h, j) => {
        const uuid = apUuid(uuidBase + i + j);
        const d = scope.daemon(await startAp(impl, topo.host(h), { uuid }));
        return { uuid, ctrl: scope.session(await attachCtrl(d)) };
      }),
    );
    fleet.push(...started);
  }
  return fleet;
}

/** Why the all-wpsd side has no samples: a failure of either role wins over "not available". */
function combined(sta: Side, ap: Side): Side {
  if (sta.kind === 'failed') return sta;
  if (ap.kind === 'failed') return ap;
  return { kind: 'unavailable' };
}

async function fleetOfSize(k: number, o: FleetOptions, withAp: boolean, withSta: boolean): Promise<BenchRow[]> {
  return withScope(async (scope) => {
    const hostapdHosts = Array.from({ length: k }, (_, i) => `h${i}`);
    const wpsdHosts = withAp ? Array.from({ length: k }, (_, i) => `w${i}`) : [];
    const topo = await scope.topology({ hosts: ['erref', 'erwpsd', ...hostapdHosts, ...wpsdHosts], link: 'bridge' });

    // ERs first, so they hear the APs' ssdp:alive as well as answers to their M-SEARCH.
    const refEr = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
    const refCtrl = scope.session(await attachCtrl(refEr));
    const refFrom = await erStart(refCtrl);
    let wpsdCtrl: CtrlSession | undefined;
    let wpsdFrom = 0;
    let staSide: Side = { kind: 'unavailable' };
    if (withSta) {
      try {
        const er = scope.daemon(await startEr('wpsd', topo.host('erwpsd')));
        wpsdCtrl = scope.session(await attachCtrl(er));
        wpsdFrom = await erStart(wpsdCtrl);
      } catch (err) {
        staSide = { kind: 'failed', error: `wpsd sta: ${(err as Error).message}` };
        wpsdCtrl = undefined;
      }
    }

    const hostapdFleet = await startFleet(scope, topo, 'hostapd', hostapdHosts, 0);
    let apSide: Side = { kind: 'unavailable' };
    let wpsdFleet: FleetAp[] | undefined;
    if (withAp) {
      try {
        wpsdFleet = await startFleet(scope, topo, 'wpsd', wpsdHosts, WPSD_UUID_BASE);
      } catch (err) {
        apSide = { kind: 'failed', error: `wpsd ap: ${(err as Error).message}` };
      }
    }

    await waitForAps(refCtrl, hostapdFleet.map((a) => a.uuid), refFrom);
    if (wpsdFleet) {
      try {
        await waitForAps(refCtrl, wpsdFleet.map((a) => a.uuid), refFrom);
      } catch (err) {
        apSide = { kind: 'failed', error: `wpsd ap fleet not discovered: ${(err as Error).message}` };
        wpsdFleet = undefined;
      }
    }
    if (wpsdCtrl) {
      try {
        await waitForAps(wpsdCtrl, [...hostapdFleet, ...(wpsdFleet ?? [])].map((a) => a.uuid), wpsdFrom);
      } catch (err) {
        staSide = { kind: 'failed', error: `wpsd sta discovery: ${(err as Error).message}` };
        wpsdCtrl = undefined;
      }
    }

    const contenders: Contender[] = [{ label: 'ref-er/hostapd', run: (res) => learnFleet(refCtrl, hostapdFleet, res) }];
    const erWpsd = wpsdCtrl;
    const apWpsd = wpsdFleet;
    if (erWpsd) contenders.push({ label: 'wpsd-er/hostapd', run: (res) => learnFleet(erWpsd, hostapdFleet, res) });
    if (apWpsd) contenders.push({ label: 'ref-er/wpsd-ap', run: (res) => learnFleet(refCtrl, apWpsd, res) });
    if (erWpsd && apWpsd) contenders.push({ label: 'wpsd-er/wpsd-ap', run: (res) => learnFleet(erWpsd, apWpsd, res) });

    const res = await alternate(contenders, { runs: o.rounds ?? ROUNDS[k] ?? DEFAULT_ROUNDS, warmup: o.warmup ?? 1, maxMs: o.maxMsPerSize ?? 60_000 });
    const ref = sideOf(res, 'ref-er/hostapd', { kind: 'failed', error: 'not run' });
    const allWpsd = sideOf(res, 'wpsd-er/wpsd-ap', combined(staSide, apSide));
    const aps = k === 1 ? 'AP' : 'APs';
    return [
      ...latencyRows(`Fleet K=${k}: one ER learns ${k} Debian hostapd ${aps} at once, total (ER under test)`, sideOf(res, 'wpsd-er/hostapd', staSide), ref, `${referenceName('wpa_supplicant')} ER`, undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: Debian wpa_supplicant ER learns ${k} ${aps} at once, total (AP under test)`, sideOf(res, 'ref-er/wpsd-ap', apSide), ref, referenceName('hostapd'), undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: all wpsd (ER + ${k} ${aps}) vs all Debian, total`, allWpsd, ref, 'wpa_supplicant + hostapd', undefined, ['median']),
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
