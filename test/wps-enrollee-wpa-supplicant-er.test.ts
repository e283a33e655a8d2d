// wpsd's Enrollee state machine (AP mode, AP PIN) against Debian
// wpa_supplicant 2.10 as External Registrar (hostapd's wps_registrar.c).
// The ER runs in one namespace; a minimal WFADevice stands in for the AP:
// a relay in the AP namespace sends SSDP NOTIFY and pipes TCP to a UNIX
// socket served by node:http in this process, where GetDeviceInfo and
// PutMessage drive a real Enrollee. Checks our M1/M3/M5/M7/Done against the
// reference Registrar: learn, configure, a wrong AP PIN.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUuid } from '../src/wps/device.js';
import { Enrollee } from '../src/wps/enrollee.js';
import type { WpsEvent } from '../src/wps/events.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { createTopology, type ManagedProcess, type Topology } from '../harness/netns.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import { AP, credential } from './wps-flows-helpers.js';

const EVENT_MS = 15_000;
const AP_PIN = '12345670';
const HTTP_PORT = 49152;
/** hostapd keeps at most 4 UPnP Enrollee runs (GetDeviceInfo may start one just to read M1). */
const MAX_RUNS = 4;
const UUID = formatUuid(AP.uuid);
const SETTINGS = credential('wpsd-ap-ssid', 'wpsd ap passphrase', AP.macAddress);

const RELAY = `
import net from 'node:net';
import dgram from 'node:dgram';
const [addr, port, unixPath, uuid] = process.argv.slice(2);
net.createServer((c) => {
  const u = net.connect(unixPath);
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
}).listen(Number(port), addr, () => console.log('relay ready'));
const s = dgram.createSocket({ type: 'udp4' });
const notify = () => s.send('NOTIFY * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nCACHE-CONTROL: max-age=1800\\r\\n' +
  'LOCATION: http://' + addr + ':' + port + '/wps_device.xml\\r\\nNT: urn:schemas-wifialliance-org:device:WFADevice:1\\r\\n' +
  'NTS: ssdp:alive\\r\\nSERVER: Linux, UPnP/1.0, wpsd-test\\r\\nUSN: uuid:' + uuid + '::urn:schemas-wifialliance-org:device:WFADevice:1\\r\\n\\r\\n',
  1900, '239.255.255.250');
s.bind(0, addr, () => { s.setMulticastInterface(addr); notify(); setInterval(notify, 1000); });
`;

function deviceXml(): string {
  return (
    '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">\n<specVersion><major>1</major><minor>0</minor></specVersion>\n<device>\n' +
    '<deviceType>urn:schemas-wifialliance-org:device:WFADevice:1</deviceType>\n<friendlyName>wpsd test AP</friendlyName>\n' +
    '<manufacturer>wpsd tests</manufacturer>\n<modelName>access point model</modelName>\n<modelNumber>1</modelNumber>\n<serialNumber>42</serialNumber>\n' +
    `<UDN>uuid:${UUID}</UDN>\n<serviceList>\n<service>\n<serviceType>urn:schemas-wifialliance-org:service:WFAWLANConfig:1</serviceType>\n` +
    '<serviceId>urn:wifialliance-org:serviceId:WFAWLANConfig1</serviceId>\n<SCPDURL>wps_scpd.xml</SCPDURL>\n<controlURL>wps_control</controlURL>\n' +
    '<eventSubURL>wps_event</eventSubURL>\n</service>\n</serviceList>\n</device>\n</root>\n'
  );
}

function soapReply(res: ServerResponse, action: string, name: string, value: Buffer): void {
  const body =
    '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n' +
    `<s:Body>\n<u:${action}Response xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">\n<${name}>${value.toString('base64')}</${name}>\n` +
    `</u:${action}Response>\n</s:Body>\n</s:Envelope>\n`;
  res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

describe('our AP Enrollee against Debian wpa_supplicant as External Registrar', () => {
  let topo: Topology;
  let er: WpaSupplicantInstance;
  let erCtrl: CtrlSession;
  let relay: ManagedProcess;
  let server: Server;
  let dir: string;
  /** Enrollee runs, newest last; PutMessage goes to the one whose nonce the message carries. */
  let runs: Enrollee[] = [];
  let apEvents: WpsEvent[] = [];
  let apSettings = SETTINGS;

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('wps_device.xml')) {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(deviceXml()) });
      res.end(deviceXml());
      return;
    }
    if ((req.method === 'SUBSCRIBE' || req.method === 'UNSUBSCRIBE') && url.endsWith('wps_event')) {
      res.writeHead(200, { SID: `uuid:${UUID.replace(/^.{8}/, '00000001')}`, TIMEOUT: 'Second-1800', 'Content-Length': 0 });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.endsWith('wps_control')) {
      const action = /#(\w+)"?$/.exec(String(req.headers.soapaction ?? ''))?.[1];
      const text = body.toString('utf8');
      if (action === 'GetDeviceInfo') {
        const e = new Enrollee({ device: AP, password: { kind: 'pin', pin: AP_PIN }, ap: { settings: apSettings } });
        runs = [...runs.slice(-(MAX_RUNS - 1)), e];
        soapReply(res, action, 'NewDeviceInfo', e.start());
        return;
      }
      if (action === 'PutMessage') {
        const msg = Buffer.from(/<NewInMessage>([^<]*)</.exec(text)?.[1] ?? '', 'base64');
        const run = runs.find((r) => msg.includes(r.nonces.enrollee)) ?? runs.at(-1);
        const step = run?.receive(msg);
        apEvents.push(...(step?.events ?? []));
        for (const ev of step?.events ?? []) if (ev.type === 'new-ap-settings') apSettings = ev.settings;
        // As hostapd: a closing answer or none is an HTTP error, not a message.
        if (step?.reply === undefined || step.closing === true) {
          res.writeHead(500, { 'Content-Length': 0 });
          res.end();
          return;
        }
        soapReply(res, action, 'NewOutMessage', step.reply);
        return;
      }
    }
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }

  /** Our AP's events arrive with the ER's HTTP requests, after its own ctrl events: poll (bounded). */
  async function apEvent(type: WpsEvent['type']): Promise<WpsEvent | undefined> {
    const deadline = Date.now() + EVENT_MS;
    for (;;) {
      const ev = apEvents.find((e) => e.type === type);
      if (ev !== undefined || Date.now() > deadline) return ev;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-er-enrollee-'));
    const sock = join(dir, 'http.sock');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    topo = await createTopology({ hosts: ['ap', 'er'] });
    const apHost = topo.host('ap');
    writeFileSync(join(dir, 'relay.mjs'), RELAY);
    relay = apHost.spawnNode(join(dir, 'relay.mjs'), [apHost.address, String(HTTP_PORT), sock, UUID], { label: 'relay' });
    await relay.waitForOutput(/relay ready/, EVENT_MS);
    er = await startWpaSupplicantEr({ host: topo.host('er') });
    erCtrl = await er.ctrl();
    expect(await erCtrl.request('WPS_ER_START')).toBe('OK\n');
    await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${UUID} `), EVENT_MS);
  });

  afterAll(async () => {
    erCtrl?.close();
    await er?.stop();
    await topo?.dispose();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('wps_er_learn: the ER reads our M7 settings (WPS-ER-AP-SETTINGS) and NACKs; our AP reports msg=11', async () => {
    apEvents = [];
    erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} ${AP_PIN}`)).toBe('OK\n');
    const ev = await erCtrl.waitFor(/^WPS-ER-AP-SETTINGS /, EVENT_MS);
    expect(ev.text).toBe(`WPS-ER-AP-SETTINGS uuid=${UUID} ssid=wpsd-ap-ssid auth_type=0x0020 encr_type=0x0008 key=wpsd ap passphrase`);
    await erCtrl.waitFor(/^WPS-FAIL msg=11 config_error=0$/, EVENT_MS);
    expect(await apEvent('fail')).toMatchObject({ msg: 11, configError: 0, reason: 'nack-received' });
    expect(apEvents.filter((e) => e.type === 'ap-pin-success')).toHaveLength(1);
  });

  it('wps_er_learn with a wrong AP PIN: our AP catches the first half at M4 and the ER reports msg=8 config_error=18', async () => {
    apEvents = [];
    erCtrl.mark();
    expect(await erCtrl.requestUntilOk(`WPS_ER_LEARN ${UUID} 11115670`)).toBe('OK\n');
    await erCtrl.waitFor(/^WPS-FAIL msg=8 config_error=18$/, EVENT_MS);
    expect(await apEvent('pwd-auth-fail')).toMatchObject({ part: 1, local: 'enrollee' });
    expect(apEvents.filter((e) => e.type === 'fail')).toMatchObject([{ msg: 8, configError: 18, reason: 'password-auth-failure' }]);
  });

  it('wps_er_config: the ER sends new settings in M8, our AP applies them and acknowledges with WSC_Done', async () => {
    apEvents = [];
    erCtrl.mark();
    const hex = (s: string): string => Buffer.from(s).toString('hex');
    expect(await erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${AP_PIN} ${hex('er-new-ssid')} WPA2PSK CCMP ${hex('er new passphrase')}`)).toBe('OK\n');
    const applied = await apEvent('new-ap-settings');
    expect(applied?.type === 'new-ap-settings' && applied.settings.ssid.toString()).toBe('er-new-ssid');
    expect(applied?.type === 'new-ap-settings' && applied.settings.networkKey.toString()).toBe('er new passphrase');
    expect(apEvents.filter((e) => e.type === 'fail')).toEqual([]);
  });
});
