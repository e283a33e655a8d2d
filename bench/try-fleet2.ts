import { attachCtrl, erStart, learnFleet, waitForAps, type FleetAp } from './learn.js';
import { apUuid, startAp, startEr } from './daemons.js';
import { withScope } from './scope.js';
import { disposeAllOnSignals } from '../test/harness/netns.js';
import { readFileSync } from 'node:fs';
disposeAllOnSignals();
const k = Number(process.argv[2] ?? 32);
const cpu = (pid: number): number => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return Number(f[11]) + Number(f[12]); };
await withScope(async (scope) => {
  const hosts = Array.from({ length: k }, (_, i) => `w${i}`);
  const topo = await scope.topology({ hosts: ['erref', ...hosts], link: 'bridge' });
  const er = scope.daemon(await startEr('wpa_supplicant', topo.host('erref')));
  const ctrl = scope.session(await attachCtrl(er));
  const from = await erStart(ctrl);
  const fleet: FleetAp[] = [];
  const pids: number[] = [];
  for (const [i, h] of hosts.entries()) {
    const d = scope.daemon(await startAp('wpsd', topo.host(h), { uuid: apUuid(i) }));
    pids.push(d.pid);
    fleet.push({ uuid: apUuid(i), ctrl: scope.session(await attachCtrl(d)) });
  }
  let t = Date.now();
  await waitForAps(ctrl, fleet.map((a) => a.uuid), from);
  console.log('discovered', Date.now() - t);
  const c0 = pids.map(cpu); const e0 = cpu(er.pid);
  await new Promise((r) => setTimeout(r, 5000));
  console.log('idle 5s cpu ticks per ap', pids.map((p, i) => cpu(p) - c0[i]!).join(','), 'er', cpu(er.pid) - e0);
  const r = { samples: [], failures: 0, settleMisses: 0 };
  for (let i = 0; i < 5; i++) { try { console.log(await learnFleet(ctrl, fleet, r)); } catch (e) { console.log('ERR', (e as Error).message); } }
  console.log(r);
});
