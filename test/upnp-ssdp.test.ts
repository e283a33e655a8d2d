/**
 * SSDP runs only inside network namespaces created here (`unshare --net`,
 * loopback up): each scenario is a child node process that runs the
 * compiled SSDP modules from dist/ in a fresh namespace and prints JSON.
 * The namespace disappears with the process, also on failure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsdpAdvertiser, responseDelayMs, SSDP_MAX_MX_SEC, buildSsdpMessage, parseSsdpMessage, parseMaxAge, SsdpMessageError } from '../src/upnp/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST_SSDP = ['ssdp-advertiser', 'ssdp-searcher', 'ssdp-message', 'ssdp-socket'].map((m) => path.join(ROOT, 'dist/src/upnp', m + '.js'));
let dir = '';

beforeAll(async () => {
  // Child processes run the compiled modules (npm test builds dist/ first; build here when run alone).
  if (!DIST_SSDP.every((f) => existsSync(f))) execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  dir = await mkdtemp(path.join(os.tmpdir(), `upnp-ssdp-${process.pid}-`));
  await writeFile(path.join(dir, 'ssdp.mjs'), DIST_SSDP.map((f) => `export * from ${JSON.stringify(f)};`).join('\n'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `body` (ESM with `ssdp` imported) in a fresh network namespace; returns the JSON it prints. */
async function inNamespace<T>(name: string, body: string, limitMs = 20_000): Promise<T> {
  const file = path.join(dir, `${name}.mjs`);
  await writeFile(
    file,
    `import * as ssdp from './ssdp.mjs';\nimport dgram from 'node:dgram';\nconst sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n` +
      `const main = async () => {\n${body}\n};\nmain().then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });\n`,
  );
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['--net', 'sh', '-c', `ip link set lo up && exec node ${JSON.stringify(file)}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`namespace scenario ${name} exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as T);
    });
  });
}

const DEVICE = `
  const udn = 'uuid:11111111-2222-3333-4444-555555555555';
  const deviceType = 'urn:schemas-example-org:device:Box:2';
  const serviceType = 'urn:schemas-example-org:service:Thing:1';
  const location = 'http://127.0.0.1:49152/desc.xml';
  const raw = [];
  // Another SSDP program on the same host: a plain socket on the group and port 1900.
  const other = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  other.on('message', (m, r) => raw.push({ from: r.address, msg: m.toString('latin1') }));
  await new Promise((r) => other.bind(1900, '239.255.255.250', r));
  other.addMembership('239.255.255.250', '127.0.0.1');
  const headersOf = (m) => Object.fromEntries([...ssdp.parseSsdpMessage(Buffer.from(m, 'latin1')).headers]);
`;

describe('SSDP in a network namespace (loopback only)', () => {
  it('announces alive for root device, uuid, device type and service type, answers M-SEARCH, ignores junk, and says byebye on stop', async () => {
    interface Result {
      alive: string[];
      aliveNotifies: Array<Record<string, string>>;
      notifySources: string[];
      answers: Record<string, Array<Record<string, string>>>;
      byebye: string[];
      byebyeNotifies: Array<Record<string, string>>;
      ignored: number;
    }
    const r = await inNamespace<Result>(
      'alive-search-byebye',
      DEVICE +
        `
  const searcher = new ssdp.SsdpSearcher();
  await searcher.start();
  const alive = new Set(); const byebye = new Set();
  searcher.on('alive', (a) => alive.add(a.usn));
  searcher.on('byebye', (a) => byebye.add(a.usn));
  const adv = new ssdp.SsdpAdvertiser({ udn, deviceType, serviceTypes: [serviceType], location, server: 'Linux UPnP/1.0 test/1', maxAgeSec: 1800, random: () => 0.1 });
  await adv.start();
  await sleep(300);
  // M-SEARCH from a plain socket, one per search target.
  const cp = dgram.createSocket('udp4');
  const answers = {};
  cp.on('message', (m) => { const h = headersOf(m.toString('latin1')); (answers[h.st] ??= []).push(h); });
  await new Promise((r) => cp.bind(0, '127.0.0.1', r));
  const search = (st, extra = '') => new Promise((r) => cp.send('M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: 1\\r\\nST: ' + st + '\\r\\n' + extra + '\\r\\n', 1900, '239.255.255.250', r));
  const junk = (s) => new Promise((r) => cp.send(s, 1900, '239.255.255.250', r));
  await junk('M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMX: 1\\r\\nST: ssdp:all\\r\\n\\r\\n');
  await junk('M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: soon\\r\\nST: ssdp:all\\r\\n\\r\\n');
  await junk('M-SEARCH * HTTP/1.1\\r\\nno colon here\\r\\n\\r\\n');
  await junk(Buffer.alloc(1500, 0xff));
  await junk('GET / HTTP/1.1\\r\\n\\r\\n');
  await junk(Buffer.from([0, 1, 2]));
  for (const st of ['upnp:rootdevice', udn, deviceType, 'urn:schemas-example-org:device:Box:1', serviceType, 'urn:schemas-example-org:service:Thing:9', 'urn:x:device:Unknown:1']) await search(st);
  await search('ssdp:all');
  await sleep(250);
  const aliveNotifies = raw.filter((x) => x.msg.startsWith('NOTIFY') && x.msg.includes('ssdp:alive')).map((x) => headersOf(x.msg));
  const notifySources = [...new Set(raw.map((x) => x.from))];
  await adv.stop();
  await sleep(300);
  const byebyeNotifies = raw.filter((x) => x.msg.includes('ssdp:byebye')).map((x) => headersOf(x.msg));
  const result = { alive: [...alive].sort(), aliveNotifies, notifySources, answers, byebye: [...byebye].sort(), byebyeNotifies, ignored: adv.stats.ignored };
  await searcher.stop(); cp.close(); other.close();
  return result;
`,
    );
    const udn = 'uuid:11111111-2222-3333-4444-555555555555';
    const usns = [udn, `${udn}::upnp:rootdevice`, `${udn}::urn:schemas-example-org:device:Box:2`, `${udn}::urn:schemas-example-org:service:Thing:1`].sort();
    expect(r.alive).toEqual(usns);
    expect(r.notifySources).toEqual(['127.0.0.1']);
    const first = r.aliveNotifies.find((h) => h['nt'] === 'upnp:rootdevice');
    expect(first).toMatchObject({
      host: '239.255.255.250:1900',
      'cache-control': 'max-age=1800',
      location: 'http://127.0.0.1:49152/desc.xml',
      nts: 'ssdp:alive',
      usn: `${udn}::upnp:rootdevice`,
      server: 'Linux UPnP/1.0 test/1',
    });
    expect(new Set(r.aliveNotifies.map((h) => h['nt']))).toEqual(new Set(['upnp:rootdevice', udn, 'urn:schemas-example-org:device:Box:2', 'urn:schemas-example-org:service:Thing:1']));
    // Each answer kind once per search target.
    const one = (st: string): Record<string, string> | undefined => r.answers[st]?.find((h) => h['usn'] !== undefined);
    expect(one('upnp:rootdevice')).toMatchObject({ usn: `${udn}::upnp:rootdevice`, location: 'http://127.0.0.1:49152/desc.xml', ext: '', 'cache-control': 'max-age=1800' });
    expect(one(udn)?.['usn']).toBe(udn);
    // A search for an older version of our device type is answered with that version.
    expect(one('urn:schemas-example-org:device:Box:1')?.['usn']).toBe(`${udn}::urn:schemas-example-org:device:Box:1`);
    expect(one('urn:schemas-example-org:service:Thing:1')?.['usn']).toBe(`${udn}::urn:schemas-example-org:service:Thing:1`);
    expect(r.answers['urn:schemas-example-org:service:Thing:9']).toBeUndefined();
    expect(r.answers['urn:x:device:Unknown:1']).toBeUndefined();
    // ssdp:all: one answer per notification target, each with ST = the target.
    expect(r.answers['upnp:rootdevice']?.length).toBe(2); // one for the rootdevice search, one from ssdp:all
    expect(r.ignored).toBeGreaterThanOrEqual(6);
    expect(r.byebye).toEqual(usns);
    expect(r.byebyeNotifies.every((h) => h['location'] === undefined && h['cache-control'] === undefined)).toBe(true);
  });

  it('searcher finds a device by M-SEARCH, re-announcements come before max-age, and silent entries expire', async () => {
    interface Result {
      found: Array<{ usn: string; nt: string; via: string; location: string }>;
      announceRounds: number;
      expired: string[];
      afterExpiry: string[];
    }
    const r = await inNamespace<Result>(
      'search-expiry',
      DEVICE +
        `
  const adv = new ssdp.SsdpAdvertiser({ udn, deviceType, serviceTypes: [serviceType], location, server: 's', maxAgeSec: 3, random: () => 0 });
  await adv.start();
  const searcher = new ssdp.SsdpSearcher();
  await searcher.start();
  const found = []; const expired = [];
  searcher.on('alive', (a) => found.push({ usn: a.usn, nt: a.nt, via: a.via, location: a.location }));
  searcher.on('expired', (a) => expired.push(a.usn));
  await searcher.search(serviceType, 1);
  await sleep(1500);
  // Re-announcements: alive rounds seen by the other program within 1.5 s of a 3 s max-age.
  const rounds = raw.filter((x) => x.msg.includes('ssdp:alive') && x.msg.includes('NT: upnp:rootdevice')).length;
  await adv.stop();
  // A device that vanishes without byebye: one alive with max-age=1, then silence.
  const ghost = dgram.createSocket('udp4');
  await new Promise((r) => ghost.bind(0, '127.0.0.1', r));
  ghost.setMulticastInterface('127.0.0.1');
  await new Promise((r) => ghost.send('NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nCACHE-CONTROL: max-age=1\\r\\nLOCATION: http://127.0.0.1:1/d.xml\\r\\nNT: upnp:rootdevice\\r\\nNTS: ssdp:alive\\r\\nUSN: uuid:ghost::upnp:rootdevice\\r\\n\\r\\n', 1900, '239.255.255.250', r));
  for (let i = 0; i < 40 && !expired.includes('uuid:ghost::upnp:rootdevice'); i++) await sleep(100);
  const result = { found, announceRounds: rounds, expired, afterExpiry: searcher.advertisements().map((a) => a.usn) };
  ghost.close(); await searcher.stop(); other.close();
  return result;
`,
    );
    const udn = 'uuid:11111111-2222-3333-4444-555555555555';
    expect(r.found).toContainEqual({ usn: `${udn}::urn:schemas-example-org:service:Thing:1`, nt: 'urn:schemas-example-org:service:Thing:1', via: 'response', location: 'http://127.0.0.1:49152/desc.xml' });
    // Start sends SSDP_ANNOUNCE_REPEAT copies; at least one more round follows within max-age/2.
    expect(r.announceRounds).toBeGreaterThanOrEqual(3);
    expect(r.expired).toContain('uuid:ghost::upnp:rootdevice');
    expect(r.afterExpiry).not.toContain('uuid:ghost::upnp:rootdevice');
  });

  it('searcher: no timer while its table is empty, one armed for the earliest max-age, expiry as an event', async () => {
    interface Result {
      timersWhileEmpty: Array<[string, number]>;
      timersAfterAlive: Array<[string, number]>;
      expired: string[];
      left: string[];
    }
    const r = await inNamespace<Result>(
      'expiry-timer',
      `
  const timers = [];
  const setI = globalThis.setInterval, setT = globalThis.setTimeout;
  globalThis.setInterval = (fn, ms, ...a) => { timers.push(['interval', ms]); return setI(fn, ms, ...a); };
  globalThis.setTimeout = (fn, ms, ...a) => { timers.push(['timeout', ms]); return setT(fn, ms, ...a); };
  const searcher = new ssdp.SsdpSearcher();
  await searcher.start();
  await new Promise((r) => setImmediate(r));
  const timersWhileEmpty = timers.splice(0);
  const alive = new Promise((r) => searcher.once('alive', r));
  const expired = new Promise((r) => searcher.once('expired', (a) => r(a.usn)));
  const ghost = dgram.createSocket('udp4');
  await new Promise((r) => ghost.bind(0, '127.0.0.1', r));
  ghost.setMulticastInterface('127.0.0.1');
  await new Promise((r) => ghost.send('NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nCACHE-CONTROL: max-age=1\\r\\nLOCATION: http://127.0.0.1:1/d.xml\\r\\nNT: upnp:rootdevice\\r\\nNTS: ssdp:alive\\r\\nUSN: uuid:ghost::upnp:rootdevice\\r\\n\\r\\n', 1900, '239.255.255.250', r));
  await alive;
  const timersAfterAlive = timers.splice(0);
  const usn = await expired;
  const result = { timersWhileEmpty, timersAfterAlive, expired: [usn], left: searcher.advertisements().map((a) => a.usn) };
  ghost.close(); await searcher.stop();
  return result;
`,
    );
    expect(r.timersWhileEmpty.filter(([, ms]) => ms < 1000)).toEqual([]);
    expect(r.timersWhileEmpty.filter(([kind]) => kind === 'interval')).toEqual([]);
    // One timeout for the ghost's max-age (1 s from its arrival), nothing periodic.
    expect(r.timersAfterAlive).toHaveLength(1);
    expect(r.timersAfterAlive[0]?.[0]).toBe('timeout');
    expect(r.timersAfterAlive[0]?.[1]).toBeGreaterThan(0);
    expect(r.timersAfterAlive[0]?.[1]).toBeLessThanOrEqual(1000);
    expect(r.expired).toEqual(['uuid:ghost::upnp:rootdevice']);
    expect(r.left).toEqual([]);
  });

  it('two advertisers and a searcher share port 1900 in one namespace', async () => {
    const r = await inNamespace<{ usns: string[] }>(
      'coexist',
      `
  const mk = (n) => new ssdp.SsdpAdvertiser({ udn: 'uuid:dev-' + n, deviceType: 'urn:x:device:D:1', serviceTypes: [], location: 'http://127.0.0.1:' + (5000 + n) + '/', server: 's', random: () => 0 });
  const a = mk(1), b = mk(2);
  const s = new ssdp.SsdpSearcher();
  await s.start(); await a.start(); await b.start();
  await s.search('upnp:rootdevice', 1);
  await sleep(400);
  const usns = s.advertisements().map((x) => x.usn).filter((u) => u.endsWith('::upnp:rootdevice')).sort();
  await a.stop(); await b.stop(); await s.stop();
  return { usns };
`,
    );
    expect(r.usns).toEqual(['uuid:dev-1::upnp:rootdevice', 'uuid:dev-2::upnp:rootdevice']);
  });
});

describe('SSDP messages and search matching (no sockets)', () => {
  it('clamps MX to 120 s and keeps the answer delay inside it', () => {
    expect(SSDP_MAX_MX_SEC).toBe(120);
    expect(responseDelayMs(3, 0.5)).toBe(1500);
    expect(responseDelayMs(1000, 0.999999)).toBeLessThan(120_000);
    expect(responseDelayMs(0, 0.7)).toBe(0);
  });

  it('matches ssdp:all, upnp:rootdevice, the uuid, and device/service types of the same or an older version', () => {
    const adv = new SsdpAdvertiser({ udn: 'uuid:u', deviceType: 'urn:x:device:D:2', serviceTypes: ['urn:x:service:S:1'], location: 'http://127.0.0.1/', server: 's' });
    expect(adv.matchSearchTarget('ssdp:all').map((t) => t.nt)).toEqual(['upnp:rootdevice', 'uuid:u', 'urn:x:device:D:2', 'urn:x:service:S:1']);
    expect(adv.matchSearchTarget('upnp:rootdevice')).toEqual([{ nt: 'upnp:rootdevice', usn: 'uuid:u::upnp:rootdevice' }]);
    expect(adv.matchSearchTarget('uuid:u')).toEqual([{ nt: 'uuid:u', usn: 'uuid:u' }]);
    expect(adv.matchSearchTarget('urn:x:device:D:1')).toEqual([{ nt: 'urn:x:device:D:1', usn: 'uuid:u::urn:x:device:D:1' }]);
    expect(adv.matchSearchTarget('urn:x:device:D:3')).toEqual([]);
    expect(adv.matchSearchTarget('uuid:other')).toEqual([]);
  });

  it('parses the three message kinds and refuses malformed datagrams with SsdpMessageError', () => {
    const m = parseSsdpMessage(buildSsdpMessage('NOTIFY * HTTP/1.1', [['NT', 'upnp:rootdevice'], ['Cache-Control', 'max-age=60']]));
    expect(m.kind).toBe('notify');
    expect(m.headers.get('cache-control')).toBe('max-age=60');
    expect(parseSsdpMessage(Buffer.from('HTTP/1.1 200 OK\r\nST: x\r\n\r\n'))).toMatchObject({ kind: 'response', status: 200 });
    for (const bad of ['', 'NOTIFY / HTTP/1.1\r\n\r\n', 'M-SEARCH * HTTP/1.1\r\nA: 1\r\na: 2\r\n\r\n', 'M-SEARCH * HTTP/1.1\r\n: x\r\n\r\n', 'SUBSCRIBE * HTTP/1.1\r\n\r\n']) {
      expect(() => parseSsdpMessage(Buffer.from(bad))).toThrow(SsdpMessageError);
    }
    expect(() => parseSsdpMessage(Buffer.alloc(2000, 0x41))).toThrow(/bytes/);
    expect(parseMaxAge('no-cache="Ext", max-age = 120')).toBe(120);
    expect(parseMaxAge('max-age=abc')).toBeUndefined();
  });
});
