/**
 * Bench 3, fleet provisioning: one ER learns K APs at once (K = 1, 8, 32),
 * every AP in a namespace of its own on one bridge. Total milliseconds from
 * the first `WPS_ER_LEARN` to the last `WPS-ER-AP-SETTINGS`.
 * Rows per K: wpsd's ER vs wpa_supplicant's ER on a Debian hostapd fleet;
 * the same wpa_supplicant ER on a `wpsd ap` fleet vs the hostapd fleet; and
 * all-wpsd (wpsd ER + wpsd ap fleet) vs all-Debian. These fleets run a
 * process per AP. For K > 1 the same wpa_supplicant ER also learns a wpsd
 * fleet served by ONE process (`wpsd ap a.conf b.conf ...`: the fleet's K
 * veths moved into one namespace, an interface per AP); hostapd cannot
 * serve K UPnP APs from one process (HOSTAPD_ONE_PROCESS).
 * Only one fleet and one ER run at a time, so no measurement pays for
 * another's idle processes or subscriptions.
 */
import type { Topology } from '../harness/netns.js';
import { apUuid, referenceName, startAp, startApMulti, startEr, wpsdRoleAvailable, type ApImpl, type Daemon, type ErImpl } from './daemons.js';
import { CtrlSession } from '../harness/ctrl-session.js';
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
/**
 * Why the one-process row's reference is hostapd with a process per AP:
 * hostapd 2.10 started as `hostapd a.conf b.conf ...` serves ONE UPnP
 * device for all its interfaces (upnp_wps_device_init shares the first
 * interface's device context), so an ER discovers 1 of the K APs (tried:
 * "ER did not discover 7 of 8 APs"); K hostapd processes is the only way
 * hostapd offers K UPnP APs.
 */
const HOSTAPD_ONE_PROCESS = 'one hostapd process serves a single UPnP device for all its interfaces (upnp_wps_device_init shares it), so an ER finds 1 of K: the reference is a hostapd per AP';
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

/**
 * Moves the veths of hosts[1..] into the namespace of hosts[0] (as wp1,
 * wp2, ..., each keeping its address), so one process can serve them all.
 */
async function mergeHosts(topo: Topology, hosts: readonly string[]): Promise<string[]> {
  const first = topo.host(hosts[0] as string);
  const ifnames = [first.ifname];
  for (let i = 1; i < hosts.length; i++) {
    const h = topo.host(hosts[i] as string);
    const ifname = `wp${i}`;
    await h.exec('ip', ['link', 'set', h.ifname, 'down']);
    await h.exec('ip', ['link', 'set', h.ifname, 'name', ifname]);
    await h.exec('ip', ['link', 'set', ifname, 'netns', first.ns]);
    await first.exec('ip', ['addr', 'add', `${h.address}/16`, 'dev', ifname]);
    await first.exec('ip', ['link', 'set', ifname, 'up']);
    ifnames.push(ifname);
  }
  return ifnames;
}

/** One process serving the fleet: hosts merged into the first one's namespace, an interface per AP. */
async function startOneProcessFleet(scope: BenchScope, topo: Topology, impl: ApImpl, hosts: readonly string[], uuidBase: number): Promise<Fleet> {
  const ifnames = await mergeHosts(topo, hosts);
  const multi = await startApMulti(impl, topo.host(hosts[0] as string), ifnames.map((ifname, i) => ({ ifname, uuid: apUuid(uuidBase + i) })));
  const d = scope.daemon(multi.daemon);
  const aps: FleetAp[] = [];
  for (let i = 0; i < multi.sockets.length; i++) aps.push({ uuid: apUuid(uuidBase + i), ctrl: scope.session(await CtrlSession.open(multi.sockets[i] as string, { attach: true })) });
  return { aps, daemons: [d] };
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

    const oneProcess = k > 1;

    // Phase A: Debian hostapd fleet, a process per AP (see HOSTAPD_ONE_PROCESS for why not one).
    const hostapdFleet = await startFleet(scope, topo, 'hostapd', hostapdHosts, 0);
    const refOnHostapd = await measureEr(scope, topo, 'wpa_supplicant', hostapdFleet, loop);
    const wpsdOnHostapd = withSta ? await measureEr(scope, topo, 'wpsd', hostapdFleet, loop) : unavailable;
    await stopFleet(hostapdFleet);

    // Phase B: wpsd ap fleet, a process per AP, then (K > 1) one process for all.
    let refOnWpsd: Side = unavailable;
    let wpsdOnWpsd: Side = unavailable;
    let refOnWpsdOne: Side = unavailable;
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
      if (oneProcess) {
        try {
          const one = await startOneProcessFleet(scope, topo, 'wpsd', wpsdHosts, WPSD_UUID_BASE);
          refOnWpsdOne = await measureEr(scope, topo, 'wpa_supplicant', one, loop);
          await stopFleet(one);
        } catch (err) {
          refOnWpsdOne = { kind: 'failed', error: `wpsd ap, one process: ${(err as Error).message}` };
        }
      }
    } else if (wpsdOnHostapd.kind === 'failed') {
      wpsdOnWpsd = wpsdOnHostapd;
    }

    const aps = k === 1 ? 'AP' : 'APs';
    return [
      ...latencyRows(`Fleet K=${k}: one ER learns ${k} Debian hostapd ${aps} at once, total (ER under test)`, wpsdOnHostapd, refOnHostapd, `${referenceName('wpa_supplicant')} ER`, undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: Debian wpa_supplicant ER learns ${k} ${aps} at once, total (AP fleet under test)`, refOnWpsd, refOnHostapd, referenceName('hostapd'), undefined, ['median']),
      ...latencyRows(`Fleet K=${k}: all wpsd (ER + ${k} ${aps}) vs all Debian, total`, wpsdOnWpsd, refOnHostapd, 'wpa_supplicant + hostapd', undefined, ['median']),
      ...(oneProcess
        ? latencyRows(
            `Fleet K=${k}, one wpsd process: Debian wpa_supplicant ER learns ${k} APs at once served by \`wpsd ap a.conf b.conf ...\` (an interface per AP), total`,
            refOnWpsdOne,
            refOnHostapd,
            `${referenceName('hostapd')}, a process per AP`,
            HOSTAPD_ONE_PROCESS,
            ['median'],
          )
        : []),
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
