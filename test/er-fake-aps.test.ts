// wpsd sta's External Registrar against test APs: small node HTTP/SSDP
// servers started in a namespace of their own, some misbehaving (bad or
// oversized descriptions, URLs elsewhere, answers that never come, a
// SUBSCRIBE without SID), some injecting WLANEvents (Enrollee probes and a
// whole EAP run of a station, played by src/wps's Enrollee). Debian's wpa_cli
// drives wpsd; the events are checked line by line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology } from '../harness/fixture.js';
import type { ManagedProcess } from '../harness/netns.js';
import { startWpsdSta, type WpsdStaInstance } from '../harness/wpsd.js';

const EVENT_MS = 15_000;
const ROOT = join(import.meta.dirname, '..');
const dist = (m: string): string => JSON.stringify(join(ROOT, 'dist', 'src', m));

/**
 * The test AP program: argv[2] is JSON { address, aps: [{ uuid, port, mode, mac, name, probes, station }] }.
 * Prints one JSON line per notable request on stdout ({ap, what, ...}).
 */
const FAKE_AP = `
import http from 'node:http';
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { Enrollee } from ${dist('wps/enrollee.js')};
import { encodeAttributes, attrU8, attrU16, attrBytes, attrString, AttributeType as A } from ${dist('wps/attributes.js')};
import { buildWfaExtension } from ${dist('wps/vendor-ext.js')};
import { buildWlanEvent } from ${dist('wfa/wlan-event.js')};

const cfg = JSON.parse(process.argv[2]);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const mac = (s) => Buffer.from(s.replace(/:/g, ''), 'hex');
const uuidBytes = (s) => Buffer.from(s.replace(/-/g, ''), 'hex');
const device = (name, macText, uuid, category) => ({
  uuid: uuidBytes(uuid), macAddress: mac(macText), deviceName: name, manufacturer: 'TestCo', modelName: name + ' model',
  modelNumber: '7', serialNumber: 'S' + name, primaryDeviceType: Buffer.from([0, category, 0, 0x50, 0xf2, 4, 0, 1]),
  osVersion: 0x01020304, configMethods: 0x0188, rfBands: 1,
});

function probeTlvs(p) {
  return encodeAttributes([
    attrU8(A.Version, 0x10), attrU8(A.RequestType, 1), attrU16(A.ConfigMethods, p.configMethods),
    attrBytes(A.UuidE, uuidBytes(p.uuid)), attrBytes(A.PrimaryDeviceType, Buffer.from([0, 1, 0, 0x50, 0xf2, 4, 0, 1])),
    attrU8(A.RfBands, 1), attrU16(A.AssociationState, 0), attrU16(A.ConfigurationError, 0), attrU16(A.DevicePasswordId, p.pwId ?? 0),
    attrString(A.Manufacturer, 'TestCo'), attrString(A.ModelName, 'Phone'), attrString(A.ModelNumber, '3'), attrString(A.DeviceName, p.name),
    buildWfaExtension({ version2: 0x20 }),
  ]);
}

function description(ap, port) {
  const base = 'http://' + cfg.address + ':' + port + '/';
  let control = 'ctl', event = 'evt';
  if (ap.mode === 'other-host') control = 'http://169.254.1.99:' + port + '/ctl';
  if (ap.mode === 'dns-name') event = 'http://ap.example.org:' + port + '/evt';
  const svc = '<service><serviceType>urn:schemas-wifialliance-org:service:WFAWLANConfig:1</serviceType><serviceId>urn:wifialliance-org:serviceId:WFAWLANConfig1</serviceId><SCPDURL>scpd.xml</SCPDURL>' +
    (ap.mode === 'no-control' ? '' : '<controlURL>' + control + '</controlURL>') + (ap.mode === 'no-event' ? '' : '<eventSubURL>' + event + '</eventSubURL>') + '</service>';
  const xml = '<?xml version="1.0"?>\\n<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>' +
    '<deviceType>urn:schemas-wifialliance-org:device:WFADevice:1</deviceType><friendlyName>' + ap.name + '</friendlyName><manufacturer>TestCo</manufacturer>' +
    '<manufacturerURL>http://example.com/</manufacturerURL><modelDescription>Test AP</modelDescription><modelName>TAP</modelName><modelNumber>1</modelNumber>' +
    '<modelURL>http://example.com/tap/</modelURL><serialNumber>1</serialNumber><UDN>uuid:' + ap.uuid + '</UDN><serviceList>' + svc + '</serviceList></device></root>\\n';
  return ap.mode === 'bad-xml' ? xml.slice(0, xml.length / 2) : xml;
}

const soap = (action, args) => '<?xml version="1.0"?>\\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\\n<s:Body>\\n<u:' + action +
  'Response xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">\\n' + Object.entries(args).map(([k, v]) => '<' + k + '>' + v + '</' + k + '>\\n').join('') + '</u:' + action + 'Response>\\n</s:Body>\\n</s:Envelope>\\n';
const arg = (body, name) => (new RegExp('<' + name + '>([\\\\s\\\\S]*?)</' + name + '>').exec(body) || [])[1];

function startAp(ap) {
  const apDev = device(ap.name, ap.mac, ap.uuid, 6);
  const m1 = new Enrollee({ device: apDev, password: { kind: 'pin', pin: '12345670' }, ap: { settings: { networkIndex: 1, ssid: Buffer.from('fake'), authType: 0x20, encrType: 8, networkKey: Buffer.from('fakepass1'), macAddress: apDev.macAddress, extra: [] } } }).start();
  let callback; let seq = 0; const stations = new Map();
  // Like hostapd (wps_upnp_event.c), one NOTIFY at a time per subscriber, the rest queued, sent back to back.
  const queue = []; let sending = false;
  const notify = (wlanEvent) => {
    if (!callback) return;
    queue.push(wlanEvent);
    if (!sending) sendNext();
  };
  function sendNext() {
    const wlanEvent = queue.shift();
    sending = wlanEvent !== undefined;
    if (!sending) return;
    const body = '<?xml version="1.0" encoding="utf-8"?>\\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">\\n<e:property><WLANEvent>' + wlanEvent + '</WLANEvent></e:property>\\n</e:propertyset>\\n';
    const u = new URL(callback);
    let done = false;
    const next = () => { if (!done) { done = true; sendNext(); } };
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'NOTIFY', headers: { 'content-type': 'text/xml; charset="utf-8"', nt: 'upnp:event', nts: 'upnp:propchange', sid: sid, seq: String(seq++), 'content-length': Buffer.byteLength(body) } });
    req.setTimeout(5000, () => req.destroy());
    req.on('response', (r) => { say({ ap: ap.name, what: 'notified', status: r.statusCode }); r.resume(); r.on('end', next); r.on('error', next); });
    req.on('error', next); req.end(body);
  }
  const sid = 'uuid:' + randomUUID();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/desc.xml') {
        if (ap.mode === 'never') return; // never answers
        if (ap.mode === 'oversized') { const big = 'x'.repeat(300000); res.writeHead(200, { 'content-type': 'text/xml', 'content-length': big.length }); return res.end(big); }
        if (ap.mode === 'endless') { res.writeHead(200, { 'content-type': 'text/xml' }); const t = setInterval(() => { if (!res.write('<x>' + 'y'.repeat(4000) + '</x>')) {} }, 5); res.on('close', () => clearInterval(t)); return; }
        res.writeHead(200, { 'content-type': 'text/xml' }); return res.end(description(ap, ap.port));
      }
      if (req.method === 'POST' && req.url === '/ctl') {
        const action = String(req.headers.soapaction || '').replace(/"/g, '').split('#')[1];
        say({ ap: ap.name, what: action, args: action === 'GetDeviceInfo' ? {} : { NewWLANEventMAC: arg(body, 'NewWLANEventMAC'), NewWLANEventType: arg(body, 'NewWLANEventType') } });
        if (action === 'GetDeviceInfo') { res.writeHead(200, { 'content-type': 'text/xml' }); return res.end(soap('GetDeviceInfo', { NewDeviceInfo: m1.toString('base64') })); }
        if (action === 'PutWLANResponse') {
          const staMac = arg(body, 'NewWLANEventMAC');
          const st = stations.get(staMac);
          const msg = Buffer.from(arg(body, 'NewMessage').replace(/\\s/g, ''), 'base64');
          res.writeHead(200, { 'content-type': 'text/xml' }); res.end(soap('PutWLANResponse', {}));
          if (st) {
            const step = st.receive(msg);
            for (const ev of step.events) say({ ap: ap.name, what: 'station-event', type: ev.type, ssid: ev.credential ? ev.credential.ssid.toString() : undefined, key: ev.credential ? ev.credential.networkKey.toString() : undefined });
            if (step.reply) setTimeout(() => notify(buildWlanEvent(2, mac(staMac), step.reply)), 10);
          }
          return;
        }
        if (action === 'SetSelectedRegistrar') {
          const m = Buffer.from(arg(body, 'NewMessage').replace(/\\s/g, ''), 'base64');
          say({ ap: ap.name, what: 'sel-reg', hex: m.toString('hex') });
          res.writeHead(200, { 'content-type': 'text/xml' }); res.end(soap('SetSelectedRegistrar', {}));
          // A PIN Registrar selected (Selected Registrar 1, Device Password ID 0): the station of this AP starts its run.
          if (ap.station && !stations.has(ap.station.mac) && m.toString('hex').startsWith('104a000110104100010110120002000010')) setTimeout(() => startStation(ap.station), 50);
          // PBC selected (Device Password ID 4): the push-button station starts.
          if (ap.pbcStation && !stations.has(ap.pbcStation.mac) && m.toString('hex').startsWith('104a000110104100010110120002000410')) setTimeout(() => startStation(ap.pbcStation), 50);
          // PIN selected with the last burst station's MAC authorized: all burst stations start their runs at once.
          if (ap.burst && !ap.burstStarted && m.toString('hex').startsWith('104a000110104100010110120002000010') && m.toString('hex').includes(ap.burst.goMac.replace(/:/g, ''))) {
            ap.burstStarted = true;
            for (const s of ap.burst.stations) startStation(s);
          }
          return;
        }
        res.writeHead(401); return res.end();
      }
      if (req.method === 'SUBSCRIBE' && req.url === '/evt') {
        if (ap.mode === 'no-sid') { res.writeHead(200, { timeout: 'Second-1800' }); return res.end(); }
        const timeout = 'Second-' + (ap.subTimeout || 1800);
        if (req.headers.sid) { say({ ap: ap.name, what: 'renewed', ok: req.headers.sid === sid }); res.writeHead(req.headers.sid === sid ? 200 : 412, { sid, timeout }); return res.end(); }
        callback = /<([^>]+)>/.exec(String(req.headers.callback || ''))?.[1];
        res.writeHead(200, { sid, timeout }); res.end();
        say({ ap: ap.name, what: 'subscribed' });
        setTimeout(() => {
          if (ap.garbage) {
            // Hostile WLANEvents first: bad base64, too short, unknown type, bad MAC text, truncated TLVs, a non-M1 from a stranger.
            for (const g of ['%%%', Buffer.from([1, 2, 3]).toString('base64'), Buffer.concat([Buffer.from([9]), Buffer.from('02:00:00:00:00:01')]).toString('base64'),
              Buffer.concat([Buffer.from([1]), Buffer.from('02:00:00:00:00:0g'), Buffer.from([0x10])]).toString('base64'),
              buildWlanEvent(1, mac('02:00:00:00:00:01'), Buffer.from([0x10, 0x47, 0, 16, 1, 2])),
              buildWlanEvent(2, mac('02:00:00:00:00:02'), encodeAttributes([attrU8(A.Version, 0x10), attrU8(A.MessageType, 0x0d)]))]) notify(g);
          }
          for (const p of ap.probes || []) for (let i = 0; i < 2; i++) notify(buildWlanEvent(1, mac(p.mac), probeTlvs(p)));
        }, 300);
        return;
      }
      if (req.method === 'UNSUBSCRIBE') { res.writeHead(200); return res.end(); }
      res.writeHead(404); res.end();
    });
  });
  function startStation(s) {
    const e = new Enrollee({ device: device(s.name, s.mac, s.uuid, 1), password: s.pin ? { kind: 'pin', pin: s.pin } : { kind: 'pbc' } });
    stations.set(s.mac, e);
    notify(buildWlanEvent(2, mac(s.mac), e.start()));
  }
  server.listen(ap.port, cfg.address);
  return { ap };
}

const aps = cfg.aps.map(startAp);
const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
sock.bind(0, cfg.address, () => {
  sock.setMulticastInterface(cfg.address);
  const alive = () => { for (const { ap } of aps) {
    const msg = 'NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nCACHE-CONTROL: max-age=' + (ap.maxAge || 1800) + '\\r\\nLOCATION: http://' + cfg.address + ':' + ap.port + '/desc.xml\\r\\n' +
      'NT: urn:schemas-wifialliance-org:device:WFADevice:1\\r\\nNTS: ssdp:alive\\r\\nSERVER: Test, UPnP/1.0, Test\\r\\nUSN: uuid:' + ap.uuid + '::urn:schemas-wifialliance-org:device:WFADevice:1\\r\\n\\r\\n';
    sock.send(msg, 1900, '239.255.255.250');
  } };
  alive();
  setInterval(alive, 700);
});
process.on('SIGTERM', () => process.exit(0));
say({ what: 'ready' });
`;

/** The first event (from the session's start, whatever the cursor) matching `re`; polls, bounded. */
async function eventSeen(s: CtrlSession, re: RegExp, timeoutMs = EVENT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ev = s.events.find((e) => re.test(e.text));
    if (ev) return ev.text;
    if (Date.now() > deadline) throw new Error(`no event ${re} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface FakeApSpec {
  uuid: string;
  port: number;
  mode: string;
  mac: string;
  name: string;
  probes?: Array<{ mac: string; uuid: string; name: string; configMethods: number; pwId?: number }>;
  /** CACHE-CONTROL max-age of its NOTIFYs (default 1800). */
  maxAge?: number;
  /** TIMEOUT granted to SUBSCRIBE (default 1800 s). */
  subTimeout?: number;
  /** Sends malformed WLANEvents before its probes. */
  garbage?: boolean;
  /** A station that runs EAP-WSC with this PIN once a PIN Registrar is selected. */
  station?: { name: string; mac: string; uuid: string; pin: string };
  /** A station that runs EAP-WSC with PBC once the Registrar is selected for PBC. */
  pbcStation?: { name: string; mac: string; uuid: string };
  /** Stations that all start EAP-WSC at once when a PIN Registrar is selected with goMac among the Authorized MACs. */
  burst?: { goMac: string; stations: Array<{ name: string; mac: string; uuid: string; pin: string }> };
}

describe('wpsd sta External Registrar against test APs', () => {
  const env = withTopology({ hosts: ['aps', 'er'] });
  let sta: WpsdStaInstance;
  let fake: ManagedProcess;
  let erCtrl: CtrlSession;
  let script: string;
  const cli = (...args: string[]): Promise<string> => sta.cli(...args);

  const GOOD1: FakeApSpec = {
    uuid: '11111111-0000-4000-8000-000000000001', port: 50001, mode: 'good', mac: '02:00:00:00:01:01', name: 'GoodOne',
    station: { name: 'PhoneZ', mac: '02:00:00:00:aa:09', uuid: 'aaaaaaaa-0000-4000-8000-000000000009', pin: '12345670' },
    // The Enrollee whose PBC probe the AP proxied (PhoneB) pushes its button.
    pbcStation: { name: 'PhoneB', mac: '02:00:00:00:aa:02', uuid: 'aaaaaaaa-0000-4000-8000-000000000002' },
    probes: [
      { mac: '02:00:00:00:aa:01', uuid: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'PhoneA', configMethods: 0x0108 },
      { mac: '02:00:00:00:aa:02', uuid: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'PhoneB', configMethods: 0x0280, pwId: 4 },
    ],
  };
  const GOOD2: FakeApSpec = {
    uuid: '11111111-0000-4000-8000-000000000002', port: 50002, mode: 'good', mac: '02:00:00:00:01:02', name: 'GoodTwo', subTimeout: 2, garbage: true,
    probes: [{ mac: '02:00:00:00:aa:03', uuid: 'aaaaaaaa-0000-4000-8000-000000000003', name: 'PhoneC', configMethods: 0x0108 }],
  };
  const BAD = ['bad-xml', 'no-control', 'no-event', 'other-host', 'dns-name', 'oversized', 'endless', 'never', 'no-sid'].map(
    (mode, i): FakeApSpec => ({ uuid: `22222222-0000-4000-8000-00000000000${i.toString(16)}`, port: 50010 + i, mode, mac: `02:00:00:00:02:0${i}`, name: `Bad-${mode}` }),
  );

  beforeAll(async () => {
    script = join(env.tempDir('wpsd-er-fake-'), 'fake-ap.mjs');
    writeFileSync(script, FAKE_AP);
    sta = env.track(await startWpsdSta({ host: env.host('er'), args: ['-d'] }));
    erCtrl = env.track(await sta.ctrl());
    expect(await cli('wps_er_start')).toBe('OK\n');
  });

  it('two good APs are added once each and every broken one is refused with a log line, without delaying the good ones', async () => {
    const aps = [GOOD1, ...BAD, GOOD2];
    fake = env.track(env.host('aps').spawnNode(script, [JSON.stringify({ address: env.host('aps').address, aps })], { label: 'fake-aps' }));
    await fake.waitForOutput(/"what":"ready"/, 10_000);
    const a1 = await eventSeen(erCtrl, /^WPS-ER-AP-ADD 11111111-0000-4000-8000-000000000001 /);
    expect(a1).toBe(
      'WPS-ER-AP-ADD 11111111-0000-4000-8000-000000000001 02:00:00:00:01:01 pri_dev_type=6-0050F204-1 wps_state=2 ' +
        '|GoodOne|TestCo|Test AP|TAP|http://example.com/|http://example.com/tap/|',
    );
    await eventSeen(erCtrl, /^WPS-ER-AP-ADD 11111111-0000-4000-8000-000000000002 02:00:00:00:01:02 /);
    const reasons: Record<string, RegExp> = {
      'bad-xml': /refusing AP .*DescriptionCheckError \(MALFORMED\)/,
      'no-control': /refusing AP .*DescriptionCheckError \(MALFORMED\).*controlURL/,
      'no-event': /refusing AP .*DescriptionCheckError \(MALFORMED\).*eventSubURL/,
      'other-host': /refusing AP .*DescriptionCheckError \(FOREIGN_HOST\)/,
      'dns-name': /refusing AP .*DescriptionCheckError \(HOSTNAME\)/,
      oversized: /refusing AP .*HttpClientError \(TOO_LARGE\)/,
      endless: /refusing AP .*HttpClientError \(TOO_LARGE\)/,
      'no-sid': /refusing AP .*GenaSubscribeError \(BAD_RESPONSE\)/,
    };
    const addr = env.host('aps').address.replace(/\./g, '\\.');
    for (const b of BAD.filter((x) => x.mode !== 'never')) {
      const m = await sta.proc.waitForOutput(new RegExp(`(?:refusing )?AP \\d+ ${addr} \\(http://${addr}:${b.port}/desc\\.xml\\): [^\\n]*Error \\([^\\n]*`), EVENT_MS);
      expect(m[0]).toMatch(reasons[b.mode] as RegExp);
    }
    // None of the broken APs was announced, and each good one exactly once.
    const adds = erCtrl.events.filter((e) => e.text.startsWith('WPS-ER-AP-ADD'));
    expect(adds.map((e) => e.text.split(' ')[1]).sort()).toEqual(['11111111-0000-4000-8000-000000000001', '11111111-0000-4000-8000-000000000002']);
    expect(sta.proc.running).toBe(true);
  });

  it('a subscription granted for 2 s is renewed with its SID before it runs out', async () => {
    await fake.waitForOutput(/"ap":"GoodTwo","what":"renewed","ok":true/, EVENT_MS);
    expect(fake.output()).not.toMatch(/"what":"renewed","ok":false/);
  });

  it('three Enrollee probes through two APs (one also sending malformed WLANEvents) give one WPS-ER-ENROLLEE-ADD each, in the seed format (M1=0)', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 3; i++) {
      const ev = await erCtrl.waitFor(/^WPS-ER-ENROLLEE-ADD /, EVENT_MS);
      seen.set(ev.text.split(' ')[2] ?? '', ev.text);
    }
    expect(seen.get('02:00:00:00:aa:01')).toBe(
      'WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000001 02:00:00:00:aa:01 M1=0 config_methods=0x108 dev_passwd_id=0 pri_dev_type=1-0050F204-1 |PhoneA|TestCo|Phone|3||',
    );
    expect(seen.get('02:00:00:00:aa:02')).toBe(
      'WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000002 02:00:00:00:aa:02 M1=0 config_methods=0x280 dev_passwd_id=4 pri_dev_type=1-0050F204-1 |PhoneB|TestCo|Phone|3||',
    );
    expect(seen.get('02:00:00:00:aa:03')).toContain('WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000003 02:00:00:00:aa:03 M1=0 ');
    // Each probe was sent twice: still one event per Enrollee.
    await new Promise((r) => setTimeout(r, 500));
    expect(erCtrl.events.filter((e) => e.text.startsWith('WPS-ER-ENROLLEE-ADD')).length).toBe(3);
    // wps_er_start again shows the APs and the Enrollees again.
    erCtrl.mark();
    expect(await cli('wps_er_start')).toBe('OK\n');
    for (let i = 0; i < 3; i++) await erCtrl.waitFor(/^WPS-ER-ENROLLEE-ADD /, EVENT_MS);
  });

  it('wps_er_set_config + wps_er_pin any: SetSelectedRegistrar goes to the APs, the station run through PutWLANResponse gets the credential', async () => {
    erCtrl.mark();
    const id = (await cli('add_network')).trim();
    expect(await cli('set_network', id, 'ssid', '"er-net"')).toBe('OK\n');
    expect(await cli('set_network', id, 'psk', '"er-passphrase"')).toBe('OK\n');
    expect(await erCtrl.request(`WPS_ER_SET_CONFIG ${GOOD1.uuid} ${id}`)).toBe('OK\n');
    expect(await erCtrl.request('WPS_ER_PIN any 12345670 02:00:00:00:aa:09')).toBe('OK\n');
    // Selected Registrar 1, Device Password ID 0 (PIN), Authorized MACs = the given MAC, UUID-R = er.conf's uuid.
    for (const ap of ['GoodOne', 'GoodTwo']) {
      const m = await fake.waitForOutput(new RegExp(`"ap":"${ap}","what":"sel-reg","hex":"(104a00011010410001011012000200001053[0-9a-f]*)"`), EVENT_MS);
      expect(m[1]).toContain('1049000e00372a000120010602000000aa09');
      expect(m[1]).toMatch(/1048001027ea801a9e5c4e73bd82f89cbcd10d7e$/);
    }
    const m1 = await erCtrl.waitFor(/^WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000009 /, EVENT_MS);
    expect(m1.text).toBe(
      'WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000009 02:00:00:00:aa:09 M1=1 config_methods=0x188 dev_passwd_id=0 pri_dev_type=1-0050F204-1 |PhoneZ|TestCo|PhoneZ model|7|SPhoneZ|',
    );
    await fake.waitForOutput(/"what":"station-event","type":"cred-received","ssid":"er-net","key":"er-passphrase"/, EVENT_MS);
    expect((await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    expect(fake.output()).toMatch(/"what":"PutWLANResponse","args":\{"NewWLANEventMAC":"02:00:00:00:aa:09","NewWLANEventType":"2"\}/);
    // The PIN was used: the Registrar is no longer selected.
    await fake.waitForOutput(/"ap":"GoodOne","what":"sel-reg","hex":"104a0001101041000100/, EVENT_MS);
  });

  it('wps_er_pbc selects the Registrar for PBC on the Enrollee\'s AP only, and the push-button station gets the credential', async () => {
    erCtrl.mark();
    const before = fake.output().length;
    expect(await erCtrl.request('WPS_ER_PBC 02:00:00:00:aa:03')).toBe('FAIL-NO-AP-SETTINGS\n');
    expect(await erCtrl.request('WPS_ER_PBC aaaaaaaa-0000-4000-8000-000000000002')).toBe('OK\n');
    // Selected Registrar 1, Device Password ID 4 (PushButton).
    await fake.waitForOutput(/"ap":"GoodOne","what":"sel-reg","hex":"104a000110104100010110120002000410530002/, EVENT_MS);
    expect((await erCtrl.waitFor(/^WPS-ER-ENROLLEE-ADD aaaaaaaa-0000-4000-8000-000000000002 02:00:00:00:aa:02 M1=1 /, EVENT_MS)).text).toContain(' dev_passwd_id=4 ');
    await fake.waitForOutput(/"ap":"GoodOne","what":"station-event","type":"cred-received","ssid":"er-net","key":"er-passphrase"[^\n]*\n(?:[^\n]*\n)*?[^\n]*"what":"sel-reg","hex":"104a0001101041000100/, EVENT_MS);
    expect((await erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    expect(fake.output().slice(before)).not.toMatch(/"ap":"GoodTwo","what":"sel-reg","hex":"104a0001101041000101/);
  });

  it('an AP whose description never comes is given up after the client timeout, with a log line', async () => {
    const never = BAD.find((b) => b.mode === 'never') as FakeApSpec;
    const addr = env.host('aps').address.replace(/\./g, '\\.');
    const m = await sta.proc.waitForOutput(new RegExp(`AP \\d+ ${addr} \\(http://${addr}:${never.port}/desc\\.xml\\): [^\\n]*Error \\([^\\n]*`), EVENT_MS);
    expect(m[0]).toMatch(/HttpClientError \(TIMEOUT\)/);
    expect(erCtrl.events.some((e) => e.text.includes('22222222-'))).toBe(false);
  });

  it('an AP that stops advertising (killed, no byebye) is removed when its max-age runs out', async () => {
    const spec: FakeApSpec = { uuid: '33333333-0000-4000-8000-000000000001', port: 50040, mode: 'good', mac: '02:00:00:00:03:01', name: 'Short', maxAge: 2 };
    const p = env.host('aps').spawnNode(script, [JSON.stringify({ address: env.host('aps').address, aps: [spec] })], { label: 'fake-short' });
    try {
      await eventSeen(erCtrl, /^WPS-ER-AP-ADD 33333333-0000-4000-8000-000000000001 /);
      erCtrl.mark();
      p.kill();
      await p.exited;
      expect((await erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe('WPS-ER-AP-REMOVE 33333333-0000-4000-8000-000000000001');
      // The other APs are still there.
      expect(await erCtrl.request(`WPS_ER_SET_CONFIG ${GOOD2.uuid} 0`)).toBe('OK\n');
    } finally {
      await p.stop();
    }
  });

  it('wps_er_start <IP> only accepts APs at that address; wps_er_stop forgets them all', async () => {
    erCtrl.mark();
    expect(await cli('wps_er_stop')).toBe('OK\n');
    // Both good APs announced before are removed, their Enrollees first.
    for (let i = 0; i < 2; i++) await erCtrl.waitFor(/^WPS-ER-AP-REMOVE 11111111-/, EVENT_MS);
    const removed = erCtrl.events.filter((e) => e.text.startsWith('WPS-ER-ENROLLEE-REMOVE')).map((e) => e.text);
    expect(removed).toContain('WPS-ER-ENROLLEE-REMOVE aaaaaaaa-0000-4000-8000-000000000001 02:00:00:00:aa:01');
    expect(removed).toContain('WPS-ER-ENROLLEE-REMOVE aaaaaaaa-0000-4000-8000-000000000003 02:00:00:00:aa:03');
    erCtrl.mark();
    expect(await cli('wps_er_start', '169.254.1.99')).toBe('OK\n');
    await new Promise((r) => setTimeout(r, 2000));
    expect(erCtrl.events.slice(erCtrl.mark()).some((e) => e.text.startsWith('WPS-ER-AP-ADD'))).toBe(false);
    expect(await cli('wps_er_stop')).toBe('OK\n');
    expect(await cli('wps_er_start', env.host('aps').address)).toBe('OK\n');
    await erCtrl.waitFor(/^WPS-ER-AP-ADD 11111111-/, EVENT_MS);
    await erCtrl.waitFor(/^WPS-ER-AP-ADD 11111111-/, EVENT_MS);
    expect(await cli('wps_er_start', 'not-an-ip')).toBe('OK\n'); // running: shows the table again, as wpa_supplicant
  });

  it('two wps_er_pin with different MACs: the APs get a SetSelectedRegistrar whose Authorized MACs hold both, newest first', async () => {
    expect(await erCtrl.request('WPS_ER_PIN bbbbbbbb-0000-4000-8000-000000000001 12345670 02:00:00:00:bb:01')).toBe('OK\n');
    expect(await erCtrl.request('WPS_ER_PIN bbbbbbbb-0000-4000-8000-000000000002 12345670 02:00:00:00:bb:02')).toBe('OK\n');
    // WFA extension: Version2 2.0, Authorized MACs (12 bytes) = bb:02, bb:01.
    for (const ap of ['GoodOne', 'GoodTwo']) {
      await fake.waitForOutput(new RegExp(`"ap":"${ap}","what":"sel-reg","hex":"104a00011010410001011012000200001053[0-9a-f]{8}1049001400372a000120010c02000000bb0202000000bb01`), EVENT_MS);
    }
  });

  it('30 stations enrolling at once through one AP all get the credential: no EAP WLANEvent of a run is dropped', async () => {
    const stations = Array.from({ length: 30 }, (_, i) => {
      const n = i.toString(16).padStart(2, '0');
      return { name: `Burst${n}`, mac: `02:00:00:00:cc:${n}`, uuid: `dddddddd-0000-4000-8000-0000000000${n}`, pin: '12345670' };
    });
    const last = stations[stations.length - 1] as (typeof stations)[number];
    const spec: FakeApSpec = { uuid: '44444444-0000-4000-8000-000000000001', port: 50050, mode: 'good', mac: '02:00:00:00:04:01', name: 'Burst', burst: { goMac: last.mac, stations } };
    const p = env.track(env.host('aps').spawnNode(script, [JSON.stringify({ address: env.host('aps').address, aps: [spec] })], { label: 'fake-burst' }));
    try {
      await eventSeen(erCtrl, /^WPS-ER-AP-ADD 44444444-0000-4000-8000-000000000001 /);
      expect(await erCtrl.request(`WPS_ER_SET_CONFIG ${spec.uuid} 0`)).toBe('OK\n');
      erCtrl.mark();
      // One PIN per station; the SetSelectedRegistrar after the last one starts all 30 runs at once.
      for (const s of stations) expect(await erCtrl.request(`WPS_ER_PIN ${s.uuid} ${s.pin} ${s.mac}`)).toBe('OK\n');
      const creds = /"ap":"Burst","what":"station-event","type":"cred-received","ssid":"er-net","key":"er-passphrase"/g;
      // M1, M3, M5, M7 and WSC_Done of every station go through the AP as WLANEvents (150, back to back) and are all answered.
      const notified = /"ap":"Burst","what":"notified","status":200/g;
      const count = (re: RegExp): number => (p.output().match(re) ?? []).length;
      const deadline = Date.now() + 2 * EVENT_MS;
      while ((count(creds) < stations.length || count(notified) < 5 * stations.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(count(creds)).toBe(stations.length);
      expect(count(notified)).toBe(5 * stations.length);
      for (const s of stations) await eventSeen(erCtrl, new RegExp(`^WPS-ER-ENROLLEE-ADD ${s.uuid} ${s.mac} M1=1 `));
      expect(sta.proc.output()).not.toMatch(/WLANEvents \(type 2\) a second from 02:00:00:00:cc:/);
    } finally {
      await p.stop();
    }
  }, 60_000);

});
