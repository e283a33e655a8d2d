// Floods from a namespace of their own against wpsd ap's UPnP device and
// wpsd sta's External Registrar, each followed (or accompanied) by a
// legitimate peer that must still work: Debian wpa_supplicant and wpsd sta
// as ERs discover, subscribe to and learn the AP; the ER still adds a real
// AP. Every attack is bounded in count and time (harness/attack.ts).
import { describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { attack } from '../harness/attack.js';
import { erLearn } from '../harness/er-runs.js';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd } from '../harness/hostapd.js';
import type { NetnsHost } from '../harness/netns.js';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { startWpsdAp, startWpsdSta, type WpsdApInstance } from '../harness/wpsd.js';

const UUID = REFERENCE_AP.uuid;
const FLOOD_MS = 120_000;
/** A flood plus a legitimate run after it, on a busy machine. */
const TEST_MS = 180_000;

async function learnOk(er: CtrlSession, uuid: string = UUID): Promise<void> {
  const learn = await erLearn(er, uuid, REFERENCE_AP.apPin, { send: (c) => er.requestUntilOk(c, 30_000, 300), timeoutMs: 30_000 });
  expect(learn.reply).toBe('OK\n');
  expect(learn.settings).toContain('ssid=test-wps');
}

describe('wpsd ap under floods from another host; Debian wpa_supplicant ERs still work', { timeout: TEST_MS }, () => {
  const env = withTopology({ hosts: ['ap', 'er', 'evil'] });
  let ap: WpsdApInstance;
  let evil: NetnsHost;
  let http: { address: string; port: number };

  /** A fresh Debian wpa_supplicant ER: it discovers and subscribes after the flood. */
  async function freshEr(): Promise<CtrlSession> {
    const er = env.track(await startWpaSupplicantEr({ host: env.host('er') }));
    const ctrl = env.track(await er.ctrl());
    expect(await ctrl.request('WPS_ER_START')).toBe('OK\n');
    await ctrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${UUID} `), 30_000);
    return ctrl;
  }

  it('starts wpsd ap', async () => {
    evil = env.host('evil');
    ap = env.track(await startWpsdAp({ host: env.host('ap'), args: ['-d'] }));
    const m = await ap.proc.waitForOutput(/at http:\/\/([\d.]+):(\d+)\/wps_device\.xml/, 10_000);
    http = { address: m[1] as string, port: Number(m[2]) };
  });

  it('GENA: 40 SUBSCRIBEs with TIMEOUT Second-86400 from one host are all taken (each replacing its own oldest), and an ER arriving afterwards subscribes and learns', async () => {
    const r = await attack<{ statuses: Record<string, number> }>(evil, 'subscribe', { ...http, path: '/wps_event', count: 40 });
    expect(r.statuses).toEqual({ 200: 40 });
    expect(ap.proc.output()).toMatch(/holds 4 subscriptions; dropping its oldest/);
    const er = await freshEr();
    await learnOk(er);
  });

  it('HTTP: 40 slowloris connections and a reconnect flood of idle connections from one host; the ER learns meanwhile', async () => {
    const er = await freshEr();
    const slow = attack<{ opened: number; refused503: number }>(evil, 'slowloris', { ...http, conns: 40, seconds: 20, gapMs: 2000 }, FLOOD_MS);
    const idle = attack<{ opened: number }>(evil, 'reconnect', { ...http, parallel: 20, count: 1000, seconds: 20 }, FLOOD_MS);
    await new Promise((r) => setTimeout(r, 2000));
    await learnOk(er);
    const [s, i] = await Promise.all([slow, idle]);
    // Only 16 connections from that host were ever held at once; the rest were refused with 503 at once.
    expect(s.refused503).toBeGreaterThan(0);
    expect(i.opened).toBeGreaterThan(20);
  });

  it('registration flood: GetDeviceInfo from 4 parallel clients and 500 pipelined in one write; the ER learns meanwhile', async () => {
    const er = await freshEr();
    const flood = attack<{ sent: number; statuses: Record<string, number> }>(evil, 'soapFlood', { ...http, action: 'GetDeviceInfo', parallel: 4, seconds: 15, count: 20_000 }, FLOOD_MS);
    const piped = await attack<{ ok: number; busy: number }>(evil, 'pipeline', { ...http, action: 'GetDeviceInfo', count: 500, waitMs: 5000 });
    // At most 16 reach a handler (requests per connection), and the GetDeviceInfo rate per source answers fewer.
    expect(piped.ok).toBeLessThanOrEqual(8);
    await learnOk(er);
    const f = await flood;
    // Most of the flood was refused (rate limit per source, UPnP error 501 in a 500 response, or 503).
    expect((f.statuses['200'] ?? 0) < f.sent / 2).toBe(true);
  });

  it('SSDP: an M-SEARCH flood draws a bounded number of answers, MX=120 searches do not starve others, and the ER still discovers the AP', async () => {
    const flood = await attack<{ sent: number; answers: number; bytesOut: number; bytesIn: number }>(
      evil,
      'msearch',
      { mx: 0, st: 'ssdp:all', perSecond: 200, seconds: 5, count: 1000, settleMs: 500 },
      FLOOD_MS,
    );
    // Burst of 8 and 2 a second from one source, 4 answers each: far below 4 per search.
    expect(flood.sent).toBeGreaterThan(100);
    expect(flood.answers).toBeLessThanOrEqual((8 + 2 * 6) * 4);
    const hold = attack(evil, 'msearch', { mx: 120, st: 'ssdp:all', perSecond: 50, seconds: 5, count: 250, settleMs: 0 }, FLOOD_MS);
    await new Promise((r) => setTimeout(r, 1500));
    const er = await freshEr();
    await learnOk(er);
    await hold;
  });
});

describe('wpsd sta (External Registrar) under spoofed advertisements, injected NOTIFYs and a callback-port flood', { timeout: TEST_MS }, () => {
  const env = withTopology({ hosts: ['ap', 'er', 'evil', 'hap'] });
  let er: CtrlSession;
  let ap: WpsdApInstance;
  let sta: Awaited<ReturnType<typeof startWpsdSta>>;

  it('80 spoofed ssdp:alive with distinct UUIDs (LOCATION on a third host, and on the sender) do not keep real APs out (Debian hostapd, wpsd ap); nothing is fetched from the third host', async () => {
    const evil = env.host('evil');
    sta = env.track(await startWpsdSta({ host: env.host('er'), args: ['-d'] }));
    er = env.track(await sta.ctrl());
    expect(await er.request('WPS_ER_START')).toBe('OK\n');
    await attack(evil, 'notifyAlive', { count: 80, locationHost: '169.254.77.77' });
    await attack(evil, 'notifyAlive', { count: 80, locationHost: evil.address });
    const hostapdUuid = '12345678-9abc-def0-1234-56789abcde99';
    env.track(await startHostapd({ host: env.host('hap'), uuid: hostapdUuid }));
    await er.waitFor(new RegExp(`^WPS-ER-AP-ADD ${hostapdUuid} `), 30_000);
    await learnOk(er, hostapdUuid);
    ap = env.track(await startWpsdAp({ host: env.host('ap'), args: ['-d'] }));
    await er.waitFor(new RegExp(`^WPS-ER-AP-ADD ${UUID} `), 30_000);
    expect(sta.proc.output()).toMatch(/LOCATION http:\/\/169\.254\.77\.77:\d+\/wps_device\.xml is not on the advertising host/);
    expect(sta.proc.output()).not.toMatch(/Added AP entry for [\d.]+ \(http:\/\/169\.254\.77\.77/);
    await learnOk(er);
  });

  it('a NOTIFY with the right callback path and SID from a host other than the AP is refused (412) and adds no Enrollee', async () => {
    const evil = env.host('evil');
    const sub = /gena: new subscription (uuid:[0-9a-f-]+) from [\d.]+ -> (http:\/\/[\d.]+:\d+(\/event\/[0-9a-f]+))/.exec(ap.proc.output());
    expect(sub).not.toBeNull();
    const [, sid, callback, path] = sub as unknown as [string, string, string, string];
    const u = new URL(callback);
    // A probe-request WLANEvent for a made-up Enrollee.
    const body =
      '<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><WLANEvent>' +
      Buffer.concat([Buffer.from([1]), Buffer.from('02:00:00:00:66:66'), Buffer.from('104a000110103a000100', 'hex')]).toString('base64') +
      '</WLANEvent></e:property></e:propertyset>';
    const text = `NOTIFY ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: text/xml\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: ${sid}\r\nSEQ: 1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    er.mark();
    const r = await attack<{ status: number }>(evil, 'raw', { address: u.hostname, port: Number(u.port), text });
    expect(r.status).toBe(412);
    await new Promise((res) => setTimeout(res, 1000));
    expect(er.events.slice(er.mark()).some((e) => e.text.startsWith('WPS-ER-ENROLLEE-ADD'))).toBe(false);
    expect(er.events.some((e) => e.text.includes('02:00:00:00:66:66'))).toBe(false);
  });

  it('40 connections held on the ER\'s callback port from one host leave room for the AP: its requests are still served', async () => {
    const evil = env.host('evil');
    const sub = /gena: new subscription (uuid:[0-9a-f-]+) from [\d.]+ -> (http:\/\/[\d.]+:\d+)/.exec(ap.proc.output());
    const u = new URL((sub as RegExpExecArray)[2] as string);
    const held = attack(evil, 'reconnect', { address: u.hostname, port: Number(u.port), parallel: 40, count: 400, seconds: 12 }, FLOOD_MS);
    await new Promise((res) => setTimeout(res, 1500));
    // From the AP's host: a NOTIFY for an unknown SID is answered (412), so the slot was there.
    const fromAp = await attack<{ status: number }>(env.host('ap'), 'raw', {
      address: u.hostname,
      port: Number(u.port),
      text: `NOTIFY /event/00 HTTP/1.1\r\nHost: ${u.host}\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: uuid:0\r\nSEQ: 0\r\nContent-Length: 0\r\n\r\n`,
    });
    expect(fromAp.status).toBe(412);
    await held;
    await learnOk(er);
  });
});

describe('wpsd sta (External Registrar) under 600 advertisements of other UPnP devices', { timeout: TEST_MS }, () => {
  const env = withTopology({ hosts: ['ap', 'er', 'evil', 'hap'] });

  it('600 ssdp:alive with distinct UUIDs and non-WFA types (root devices, media servers, gateways) leave the ER\'s tables to the real APs: Debian hostapd and wpsd ap are added and learned', async () => {
    const evil = env.host('evil');
    const sta = env.track(await startWpsdSta({ host: env.host('er'), args: ['-d'] }));
    const er = env.track(await sta.ctrl());
    expect(await er.request('WPS_ER_START')).toBe('OK\n');
    const nts = ['upnp:rootdevice', 'urn:schemas-upnp-org:device:MediaServer:1', 'urn:schemas-upnp-org:service:ContentDirectory:1', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1'];
    const r = await attack<{ sent: number }>(evil, 'notifyAlive', { count: 600, locationHost: evil.address, nts }, FLOOD_MS);
    expect(r.sent).toBe(600);
    // None of them is a WFADevice: nothing is fetched, nothing is added.
    expect(sta.proc.output()).not.toMatch(/AP table full/);
    expect(er.events.some((e) => e.text.startsWith('WPS-ER-AP-ADD'))).toBe(false);
    const hostapdUuid = '12345678-9abc-def0-1234-56789abcde99';
    env.track(await startHostapd({ host: env.host('hap'), uuid: hostapdUuid }));
    await er.waitFor(new RegExp(`^WPS-ER-AP-ADD ${hostapdUuid} `), 30_000);
    await learnOk(er, hostapdUuid);
    env.track(await startWpsdAp({ host: env.host('ap'), args: ['-d'] }));
    await er.waitFor(new RegExp(`^WPS-ER-AP-ADD ${UUID} `), 30_000);
    await learnOk(er);
  });
});
