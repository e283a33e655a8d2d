// The AP's WFAWLANConfig service in-process on loopback: SOAP in, SOAP out,
// faults, with src/wps's Registrar playing the External Registrar.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSoapRequest } from '../upnp/soap.js';
import { Enrollee } from '../wps/enrollee.js';
import { eventsOf, type WpsStep } from '../wps/events.js';
import { Registrar } from '../wps/registrar.js';
import { AuthType, EncrType, MessageType } from '../wps/values.js';
import { parseMessage } from '../wps/message.js';
import { AttributeType } from '../wps/attributes.js';
import { createWfaActions, GET_DEVICE_INFO_BURST_PER_SOURCE } from './wfa-actions.js';
import { WfaDevice } from './wfa-device.js';
import { WFA_SERVICE_TYPE } from '../wfa/service.js';

const PIN = '12345670';
const UUID = '12345678-9abc-def0-1234-56789abcdef0';
const AP_MAC = Buffer.from('020000000100', 'hex');
const dev = (name: string, mac: Buffer, uuidByte: number) => ({
  uuid: Buffer.alloc(16, uuidByte),
  macAddress: mac,
  deviceName: name,
  manufacturer: 'Company',
  modelName: 'WAP',
  modelNumber: '123',
  serialNumber: '12345',
  primaryDeviceType: Buffer.from('00060050f2040001', 'hex'),
  osVersion: 0x01020300,
  configMethods: 0x0100,
  rfBands: 1,
});
const AP_SETTINGS = { networkIndex: 1, ssid: Buffer.from('test-wps'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('12345678'), macAddress: AP_MAC, extra: [] };

/** The AP's actions with a fresh Enrollee per run and a clock that never moves (rate-limit tests). */
const actionsWithStoppedClock = (): ReturnType<typeof createWfaActions> =>
  createWfaActions({
    createEnrollee: () => new Enrollee({ device: { ...dev('Wired AP', AP_MAC, 0x12) }, password: { kind: 'pin', pin: PIN }, ap: { settings: AP_SETTINGS } }),
    onEnrolleeStep: () => undefined,
    isSubscriber: () => false,
    now: () => 0,
  });

interface SoapResult {
  status: number;
  body: string;
  arg(name: string): string | undefined;
  errorCode: number | undefined;
}

describe('WFAWLANConfig service over loopback', () => {
  let device: WfaDevice;
  let base: string;
  let pin: string | undefined = PIN;
  const steps: WpsStep[] = [];
  let subscriber = false;

  beforeAll(async () => {
    const { service } = createWfaActions({
      createEnrollee: () =>
        pin === undefined ? undefined : new Enrollee({ device: { ...dev('Wired AP', AP_MAC, 0x12) }, password: { kind: 'pin', pin }, ap: { settings: AP_SETTINGS } }),
      onEnrolleeStep: (s) => steps.push(s),
      isSubscriber: () => subscriber,
    });
    device = new WfaDevice({
      iface: { name: 'lo', address: '127.0.0.1', prefixLength: 8 },
      uuid: UUID,
      strings: {
        friendlyName: 'WPS Access Point',
        manufacturer: 'Company',
        manufacturerUrl: 'http://www.example.com/',
        modelDescription: 'Wireless Access Point',
        modelName: 'WAP',
        modelNumber: '123',
        modelUrl: 'http://www.example.com/model/',
        serialNumber: '12345',
        upc: '123456789012',
      },
      service,
      httpPort: 0,
      ssdpPort: 20_000 + (process.pid % 20_000),
    });
    await device.start();
    base = device.baseUrl;
  });

  afterAll(async () => {
    await device?.stop();
  });

  async function soap(action: string, args: Record<string, string>, rawBody?: string): Promise<SoapResult> {
    const res = await fetch(`${base}/wps_control`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${WFA_SERVICE_TYPE}#${action}"` },
      body: rawBody ?? buildSoapRequest(WFA_SERVICE_TYPE, action, args),
    });
    const body = await res.text();
    const code = /<errorCode>(\d+)<\/errorCode>/.exec(body)?.[1];
    return {
      status: res.status,
      body,
      arg: (name) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body)?.[1],
      errorCode: code === undefined ? undefined : Number(code),
    };
  }

  const b64 = (m: Buffer) => m.toString('base64');
  const fromArg = (r: SoapResult, name: string) => Buffer.from(r.arg(name) ?? '', 'base64');

  it('serves the device description byte for byte as hostapd does for the same settings', async () => {
    const res = await fetch(`${base}/wps_device.xml`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml; charset="utf-8"');
    expect(await res.text()).toBe(readFileSync('fixtures/reference/wps_device.xml', 'utf8'));
  });

  it("serves an SCPD listing exactly the actions and state variables of hostapd's (the implemented ones)", async () => {
    const text = await (await fetch(`${base}/wps_scpd.xml`)).text();
    const ref = readFileSync('fixtures/reference/wps_scpd.xml', 'utf8');
    const actions = (xml: string): string[] => [...xml.matchAll(/<action>\s*<name>(\w+)<\/name>/g)].map((m) => m[1] ?? '');
    const vars = (xml: string): string[] =>
      [...xml.matchAll(/<stateVariable sendEvents="(yes|no)">\s*<name>(\w+)<\/name>\s*<dataType>([\w.]+)<\/dataType>/g)].map((m) => `${m[2]}:${m[3]}:${m[1]}`);
    expect(actions(text)).toEqual(['GetDeviceInfo', 'PutMessage', 'PutWLANResponse', 'SetSelectedRegistrar']);
    expect(actions(text)).toEqual(actions(ref));
    expect(vars(text)).toEqual(vars(ref));
  });

  it('a Registrar learns the AP settings through GetDeviceInfo and PutMessage; its WSC_NACK gets HTTP 500 / UPnPError 500', async () => {
    steps.length = 0;
    const info = await soap('GetDeviceInfo', {});
    expect(info.status).toBe(200);
    // hostapd's layout: base64 in lines of 72 characters, each ending in LF.
    const lines = (info.arg('NewDeviceInfo') ?? '').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -2).every((l) => l.length === 72)).toBe(true);
    const m1 = fromArg(info, 'NewDeviceInfo');
    expect(parseMessage(m1).type).toBe(MessageType.M1);

    const registrar = new Registrar({ device: dev('ER', Buffer.from('020000000200', 'hex'), 0x27), apSettings: { mode: 'learn' }, policy: { devicePassword: () => ({ kind: 'pin', pin: PIN }) } });
    let step = registrar.receive(m1);
    for (let i = 0; i < 3; i++) {
      // Line breaks and spaces inside the base64 are accepted.
      const text = b64(step.reply as Buffer).replace(/(.{60})/g, '$1\r\n ');
      const r = await soap('PutMessage', { NewInMessage: text });
      expect(r.status).toBe(200);
      step = registrar.receive(fromArg(r, 'NewOutMessage'));
    }
    expect(eventsOf(step.events, 'er-ap-settings')[0]?.settings.ssid.toString()).toBe('test-wps');
    expect(parseMessage(step.reply as Buffer).type).toBe(MessageType.WscNack);
    const end = await soap('PutMessage', { NewInMessage: b64(step.reply as Buffer) });
    expect(end.status).toBe(500);
    expect(end.errorCode).toBe(500);
    expect(end.arg('errorDescription')).toBe('Error');
    const fails = steps.flatMap((s) => eventsOf(s.events, 'fail'));
    expect(fails).toMatchObject([{ msg: MessageType.M7, configError: 0 }]);
  });

  it('refuses PutMessage that matches no registration run with UPnP error 501, and changes nothing', async () => {
    const stray = Buffer.from('104a00011010220001051020000600000000000010 1a00101111111111111111111111111111111111'.replace(/ /g, ''), 'hex');
    const r = await soap('PutMessage', { NewInMessage: b64(stray) });
    expect(r.status).toBe(500);
    expect(r.errorCode).toBe(501);
  });

  it('refuses bad base64 (600), an oversized NewInMessage (605), a missing argument (402)', async () => {
    expect((await soap('PutMessage', { NewInMessage: 'EEoAAR!!' })).errorCode).toBe(600);
    expect((await soap('PutMessage', { NewInMessage: Buffer.alloc(6000, 1).toString('base64') })).errorCode).toBe(605);
    expect((await soap('PutMessage', {})).errorCode).toBe(402);
  });

  it('refuses bad XML with HTTP 400 and an unknown action with 401', async () => {
    expect((await soap('PutMessage', {}, '<?xml version="1.0"?><s:Envelope><s:Body><u:PutMessage>')).status).toBe(400);
    expect((await soap('FormatDisk', {})).errorCode).toBe(401);
  });

  it('answers the optional actions hostapd does not implement with 602', async () => {
    for (const a of ['GetAPSettings', 'SetAPSettings', 'DelAPSettings', 'GetSTASettings', 'SetSTASettings', 'DelSTASettings', 'RebootAP', 'ResetAP', 'RebootSTA', 'ResetSTA']) {
      expect((await soap(a, {})).errorCode).toBe(602);
    }
  });

  it('GetDeviceInfo without an AP PIN answers UPnPError 500, as hostapd', async () => {
    pin = undefined;
    try {
      const r = await soap('GetDeviceInfo', {});
      expect(r.status).toBe(500);
      expect(r.errorCode).toBe(500);
    } finally {
      pin = PIN;
    }
  });

  it('PutWLANResponse: accepted for an EAP event and a MAC (also the dotted form); 600 for a bad MAC; 500 for another event type', async () => {
    const msg = b64(Buffer.from('104a0001101022000113', 'hex'));
    expect((await soap('PutWLANResponse', { NewMessage: msg, NewWLANEventType: '2', NewWLANEventMAC: '02:00:00:00:03:00' })).status).toBe(200);
    expect((await soap('PutWLANResponse', { NewMessage: msg, NewWLANEventType: '2', NewWLANEventMAC: '0200.0000.0300' })).status).toBe(200);
    expect((await soap('PutWLANResponse', { NewMessage: msg, NewWLANEventType: '2', NewWLANEventMAC: 'nonsense' })).errorCode).toBe(600);
    expect((await soap('PutWLANResponse', { NewMessage: msg, NewWLANEventType: 'x', NewWLANEventMAC: '02:00:00:00:03:00' })).errorCode).toBe(600);
    expect((await soap('PutWLANResponse', { NewMessage: msg, NewWLANEventType: '1', NewWLANEventMAC: '02:00:00:00:03:00' })).errorCode).toBe(500);
  });

  it('SetSelectedRegistrar only from a subscribed ER (501 otherwise); a malformed message gets 600', async () => {
    // Version 0x10, Selected Registrar 1, Device Password ID 0, Config Methods 0x0100 (a WPS 1.0 ER).
    const sel = b64(Buffer.from('104a000110104100010110120002000010530002 0100'.replace(/ /g, ''), 'hex'));
    subscriber = false;
    expect((await soap('SetSelectedRegistrar', { NewMessage: sel })).errorCode).toBe(501);
    subscriber = true;
    try {
      expect((await soap('SetSelectedRegistrar', { NewMessage: sel })).status).toBe(200);
      expect((await soap('SetSelectedRegistrar', { NewMessage: b64(Buffer.from('104a000110', 'hex')) })).errorCode).toBe(600);
    } finally {
      subscriber = false;
    }
  });

  it('the AP Enrollee refuses M2 while setup is locked: the NACK carries config error 15', () => {
    const e = new Enrollee({ device: dev('AP', AP_MAC, 1), password: { kind: 'pin', pin: PIN }, ap: { settings: AP_SETTINGS, setupLocked: true } });
    const r = new Registrar({ device: dev('ER', Buffer.from('020000000200', 'hex'), 2), apSettings: { mode: 'learn' }, policy: { devicePassword: () => ({ kind: 'pin', pin: PIN }) } });
    const step = e.receive(r.receive(e.start()).reply as Buffer);
    expect(parseMessage(step.reply as Buffer).get(AttributeType.ConfigurationError)?.readUInt16BE(0)).toBe(15);
  });

  it('an ER that proves the AP PIN learns back to back past the GetDeviceInfo burst; GetDeviceInfo alone is then limited', async () => {
    // A stopped clock: no token comes back with time, only through a proven PIN.
    const { service } = actionsWithStoppedClock();
    const ctx = { remoteAddress: '169.254.9.9', headers: {}, afterReply: (task: () => void) => task() };
    const call = async (action: string, args: Record<string, string>): Promise<Record<string, string>> => {
      const refused = service.admit?.(action, ctx.remoteAddress);
      if (refused !== undefined) throw refused;
      const handler = service.actions[action];
      if (handler === undefined) throw new Error(action);
      return handler(args, ctx);
    };
    for (let n = 0; n < 2 * GET_DEVICE_INFO_BURST_PER_SOURCE; n++) {
      const info = await call('GetDeviceInfo', {});
      const registrar = new Registrar({ device: dev('ER', Buffer.from('020000000200', 'hex'), 0x27), apSettings: { mode: 'learn' }, policy: { devicePassword: () => ({ kind: 'pin', pin: PIN }) } });
      let step = registrar.receive(Buffer.from(info.NewDeviceInfo ?? '', 'base64'));
      for (let i = 0; i < 3; i++) step = registrar.receive(Buffer.from((await call('PutMessage', { NewInMessage: b64(step.reply as Buffer) })).NewOutMessage ?? '', 'base64'));
      expect(eventsOf(step.events, 'er-ap-settings')).toHaveLength(1);
      await expect(call('PutMessage', { NewInMessage: b64(step.reply as Buffer) })).rejects.toMatchObject({ upnpErrorCode: 500 });
    }
    let served = 0;
    await expect(
      (async () => {
        for (;;) {
          await call('GetDeviceInfo', {});
          served++;
        }
      })(),
    ).rejects.toMatchObject({ upnpErrorCode: 501 });
    expect(served).toBe(GET_DEVICE_INFO_BURST_PER_SOURCE);
  });
});

describe('WFADevice connection limits', () => {
  it('a GetDeviceInfo over the rate is refused (501, Connection: close) before its body is read; other actions still pass', async () => {
    // A stopped clock: the burst is all there is.
    const { service } = actionsWithStoppedClock();
    const d = new WfaDevice({ iface: { name: 'lo', address: '127.0.0.1', prefixLength: 8 }, uuid: UUID, strings: {}, service, httpPort: 0, ssdpPort: 20_000 + ((process.pid + 5) % 20_000) });
    await d.start();
    const post = async (action: string, body: string): Promise<{ status: number; text: string; connection: string | null }> => {
      const res = await fetch(`${d.baseUrl}/wps_control`, { method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${WFA_SERVICE_TYPE}#${action}"` }, body });
      return { status: res.status, text: await res.text(), connection: res.headers.get('connection') };
    };
    try {
      // Not XML at all: an admitted call reaches the parser (400), a refused one never does (501).
      const statuses: number[] = [];
      for (let i = 0; i < GET_DEVICE_INFO_BURST_PER_SOURCE + 3; i++) statuses.push((await post('GetDeviceInfo', 'not xml')).status);
      expect(statuses.slice(0, GET_DEVICE_INFO_BURST_PER_SOURCE).every((st) => st === 400)).toBe(true);
      const refused = await post('GetDeviceInfo', 'not xml');
      expect(refused.status).toBe(500);
      expect(refused.text).toContain('<errorCode>501</errorCode>');
      expect(refused.connection).toBe('close');
      // PutMessage is not rate-limited: it reaches the handler (no run matches: 501 from there, after the parse).
      const put = await post('PutMessage', buildSoapRequest(WFA_SERVICE_TYPE, 'PutMessage', { NewInMessage: Buffer.from('104a000110', 'hex').toString('base64') }));
      expect(put.status).toBe(500);
      expect(put.text).toContain('<errorCode>501</errorCode>');
      expect((await post('PutMessage', 'not xml')).status).toBe(400);
    } finally {
      await d.stop();
    }
  });

  it('closes a client that never finishes its headers, and a full table gives way to a newcomer', async () => {
    const net = await import('node:net');
    const { service } = createWfaActions({ createEnrollee: () => undefined, onEnrolleeStep: () => undefined, isSubscriber: () => false });
    const d = new WfaDevice({
      iface: { name: 'lo', address: '127.0.0.1', prefixLength: 8 },
      uuid: UUID,
      strings: {},
      service,
      httpPort: 0,
      ssdpPort: 20_000 + ((process.pid + 3) % 20_000),
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
      maxConnections: 3,
    });
    await d.start();
    const port = Number(new URL(d.baseUrl).port);
    const open = (): Promise<{ sock: import('node:net').Socket; got: () => string; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const sock = net.connect(port, '127.0.0.1');
        let got = '';
        sock.on('data', (b) => (got += b.toString('latin1')));
        sock.on('error', () => undefined);
        const closed = new Promise<void>((r) => sock.on('close', () => r()));
        sock.on('connect', () => resolve({ sock, got: () => got, closed }));
      });
    try {
      const held = await Promise.all([open(), open(), open()]);
      for (const h of held) h.sock.write('GET /wps_device.xml HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      // The table is full: a slow connection that never completed a request gives way to the newcomer.
      const extra = await open();
      const evicted = await Promise.race(held.map((h) => h.closed.then(() => h)));
      expect(evicted.got()).toBe('');
      extra.sock.write('GET /wps_device.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await extra.closed;
      expect(extra.got()).toMatch(/^HTTP\/1\.1 200 /);
      // The slow ones are cut off (408) instead of holding their slots forever.
      await Promise.all(held.map((h) => h.closed));
      for (const h of held) expect(h.got()).toMatch(/^(HTTP\/1\.1 408 |$)/);
      // Their slots come free (the server notices the closes a moment after the client does).
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await fetch(`${d.baseUrl}/wps_device.xml`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(200);
    } finally {
      await d.stop();
    }
  });
});
