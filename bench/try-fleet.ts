import { alternate, attachCtrl, erStart, learnFleet, waitForAps, type FleetAp } from './learn.js';
import { apUuid, startAp, startEr } from './daemons.js';
import { withScope } from './scope.js';
import { disposeAllOnSignals } from '../test/harness/netns.js';
disposeAllOnSignals();
const k = Number(process.argv[2] ?? 32);
await withScope(async (scope) => {
  const hosts = Array.from({ length: k }, (_, i) => `h${i}`);
  const topo = await scope.topology({ hosts: ['erref', ...hosts], link: 'bridge' });
  const er = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
  const ctrl = scope.session(await attachCtrl(er));
  const from = await erStart(ctrl);
  const fleet: FleetAp[] = [];
  for (const [i, h] of hosts.entries()) {
    const d = scope.daemon(await startAp('hostapd', topo.host(h), { uuid: apUuid(i) }));
    fleet.push({ uuid: apUuid(i), ctrl: scope.session(await attachCtrl(d)) });
  }
  let t = Date.now();
  await waitForAps(ctrl, fleet.map((a) => a.uuid), from);
  console.log('discovered', Date.now() - t);
  const res = await alternate([{ label: 'x', run: (r) => learnFleet(ctrl, fleet, r) }], { runs: 8, warmup: 1, maxMs: 120_000 });
  console.log(JSON.stringify([...res.values()], null, 1));
  const evs = ctrl.events.slice(from).map((e) => e.text.slice(0, 60));
  const counts = new Map<string, number>();
  for (const e of evs) { const k2 = e.split(' ')[0] ?? ''; counts.set(k2, (counts.get(k2) ?? 0) + 1); }
  console.log(counts);
});
