// The External Registrar against a fake WFADevice on loopback (SSDP on a
// port of its own, description, GetDeviceInfo, GENA): its typed events, and
// an AP that goes away in the middle of a learn run.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/log.js';
import { buildDeviceDescription } from '../upnp/description.js';
import { GenaPublisher } from '../upnp/gena-publisher.js';
import { UpnpHttpServer } from '../upnp/http-server.js';
import { soapControlHandler } from '../upnp/soap-server.js';
import { SsdpAdvertiser } from '../upnp/ssdp-advertiser.js';
import { AuthType, EncrType } from '../wps/values.js';
import { Enrollee } from '../wps/enrollee.js';
import { parseDeviceType } from '../wps/device.js';
import { until } from '../../harness/until.js';
import { WFA_DEVICE_TYPE, WFA_SERVICE_TYPE } from '../wfa/service.js';
import type { ErEventMap, ErEventName } from './er-events.js';
import { subscribeEventLines } from './event-lines.js';
import { ExternalRegistrar } from './external-registrar.js';
import type { ErEventLine } from './events.js';

const LO = { name: 'lo', address: '127.0.0.1', prefixLength: 8 };
const AP_UUID = '87654321-9abc-def0-1234-56789abc0e01';
const AP_MAC = Buffer.from('02005e0e0100', 'hex');
const AP_PIN = '12345670';
const device = (name: string, mac: Buffer, uuidByte: number) => ({
  uuid: Buffer.alloc(16, uuidByte),
  macAddress: mac,
  deviceName: name,
  manufacturer: 'wpsd',
  modelName: 'test',
  modelNumber: '1',
  serialNumber: '1',
  primaryDeviceType: parseDeviceType('6-0050F204-1'),
  osVersion: 0,
  configMethods: 0x0108,
  rfBands: 1,
});
const AP_SETTINGS = { networkIndex: 1, ssid: Buffer.from('er-test'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('12345678'), macAddress: AP_MAC, extra: [] };

/** A WFADevice that answers the first GetDeviceInfo and leaves every later one hanging until the caller closes it. */
class FakeAp {
  readonly hanging: Array<Promise<void>> = [];
  private gets = 0;
  private http: UpnpHttpServer | undefined;
  private gena: GenaPublisher | undefined;
  private ssdp: SsdpAdvertiser | undefined;

  constructor(private readonly ssdpPort: number) {}

  async start(): Promise<void> {
    const http = new UpnpHttpServer({ host: LO.address, port: 0, logger: silentLogger });
    const gena = new GenaPublisher({ initialState: () => ({ APStatus: '1', STAStatus: '1' }), logger: silentLogger, subnetPrefixLength: LO.prefixLength });
    const description = buildDeviceDescription({
      deviceType: WFA_DEVICE_TYPE,
      friendlyName: 'fake AP',
      manufacturer: 'wpsd',
      modelName: 'fake',
      UDN: `uuid:${AP_UUID}`,
      serviceList: [{ serviceType: WFA_SERVICE_TYPE, serviceId: 'urn:wifialliance-org:serviceId:WFAWLANConfig1', SCPDURL: 'scpd.xml', controlURL: 'control', eventSubURL: 'event' }],
    });
    http.route('GET', '/device.xml', (_req, res) => {
      res.setHeader('Content-Type', 'text/xml');
      res.end(description);
    });
    const control = soapControlHandler({
      serviceType: WFA_SERVICE_TYPE,
      actions: {
        GetDeviceInfo: () => {
          const m1 = new Enrollee({ device: device('fake AP', AP_MAC, 0x0e), password: { kind: 'pin', pin: AP_PIN }, ap: { settings: AP_SETTINGS } }).start();
          return { NewDeviceInfo: m1.toString('base64') };
        },
      },
    });
    http.route('POST', '/control', (req, res) => {
      if (this.gets++ === 0) return control(req, res);
      // A learn run's GetDeviceInfo: no answer; resolved when the ER closes the connection.
      this.hanging.push(new Promise<void>((r) => res.on('close', () => r())));
      return undefined;
    });
    gena.mount(http, '/event');
    await http.start();
    this.http = http;
    this.gena = gena;
    this.ssdp = new SsdpAdvertiser({
      location: `${http.baseUrl}/device.xml`,
      udn: `uuid:${AP_UUID}`,
      deviceType: WFA_DEVICE_TYPE,
      serviceTypes: [WFA_SERVICE_TYPE],
      server: 'test UPnP/1.0 fake/1',
      iface: LO,
      port: this.ssdpPort,
      logger: silentLogger,
    });
    await this.ssdp.start();
  }

  /** ssdp:byebye: the AP goes away. */
  async byebye(): Promise<void> {
    await this.ssdp?.stop();
    this.ssdp = undefined;
  }

  async stop(): Promise<void> {
    await this.byebye();
    this.gena?.close();
    await this.http?.close();
  }
}

describe('External Registrar', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('removing an AP aborts its learn run at once: run-end aborted, the pending SOAP call closed, the lines as wpa_supplicant prints them', { timeout: 8_000 }, async () => {
    // A port of its own, so other tests' SSDP on lo is not seen.
    const ssdpPort = 41_000 + (process.pid % 2_000);
    const ap = new FakeAp(ssdpPort);
    await ap.start();
    cleanups.push(() => ap.stop());
    const er = new ExternalRegistrar({ iface: LO, device: device('ER', Buffer.alloc(6, 2), 0x0f), ssdpPort, logger: silentLogger });
    const seen: Array<{ name: ErEventName; ev: ErEventMap[ErEventName] }> = [];
    const names: ErEventName[] = ['ap-add', 'ap-remove', 'run-start', 'run-end'];
    for (const name of names) er.on(name, (ev) => seen.push({ name, ev }));
    const lines: ErEventLine[] = [];
    subscribeEventLines(er, (l) => lines.push(l));
    await er.start();
    cleanups.push(() => er.stop());

    await until(() => seen.some((s) => s.name === 'ap-add'), 'WPS-ER-AP-ADD');
    expect(er.apList()).toMatchObject([{ uuidText: AP_UUID, announced: true, busy: false }]);
    expect(er.startApSession(AP_UUID, AP_PIN, { mode: 'learn' })).toBe('OK');
    expect(er.runs()).toMatchObject([{ kind: 'learn', ap: { uuidText: AP_UUID } }]);
    await until(() => ap.hanging.length === 1, 'the learn run to call GetDeviceInfo');

    await ap.byebye();
    const end = await until(() => seen.find((s) => s.name === 'run-end')?.ev as ErEventMap['run-end'] | undefined, 'the run to end');
    expect(end.result).toBe('aborted');
    expect(end.run).toMatchObject({ kind: 'learn', ap: { uuidText: AP_UUID } });
    await ap.hanging[0];
    expect(er.runs()).toEqual([]);
    expect(seen.map((s) => s.name)).toEqual(['ap-add', 'run-start', 'ap-remove', 'run-end']);
    expect(lines.map((l) => l.text)).toEqual([`WPS-ER-AP-ADD ${AP_UUID} 02:00:5e:0e:01:00 pri_dev_type=6-0050F204-1 wps_state=2 |fake AP|wpsd||fake|||`, `WPS-ER-AP-REMOVE ${AP_UUID}`]);
  });
});
