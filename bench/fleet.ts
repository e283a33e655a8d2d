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
import { apUuid, referenceName, startAp, startEr, wpsdRoleAvailable, type ApImpl, type Daemon } from './daemons.js';
import { latencyRows, sideOf, type Side } from './compare.js';
import { alternate, attachCtrl, erStart, learnFleet, waitForAps, type Contender, type FleetAp, type LearnSamples } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope, type BenchScope } from './scope.js';

export const FLEET_SIZES = [1, 8, 32] as const;
/** Timed rounds per fleet size (each contender learns the whole fleet once per round). */
const ROUNDS: Record<number, number> = { 1: 10, 8: 6, 32: 4 };
const DEFAULT_ROUNDS = 3;
/** Cap on each phase's learning loop per fleet size, ms: the whole bench must fit in `npm run bench`'s 10 minutes. */
const PHASE_MAX_MS: Record<number, number> = { 1: 15_000, 8: 20_000, 32: 40_000 };
const DEFAULT_PHASE_MAX_MS = 40_000;
/** A fleet round that failed twice in a row (e.g. a wedged ER) is not retried further. */
const MAX_CONSECUTIVE_FAILURES = 2;
/** After discovery, let the ERs finish subscribing to every AP before the first learn. */
const DISCOVERY_QUIET_MS = 1_000;
/** Daemons started at a time: 2 cores, and Node start-up is not free. */
const START_BATCH = 8;
/** UUIDs of wpsd APs start here, hostapd's at 0. */
const WPSD_UUID_BASE = 0x100;

export interface FleetOptions {
  sizes?: readonly number[];
  rounds?: number;
  warmup?: number;
  /** Cap on each learning loop (per fleet size and phase), ms (default PHASE_MAX_MS). */
  maxMsPerSize?: number;
  wpsdAp?: boolean;
  wpsdSta?: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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

/** Why the all-wpsd side has no samples: a failure of either role wins over "not available". */
function combined(sta: Side, ap: Side): Side {
  if (sta.kind === 'failed') return sta;
  if (ap.kind === 'failed') return ap;
  return { kind: 'unavailable' };
}

/**
 * One fleet size. Phase A: the hostapd fleet, learned by each ER in turn.
 * Phase B: the hostapd fleet is stopped and the wpsd ap fleet takes its
 * place, learned by each ER in turn. One fleet runs at a time, so neither
 * pays for the other's idle processes; the ERs stay up throughout.
 */
async function fleetOfSize(k: number, o: FleetOptions, withAp: boolean, withSta: boolean): Promise<BenchRow[]> {
  return withScope(async (scope) => {
    const hostapdHosts = Array.from({ length: k }, (_, i) => `h${i}`);
    const wpsdHosts = withAp ? Array.from({ length: k }, (_, i) => `w${i}`) : [];
    const topo = await scope.topology({ hosts: ['erref', 'erwpsd', ...hostapdHosts, ...wpsdHosts], link: 'bridge' });
    const loop = {
      runs: o.rounds ?? ROUNDS[k] ?? DEFAULT_ROUNDS,
      warmup: o.warmup ?? 1,
      maxMs: o.maxMsPerSize ?? PHASE_MAX_MS[k] ?? DEFAULT_PHASE_MAX_MS,
      maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
    };

    // ERs first, so they hear the APs' ssdp:alive as well as answers to their M-SEARCH.
    const refEr = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
    const refCtrl = scope.session(await attachCtrl(refEr));
    await erStart(refCtrl);
    let wpsdCtrl: CtrlSession | undefined;
    let staSide: Side = { kind: 'unavailable' };
    if (withSta) {
      try {
        const er = scope.daemon(await startEr('wpsd', topo.host('erwpsd')));
        wpsdCtrl = scope.session(await attachCtrl(er));
        await erStart(wpsdCtrl);
      } catch (err) {
        staSide = { kind: 'failed', error: `wpsd sta: ${(err as Error).message}` };
        wpsdCtrl = undefined;
      }
    }

    // Phase A: Debian hostapd fleet.
    let refFrom = refCtrl.events.length;
    let wpsdFrom = wpsdCtrl?.events.length ?? 0;
    const hostapdFleet = await startFleet(scope, topo, 'hostapd', hostapdHosts, 0);
    await waitForAps(refCtrl, hostapdFleet.aps.map((a) => a.uuid), refFrom);
    if (wpsdCtrl) {
      try {
        await waitForAps(wpsdCtrl, hostapdFleet.aps.map((a) => a.uuid), wpsdFrom);
      } catch (err) {
        staSide = { kind: 'failed', error: `wpsd sta discovery: ${(err as Error).message}` };
        wpsdCtrl = undefined;
      }
    }
    await sleep(DISCOVERY_QUIET_MS);
    const erWpsd = wpsdCtrl;
    const phaseA: Contender[] = [{ label: 'ref-er/hostapd', run: (res) => learnFleet(refCtrl, hostapdFleet.aps, res) }];
    if (erWpsd) phaseA.push({ label: 'wpsd-er/hostapd', run: (res) => learnFleet(erWpsd, hostapdFleet.aps, res) });
    const resA = await alternate(phaseA, loop);
    await stopFleet(hostapdFleet);

    // Phase B: wpsd ap fleet.
    let apSide: Side = { kind: 'unavailable' };
    let resB = new Map<string, LearnSamples>();
    if (withAp) {
      try {
        refFrom = refCtrl.events.length;
        wpsdFrom = erWpsd?.events.length ?? 0;
        const wpsdFleet = await startFleet(scope, topo, 'wpsd', wpsdHosts, WPSD_UUID_BASE);
        await waitForAps(refCtrl, wpsdFleet.aps.map((a) => a.uuid), refFrom);
        const phaseB: Contender[] = [{ label: 'ref-er/wpsd-ap', run: (res) => learnFleet(refCtrl, wpsdFleet.aps, res) }];
        if (erWpsd) {
          try {
            await waitForAps(erWpsd, wpsdFleet.aps.map((a) => a.uuid), wpsdFrom);
            phaseB.push({ label: 'wpsd-er/wpsd-ap', run: (res) => learnFleet(erWpsd, wpsdFleet.aps, res) });
          } catch (err) {
            staSide = { kind: 'failed', error: `wpsd sta did not discover the wpsd ap fleet: ${(err as Error).message}` };
          }
        }
        await sleep(DISCOVERY_QUIET_MS);
        resB = await alternate(phaseB, loop);
        await stopFleet(wpsdFleet);
      } catch (err) {
        apSide = { kind: 'failed', error: `wpsd ap fleet: ${(err as Error).message}` };
      }
    }

    const ref = sideOf(resA, 'ref-er/hostapd', { kind: 'failed', error: 'not run' });
    const aps = k === 1 ? 'AP' : 'APs';
    return [
      ...latencyRows(`Fleet K=${k}: one ER learns ${k} Debian hostapd ${aps} at once, total (ER under test)`, sideOf(resA, 'wpsd-er/hostapd', staSide), ref, `${referenceName('wpa_supplicant')} ER`, undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: Debian wpa_supplicant ER learns ${k} ${aps} at once, total (AP fleet under test)`, sideOf(resB, 'ref-er/wpsd-ap', apSide), ref, referenceName('hostapd'), undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: all wpsd (ER + ${k} ${aps}) vs all Debian, total`, sideOf(resB, 'wpsd-er/wpsd-ap', combined(staSide, apSide)), ref, 'wpa_supplicant + hostapd', undefined, ['median']),
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
