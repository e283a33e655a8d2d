/**
 * Bench 7, hostile LAN: the load each defence holds, wpsd beside hostapd /
 * wpa_supplicant under the same attack from a host of its own
 * (harness/attack.ts), each followed or accompanied by a legitimate
 * Debian wpa_supplicant ER. What counts is whether the legitimate peer still
 * works and how long it took; the attacker's own figures (answers drawn,
 * requests served) are the load the defence let through.
 */
import { attack } from '../harness/attack.js';
import type { NetnsHost, Topology } from '../harness/netns.js';
import { apUuid, referenceName, startAp, startEr, type ApImpl, type ErImpl } from './daemons.js';
import { attachCtrl, erStart, sendLearn, waitForAps, waitSettings } from './learn.js';
import type { BenchRow } from './results.js';
import { withScope, type BenchScope } from './scope.js';

/** Every attack is bounded by this much time; each legitimate step by its own timeout below. */
const ATTACK_SECONDS = 8;
const STEP_TIMEOUT_MS = 25_000;

type Figure = { value: number } | { failed: string };

interface ApFigures {
  genaLearnMs: Figure;
  slowlorisLearnMs: Figure;
  slowlorisRefused: Figure;
  deviceInfoLearnMs: Figure;
  deviceInfoServedPerSec: Figure;
  pipelinedServed: Figure;
  searchAnswersPerSearch: Figure;
  searchByteAmplification: Figure;
  /** The load offered and what got through: M-SEARCH/s sent and answers/s drawn, GetDeviceInfo/s sent, slowloris connections held. */
  searchesPerSec: Figure;
  searchAnswersPerSec: Figure;
  deviceInfoOfferedPerSec: Figure;
  slowlorisHeld: Figure;
}

async function figure(run: () => Promise<number>): Promise<Figure> {
  try {
    return { value: await run() };
  } catch (e) {
    return { failed: (e as Error).message.slice(0, 120) };
  }
}

/** A fresh wpa_supplicant ER on `host`: ms from WPS_ER_START to WPS-ER-AP-SETTINGS of the AP. */
async function discoverAndLearn(scope: BenchScope, host: NetnsHost, uuid: string): Promise<number> {
  const er = scope.daemon(await startEr('wpa_supplicant', host));
  const ctrl = scope.session(await attachCtrl(er));
  const t0 = performance.now();
  await waitForAps(ctrl, [uuid], await erStart(ctrl), STEP_TIMEOUT_MS);
  await sendLearn(ctrl, uuid, { timeoutMs: STEP_TIMEOUT_MS });
  await waitSettings(ctrl, uuid, STEP_TIMEOUT_MS);
  const ms = performance.now() - t0;
  ctrl.close();
  await er.stop();
  return ms;
}

async function apUnderAttack(impl: ApImpl, topo: Topology, scope: BenchScope): Promise<ApFigures> {
  const uuid = apUuid(impl === 'wpsd' ? 1 : 0);
  const ap = scope.daemon(await startAp(impl, topo.host('ap'), { uuid }));
  // The HTTP port is in LOCATION: asked with an M-SEARCH from the ER's host.
  const http = { address: topo.host('ap').address, port: await findHttpPort(topo.host('er')) };
  const evil = topo.host('evil');
  const er = topo.host('er');
  const f = {} as ApFigures;

  // SSDP reflection: 200 M-SEARCH/s with MX=0 for ATTACK_SECONDS.
  const search = await figure(async () => {
    const r = await attack<{ sent: number; answers: number; bytesOut: number; bytesIn: number }>(evil, 'msearch', { mx: 0, st: 'ssdp:all', perSecond: 200, seconds: ATTACK_SECONDS, count: 5000, settleMs: 500 }, 60_000);
    f.searchByteAmplification = { value: Math.round((r.bytesIn / Math.max(1, r.bytesOut)) * 100) / 100 };
    f.searchesPerSec = { value: Math.round(r.sent / ATTACK_SECONDS) };
    f.searchAnswersPerSec = { value: Math.round(r.answers / ATTACK_SECONDS) };
    return Math.round((r.answers / Math.max(1, r.sent)) * 100) / 100;
  });
  f.searchAnswersPerSearch = search;
  f.searchByteAmplification ??= { failed: 'not run' };
  f.searchesPerSec ??= { failed: 'not run' };
  f.searchAnswersPerSec ??= { failed: 'not run' };

  // Registration flood: GetDeviceInfo from 4 parallel clients while a fresh ER discovers and learns.
  const flood = attack<{ sent: number; statuses: Record<string, number> }>(evil, 'soapFlood', { ...http, action: 'GetDeviceInfo', parallel: 4, seconds: ATTACK_SECONDS + 10, count: 100_000 }, 90_000);
  f.deviceInfoLearnMs = await figure(() => discoverAndLearn(scope, er, uuid));
  f.deviceInfoServedPerSec = await figure(async () => {
    const r = await flood;
    return Math.round((r.statuses['200'] ?? 0) / (ATTACK_SECONDS + 10));
  });
  f.deviceInfoOfferedPerSec = await figure(async () => Math.round((await flood).sent / (ATTACK_SECONDS + 10)));
  f.pipelinedServed = await figure(async () => (await attack<{ ok: number }>(evil, 'pipeline', { ...http, action: 'GetDeviceInfo', count: 500, waitMs: 5000 })).ok);

  // Slowloris: 40 connections trickling one byte every 2 s while a fresh ER discovers and learns.
  const slow = attack<{ opened: number; refused503: number }>(evil, 'slowloris', { ...http, conns: 40, seconds: ATTACK_SECONDS + 15, gapMs: 2000 }, 90_000);
  await new Promise((r) => setTimeout(r, 2000));
  f.slowlorisLearnMs = await figure(() => discoverAndLearn(scope, er, uuid));
  f.slowlorisRefused = await figure(async () => (await slow).refused503);
  f.slowlorisHeld = await figure(async () => {
    const r = await slow;
    return r.opened - r.refused503;
  });

  // GENA: 40 SUBSCRIBEs with TIMEOUT Second-86400, then a fresh ER.
  f.genaLearnMs = await figure(async () => {
    await attack(evil, 'subscribe', { ...http, path: impl === 'wpsd' ? '/wps_event' : await eventPath(er, http), count: 40 }, 60_000);
    return discoverAndLearn(scope, er, uuid);
  });
  await ap.stop();
  return f;
}

/** The AP's HTTP port, from its description URL as an M-SEARCH answer gives it (asked from `host`). */
async function findHttpPort(host: NetnsHost): Promise<number> {
  const r = await host.exec(process.execPath, ['-e', SEARCH_LOCATION, host.address], { timeoutMs: 10_000 });
  const m = /http:\/\/[\d.]+:(\d+)\//.exec(r.stdout);
  if (!m?.[1]) throw new Error(`no LOCATION in M-SEARCH answers: ${r.stdout.slice(0, 200)}`);
  return Number(m[1]);
}

/** hostapd's eventSubURL path, from its description. */
async function eventPath(host: NetnsHost, http: { address: string; port: number }): Promise<string> {
  const r = await host.exec('sh', ['-c', `exec 3<>/dev/tcp/${http.address}/${http.port}; printf 'GET /wps_device.xml HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3; timeout 3 cat <&3`], { timeoutMs: 10_000, allowFail: true });
  return /<eventSubURL>([^<]+)<\/eventSubURL>/.exec(r.stdout)?.[1] ?? '/wps_event';
}

const SEARCH_LOCATION = String.raw`
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m) => { const l = /LOCATION: *(\S+)/i.exec(m.toString()); if (l) { process.stdout.write(l[1]); process.exit(0); } });
s.bind(0, process.argv[1], () => {
  const msg = Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\n\r\n');
  for (let i = 0; i < 3; i++) setTimeout(() => s.send(msg, 1900, '239.255.255.250'), i * 500);
  setTimeout(() => process.exit(1), 5000);
});
`;

/** The ER side: 80 spoofed ssdp:alive (LOCATION on a third host), then a real hostapd: ms to its WPS-ER-AP-ADD. */
async function erUnderAttack(impl: ErImpl, topo: Topology, scope: BenchScope): Promise<Figure> {
  return figure(async () => {
    const er = scope.daemon(await startEr(impl, topo.host('er')));
    const ctrl = scope.session(await attachCtrl(er));
    const from = await erStart(ctrl);
    await attack(topo.host('evil'), 'notifyAlive', { count: 80, locationHost: '169.254.77.77' });
    await attack(topo.host('evil'), 'notifyAlive', { count: 80, locationHost: topo.host('evil').address });
    const uuid = apUuid(2);
    const t0 = performance.now();
    const ap = scope.daemon(await startAp('hostapd', topo.host('ap'), { uuid }));
    await waitForAps(ctrl, [uuid], from, STEP_TIMEOUT_MS);
    const ms = performance.now() - t0;
    ctrl.close();
    await ap.stop();
    await er.stop();
    return ms;
  });
}

/** Discover + learn times include the ER's wait for M-SEARCH answers (MX=3: a random 0-3 s): they say whether the ER got through, and roughly how fast. */
const DISCOVERY_NOTE = 'one run each; includes the M-SEARCH answer delay (random, up to 3 s)';

function row(what: string, w: Figure, r: Figure, ref: string, note?: string): BenchRow {
  return {
    what,
    ...('value' in w ? { wpsd: w.value } : { wpsdNote: `failed: ${w.failed}` }),
    ...('value' in r ? { reference: r.value } : { referenceNote: `failed: ${r.failed}` }),
    referenceName: ref,
    runs: 1,
    ...(note !== undefined ? { note } : {}),
  };
}

export async function benchHostile(): Promise<BenchRow[]> {
  const ap = new Map<ApImpl, ApFigures>();
  for (const impl of ['hostapd', 'wpsd'] as const) {
    ap.set(impl, await withScope(async (scope) => apUnderAttack(impl, await scope.topology({ hosts: ['ap', 'er', 'evil'], link: 'bridge' }), scope)));
  }
  const er = new Map<ErImpl, Figure>();
  for (const impl of ['wpa_supplicant', 'wpsd'] as const) {
    er.set(impl, await withScope(async (scope) => erUnderAttack(impl, await scope.topology({ hosts: ['ap', 'er', 'evil'], link: 'bridge' }), scope)));
  }
  const w = ap.get('wpsd') as ApFigures;
  const h = ap.get('hostapd') as ApFigures;
  const hostapd = referenceName('hostapd');
  return [
    row('hostile: fresh ER discovers + learns after 40 SUBSCRIBE TIMEOUT=86400 from one host (ms)', w.genaLearnMs, h.genaLearnMs, hostapd, DISCOVERY_NOTE),
    row('hostile: fresh ER discovers + learns during 40 slowloris connections, 1 byte / 2 s (ms)', w.slowlorisLearnMs, h.slowlorisLearnMs, hostapd, DISCOVERY_NOTE),
    row('hostile: slowloris connections refused at once (503) in that time', w.slowlorisRefused, h.slowlorisRefused, hostapd, 'per-source limit: the flood competes with itself'),
    row('hostile: slowloris connections accepted (opened, not refused at once with 503)', w.slowlorisHeld, h.slowlorisHeld, hostapd),
    row('hostile: GetDeviceInfo/s sent by the flooding host (load offered)', w.deviceInfoOfferedPerSec, h.deviceInfoOfferedPerSec, hostapd),
    row('hostile: fresh ER discovers + learns during a GetDeviceInfo flood, 4 clients (ms)', w.deviceInfoLearnMs, h.deviceInfoLearnMs, hostapd, DISCOVERY_NOTE),
    row('hostile: GetDeviceInfo served to the flooding host per second', w.deviceInfoServedPerSec, h.deviceInfoServedPerSec, hostapd, 'each one a DH key and a registration run'),
    row('hostile: of 500 GetDeviceInfo pipelined in one write, answered 200', w.pipelinedServed, h.pipelinedServed, hostapd),
    row('hostile: answers per M-SEARCH ssdp:all MX=0 at 200/s from one host', w.searchAnswersPerSearch, h.searchAnswersPerSearch, hostapd, 'reflection towards a spoofed source'),
    row('hostile: M-SEARCH byte amplification (bytes answered / bytes sent)', w.searchByteAmplification, h.searchByteAmplification, hostapd),
    row('hostile: M-SEARCH/s sent by the flooding host (load offered)', w.searchesPerSec, h.searchesPerSec, hostapd),
    row('hostile: answers/s drawn by that flood', w.searchAnswersPerSec, h.searchAnswersPerSec, hostapd),
    row(
      'hostile: ER adds a real AP after 160 spoofed ssdp:alive with distinct UUIDs (ms)',
      er.get('wpsd') ?? { failed: 'not run' },
      er.get('wpa_supplicant') ?? { failed: 'not run' },
      referenceName('wpa_supplicant'),
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchHostile();
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
}
