// Hostile input against wpsd ap's UPnP device, from raw TCP/UDP clients in
// the ER's namespace, while Debian wpa_supplicant (the legitimate ER) keeps
// working. Every refusal is checked by what the client sees.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { ER_EVENT_MS as EVENT_MS, erLearn } from '../harness/er-runs.js';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import type { NetnsHost } from '../harness/netns.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { startWpsdAp } from '../harness/wpsd.js';

const UUID = REFERENCE_AP.uuid;
const SERVICE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
const DEVICE = 'urn:schemas-wifialliance-org:device:WFADevice:1';

/** Sends raw bytes over one TCP connection and prints what came back (bounded in size and time). */
const TCP_CLIENT = `
const net = require('node:net');
const [host, port, b64, waitMs, repB64, repCount, endB64] = process.argv.slice(1);
const s = net.connect(Number(port), host);
let out = Buffer.alloc(0);
s.on('data', (d) => { if (out.length < 65536) out = Buffer.concat([out, d]); });
s.on('error', (e) => { out = Buffer.concat([out, Buffer.from('ERROR ' + e.code)]); });
s.on('connect', async () => {
  s.write(Buffer.from(b64, 'base64'));
  // Repeated parts go out one by one and stop once the server answered, as a client reading its socket would.
  for (let i = 0; i < Number(repCount || 0) && out.length === 0 && !s.destroyed; i++) {
    s.write(Buffer.from(repB64, 'base64'));
    await new Promise((r) => setTimeout(r, 30));
  }
  if (endB64 && out.length === 0 && !s.destroyed) s.write(Buffer.from(endB64, 'base64'));
});
const done = () => { process.stdout.write(out.toString('latin1')); process.exit(0); };
s.on('close', done);
setTimeout(() => { s.destroy(); done(); }, Number(waitMs));
`;

/** Sends datagrams to the SSDP group from the ER's veth and prints every answer (JSON). */
const UDP_CLIENT = `
const dgram = require('node:dgram');
const [local, b64list, waitMs] = process.argv.slice(1);
const s = dgram.createSocket('udp4');
const got = [];
s.on('message', (m) => got.push(m.toString('latin1')));
s.bind(0, local, () => {
  for (const b of JSON.parse(b64list)) s.send(Buffer.from(b, 'base64'), 1900, '239.255.255.250');
  setTimeout(() => { process.stdout.write(JSON.stringify(got)); process.exit(0); }, Number(waitMs));
});
`;

async function tcp(
  host: NetnsHost,
  to: { address: string; port: number },
  raw: string | Buffer,
  waitMs = 3000,
  repeat?: { part: string; count: number; end: string },
): Promise<string> {
  const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1');
  const b64 = (t: string) => Buffer.from(t, 'latin1').toString('base64');
  const rep = repeat === undefined ? [] : [b64(repeat.part), String(repeat.count), b64(repeat.end)];
  const r = await host.exec(process.execPath, ['-e', TCP_CLIENT, to.address, String(to.port), b.toString('base64'), String(waitMs), ...rep], { timeoutMs: waitMs + 5000 });
  return r.stdout;
}

function soapRequest(to: { address: string; port: number }, action: string, inner: string): string {
  const body = `<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:${action} xmlns:u="${SERVICE}">${inner}</u:${action}></s:Body></s:Envelope>\n`;
  return `POST /wps_control HTTP/1.1\r\nHost: ${to.address}:${to.port}\r\nContent-Type: text/xml; charset="utf-8"\r\nSOAPACTION: "${SERVICE}#${action}"\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function statusOf(resp: string): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(resp);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

describe('wpsd ap under hostile UPnP input', () => {
  const env = withTopology({ hosts: ['ap', 'er'] });
  let erCtrl: CtrlSession;
  let attacker: NetnsHost;
  let http: { address: string; port: number };

  async function legitimateLearn(): Promise<void> {
    const learn = await erLearn(erCtrl, UUID, REFERENCE_AP.apPin, { send: (c) => erCtrl.requestUntilOk(c, 20_000, 200) });
    expect(learn.reply).toBe('OK\n');
    expect(learn.settings).toContain('ssid=test-wps');
    expect(learn.erFail).toMatch(/^WPS-FAIL msg=11/);
  }

  beforeAll(async () => {
    attacker = env.host('er');
    const wpsd = env.track(await startWpsdAp({ host: env.host('ap'), args: ['-d'] }));
    const m = await wpsd.proc.waitForOutput(/at http:\/\/([\d.]+):(\d+)\/wps_device\.xml/, 10_000);
    http = { address: m[1] as string, port: Number(m[2]) };
    const er = env.track(await startWpaSupplicantEr({ host: env.host('er') }));
    erCtrl = env.track(await er.ctrl());
    expect(await erCtrl.request('WPS_ER_START')).toBe('OK\n');
    await erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
  });

  it('refuses HTTP/1.1 without Host (400) and an oversized header block (431)', async () => {
    expect(statusOf(await tcp(attacker, http, 'GET /wps_device.xml HTTP/1.1\r\n\r\n'))).toBe(400);
    expect(statusOf(await tcp(attacker, http, `GET /wps_device.xml HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`))).toBe(431);
  });

  it('refuses a bad Content-Length, Content-Length with chunking, and bodies over the limit, announced or chunked', async () => {
    const head = `POST /wps_control HTTP/1.1\r\nHost: ${http.address}\r\nSOAPACTION: "${SERVICE}#PutMessage"\r\n`;
    expect(statusOf(await tcp(attacker, http, `${head}Content-Length: 12abc\r\n\r\nhello`))).toBe(400);
    expect(statusOf(await tcp(attacker, http, `${head}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`))).toBe(400);
    expect(statusOf(await tcp(attacker, http, `${head}Content-Length: 99999999\r\n\r\n`))).toBe(413);
    const chunk = { part: `2000\r\n${'x'.repeat(8192)}\r\n`, count: 12, end: '0\r\n\r\n' };
    expect(statusOf(await tcp(attacker, http, `${head}Transfer-Encoding: chunked\r\n\r\n`, 3000, chunk))).toBe(413);
    expect(statusOf(await tcp(attacker, http, `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`))).toBe(400);
    // Chunk extensions as a way to smuggle an unbounded body past the size check.
    const ext = statusOf(await tcp(attacker, http, `${head}Transfer-Encoding: chunked\r\n\r\n5;${'e'.repeat(70_000)}\r\nhello\r\n0\r\n\r\n`));
    expect([400, 413]).toContain(ext);
    // A body shorter than its Content-Length gets nothing until the client gives up; the server carries on.
    expect(await tcp(attacker, http, `${head}Content-Length: 100\r\n\r\nshort`, 500)).toBe('');
    expect(statusOf(await tcp(attacker, http, `GET /wps_device.xml HTTP/1.1\r\nHost: ${http.address}\r\n\r\n`))).toBe(200);
  });

  it('refuses bad XML (400), bad base64 (UPnP 600) and an oversized NewInMessage (UPnP 605)', async () => {
    const bad = `POST /wps_control HTTP/1.1\r\nHost: x\r\nSOAPACTION: "${SERVICE}#PutMessage"\r\nContent-Length: 20\r\n\r\n<s:Envelope><s:Body>`;
    expect(statusOf(await tcp(attacker, http, bad))).toBe(400);
    const b64 = await tcp(attacker, http, soapRequest(http, 'PutMessage', '<NewInMessage>EEoAAR!!AAAA</NewInMessage>'));
    expect(b64).toMatch(/<errorCode>600<\/errorCode>/);
    const huge = await tcp(attacker, http, soapRequest(http, 'PutMessage', `<NewInMessage>${Buffer.alloc(9000, 7).toString('base64')}</NewInMessage>`));
    expect(huge).toMatch(/<errorCode>605<\/errorCode>/);
  });

  it('a slow client holding a half-sent request does not stop the ER from learning', async () => {
    const slow = tcp(attacker, http, `POST /wps_control HTTP/1.1\r\nHost: x\r\nContent-Le`, 4000);
    await legitimateLearn();
    await slow;
  });

  it('SUBSCRIBE with a callback to another host is refused (412); renew and unsubscribe of an unknown SID get 412', async () => {
    const sub = (extra: string) => `SUBSCRIBE /wps_event HTTP/1.1\r\nHost: ${http.address}:${http.port}\r\n${extra}\r\n`;
    expect(statusOf(await tcp(attacker, http, sub('CALLBACK: <http://169.254.1.77:49152/evil>\r\nNT: upnp:event\r\nTIMEOUT: Second-1800\r\n')))).toBe(412);
    const unknown = 'SID: uuid:00000000-0000-0000-0000-000000000000\r\n';
    expect(statusOf(await tcp(attacker, http, sub(unknown)))).toBe(412);
    expect(statusOf(await tcp(attacker, http, `UNSUBSCRIBE /wps_event HTTP/1.1\r\nHost: x\r\n${unknown}\r\n`))).toBe(412);
  });

  it('ignores malformed M-SEARCH and answers good ones for every search target', async () => {
    const search = (st: string, man = '"ssdp:discover"') =>
      Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: ${man}\r\nMX: 1\r\nST: ${st}\r\n\r\n`).toString('base64');
    const junk = [
      Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: ssdp:all\r\n\r\n').toString('base64'),
      search('ssdp:all', 'ssdp:discover'),
      Buffer.from('\x00\xff garbage \r\n\r\n', 'latin1').toString('base64'),
      Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: lots\r\nST: ssdp:all\r\n\r\n`).toString('base64'),
    ];
    const quiet = JSON.parse((await attacker.exec(process.execPath, ['-e', UDP_CLIENT, attacker.address, JSON.stringify(junk), '1500'])).stdout) as string[];
    expect(quiet).toEqual([]);
    const targets = [['ssdp:all', 4], ['upnp:rootdevice', 1], [`uuid:${UUID}`, 1], [DEVICE, 1], [SERVICE, 1]] as const;
    // ssdp:all is answered with every type; count the answers by the ST they carry.
    const got = JSON.parse((await attacker.exec(process.execPath, ['-e', UDP_CLIENT, attacker.address, JSON.stringify(targets.map(([st]) => search(st))), '1800'])).stdout) as string[];
    for (const g of got) {
      expect(g).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(g).toContain(`LOCATION: http://${http.address}:${http.port}/wps_device.xml\r\n`);
      expect(g).toContain(`USN: uuid:${UUID}`);
    }
    const stOf = (g: string) => /\r\nST: (.*)\r\n/.exec(g)?.[1];
    expect(got.length).toBe(8);
    for (const [st] of targets.slice(1)) expect(got.filter((g) => stOf(g) === st).length, st).toBe(2);
  });

  it('a SUBSCRIBE flood is taken without a 503: each one past the host\'s share replaces its oldest, and the ER still learns afterwards', async () => {
    const results: Array<number | undefined> = [];
    for (let i = 0; i < 40; i++) {
      const r = await tcp(
        attacker,
        http,
        `SUBSCRIBE /wps_event HTTP/1.1\r\nHost: ${http.address}:${http.port}\r\nCALLBACK: <http://${attacker.address}:9/cb${i}>\r\nNT: upnp:event\r\nTIMEOUT: Second-300\r\n\r\n`,
        1500,
      );
      results.push(statusOf(r));
    }
    expect(results.every((s) => s === 200)).toBe(true);
    await legitimateLearn();
  });
});
