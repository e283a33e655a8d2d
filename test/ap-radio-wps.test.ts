/**
 * `wpsd ap` with driver=sim in process: hostapd.conf -> the BSS (control
 * socket, UPnP device on loopback) and its radio path on an in-process sim
 * medium; stations run src/sta/wireless enroll() on their own sim radios;
 * the AP is driven through its control socket as hostapd_cli would, and an
 * External Registrar is played over UPnP (GENA subscriber + SOAP) by
 * src/wps's Registrar.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CtrlClient } from '../src/ctrl/client.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { macToBytes, type MacAddress } from '../src/radio/mac.js';
import { loadHostapdConfig } from '../src/ap/config.js';
import type { WpsTuning } from '../src/ap/ap-bss.js';
import { wscMessageType } from '../src/wps/eap-wsc.js';
import { type EnrollEvent, type EnrollOptions, type EnrollResult } from '../src/sta/wireless/enroll.js';
import { scanResultWps } from '../src/sta/wireless/scan-flags.js';
import { buildProbeRequestWpsElements } from '../src/sta/wireless/probe-ie.js';
import { GenaSubscriber } from '../src/upnp/gena-subscriber.js';
import { buildSoapRequest } from '../src/upnp/soap.js';
import fc from 'fast-check';
import { AttributeType, attrU16, attrU8, encodeAttributes, parseAttributes } from '../src/wps/attributes.js';
import { credentialAttribute, type Credential } from '../src/wps/credential.js';
import { formatUuid, uuidFromMac, type DeviceInfo } from '../src/wps/device.js';
import type { WpsEvent } from '../src/wps/events.js';
import { Registrar } from '../src/wps/registrar.js';
import { AuthType, ConfigMethods, DevicePasswordId, EncrType, MessageType, RequestType, WPS_VERSION, WPS_VERSION2 } from '../src/wps/values.js';
import { buildWfaExtension } from '../src/wps/vendor-ext.js';
import { runSimEnroll, simDevice, STA_METHODS } from './sim-wps-fixtures.js';
import { until } from '../harness/until.js';
import { firstCtrl, startSimApLab, stopSimApLab, wpsWpa2BssLines, type SimApLab } from './sim-ap-lab.js';

const AP: MacAddress = '02:00:00:00:0a:00';
const AP_UUID = '12345678-9abc-def0-1234-56789abc0a00';
const IFACE = 'wap0';
const CHANNEL = 6;
const SSID = 'wpsd-radio';
const PASSPHRASE = 'correct horse battery';
const SERVICE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
let portSeq = 0;

function staDevice(mac: MacAddress, name: string): DeviceInfo {
  return simDevice(mac, name, STA_METHODS);
}

interface Lab extends SimApLab {
  ctrl: CtrlClient;
  events: string[];
  gena?: GenaSubscriber;
  pinRequests: string;
}

interface LabOptions {
  radio?: WpsTuning;
  upnp?: boolean;
  /** hostapd.conf keys to set (a string) or leave out (null). */
  conf?: Record<string, string | null>;
}

let lab: Lab | undefined;

async function startLab(o: LabOptions = {}): Promise<Lab> {
  const lines = [
    ...wpsWpa2BssLines({ iface: IFACE, bssid: AP, channel: CHANNEL, ssid: SSID, passphrase: PASSPHRASE }),
    `uuid=${AP_UUID}`,
    'wps_pin_requests=$DIR/pin-req',
    'device_name=wpsd radio AP',
    'config_methods=label virtual_display virtual_push_button keypad',
    ...(o.upnp === true ? ['upnp_iface=lo', 'friendly_name=wpsd radio AP'] : []),
  ];
  const keys = new Set(lines.map((l) => l.slice(0, l.indexOf('='))));
  const edited = lines.flatMap((l) => {
    const key = l.slice(0, l.indexOf('='));
    const v = o.conf?.[key];
    if (v === undefined) return [l];
    return v === null ? [] : [`${key}=${v}`];
  });
  for (const [k, v] of Object.entries(o.conf ?? {})) if (!keys.has(k) && v !== null) edited.push(`${k}=${v}`);
  const ssdpPort = 21_000 + ((process.pid * 7 + portSeq++) % 20_000);
  const base = await startSimApLab({
    name: 'wpsd-apr',
    medium: { seed: 7 },
    lines: edited,
    start: { bssOptions: { upnp: { httpPort: 0, ssdpPort } }, radio: { retransmitMs: 400, ...(o.radio ?? {}) } },
  });
  const c = firstCtrl(base);
  lab = { ...base, ctrl: c.client, events: c.events, pinRequests: join(base.dir, 'pin-req') };
  return lab;
}

async function stopLab(): Promise<void> {
  const l = lab;
  lab = undefined;
  if (l === undefined) return;
  await l.gena?.close().catch(() => undefined);
  await stopSimApLab(l);
}

async function addStation(l: Lab, mac: MacAddress): Promise<SimStationDriver> {
  const sta = await SimStationDriver.open({ mediumPath: join(l.dir, 'm.sock'), address: mac, channel: CHANNEL, mlmeTimeoutMs: 150, mlmeTries: 4 });
  l.drivers.push(sta);
  return sta;
}

function runEnroll(sta: SimStationDriver, method: EnrollOptions['method'], extra: Partial<EnrollOptions> = {}): { events: EnrollEvent[]; result: Promise<EnrollResult> } {
  return runSimEnroll(sta, CHANNEL, method, extra);
}

const wpsEvents = (events: EnrollEvent[]): WpsEvent[] => events.flatMap((e) => (e.type === 'wps' ? [e.event] : []));

afterEach(async () => {
  await stopLab();
});

describe('wpsd ap driver=sim: the internal Registrar over the radio', () => {
  it('wps_pin any 12345670 on the control socket lets a PIN station enroll; WPS-ENROLLEE-SEEN, WPS-REG-SUCCESS and WPS-SUCCESS follow', async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:01');
    expect(await l.ctrl.request('WPS_PIN any 12345670')).toBe('OK\n');
    const res = await runEnroll(sta, { kind: 'pin', pin: '12345670' }).result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe(SSID);
    expect(res.credentials[0]?.networkKey.toString()).toBe(PASSPHRASE);
    expect(res.credentials[0]?.authType).toBe(AuthType.Wpa2Psk);
    expect(res.credentials[0]?.encrType).toBe(EncrType.Aes);
    const uuid = formatUuid(uuidFromMac(Buffer.from(macToBytes(sta.address))));
    await until(() => l.events.includes('WPS-SUCCESS '), 'WPS-SUCCESS');
    const seen = l.events.find((e) => e.startsWith('WPS-ENROLLEE-SEEN '));
    // hostapd: MAC, UUID-E, device type, config methods (hex), device password id, request type, [device name]
    expect(seen).toBe(`WPS-ENROLLEE-SEEN ${sta.address} ${uuid} 1-0050F204-1 0x${STA_METHODS.toString(16)} 0 1 [sta 01]`);
    const reg = l.events.indexOf(`WPS-REG-SUCCESS ${sta.address} ${uuid}`);
    expect(reg).toBeGreaterThanOrEqual(0);
    expect(l.events.indexOf('WPS-SUCCESS ')).toBeGreaterThan(reg);
    expect(l.events.some((e) => e.startsWith('WPS-FAIL'))).toBe(false);
  });

  it('a station with the wrong PIN: WPS-FAIL msg=8 config_error=18 on the AP, as hostapd words it, and no WPS-REG-SUCCESS', async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:09');
    expect(await l.ctrl.request('WPS_PIN any 12345670')).toBe('OK\n');
    const res = await runEnroll(sta, { kind: 'pin', pin: '55554444' }).result;
    expect(res).toMatchObject({ ok: false, reason: 'failed', fail: { msg: 8, configError: 18 } });
    await until(() => l.events.includes('WPS-FAIL msg=8 config_error=18'), 'WPS-FAIL');
    expect(l.events.some((e) => e.startsWith('WPS-REG-SUCCESS') || e === 'WPS-SUCCESS ')).toBe(false);
  });

  it('wps_pbc: WPS-PBC-ACTIVE, the PBC station enrolls, then WPS-REG-SUCCESS, WPS-PBC-DISABLE, WPS-SUCCESS', async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:02');
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    await until(() => l.events.includes('WPS-PBC-ACTIVE '), 'WPS-PBC-ACTIVE');
    const run = runEnroll(sta, { kind: 'pbc' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    expect(run.events.find((e) => e.type === 'scan-results')).toMatchObject({ available: 'WPS-AP-AVAILABLE-PBC' });
    await until(() => l.events.includes('WPS-SUCCESS '), 'WPS-SUCCESS');
    const order = l.events.filter((e) => /^WPS-(REG-SUCCESS|PBC-DISABLE|SUCCESS)/.test(e)).map((e) => e.split(' ')[0]);
    expect(order).toEqual(['WPS-REG-SUCCESS', 'WPS-PBC-DISABLE', 'WPS-SUCCESS']);
  });

  it('two PBC stations at once: WPS-OVERLAP-DETECTED, no credential for either, and wps_pbc is refused while the overlap lasts', async () => {
    const l = await startLab();
    const a = await addStation(l, '02:00:00:00:0b:03');
    const b = await addStation(l, '02:00:00:00:0b:04');
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    const [ra, rb] = await Promise.all([runEnroll(a, { kind: 'pbc' }).result, runEnroll(b, { kind: 'pbc' }).result]);
    expect(ra).toMatchObject({ ok: false, reason: 'pbc-overlap' });
    expect(rb).toMatchObject({ ok: false, reason: 'pbc-overlap' });
    await until(() => l.events.includes('WPS-OVERLAP-DETECTED '), 'WPS-OVERLAP-DETECTED');
    expect(l.events.some((e) => e.startsWith('WPS-REG-SUCCESS'))).toBe(false);
    expect(await l.ctrl.request('WPS_PBC')).toBe('FAIL\n');
  });

  it('an Enrollee without a PIN gets WPS-PIN-NEEDED and a PIN request file line; wps_pin with its UUID then lets it enroll', async () => {
    const l = await startLab();
    const sta = await addStation(l, '02:00:00:00:0b:05');
    const uuid = formatUuid(uuidFromMac(Buffer.from(macToBytes(sta.address))));
    // A PIN for some other device, with this station as Authorized MAC: the AP is selected for it, but has no PIN for its UUID.
    expect(await l.ctrl.request(`WPS_PIN 11111111-2222-3333-4444-555555555555 11115555 0 ${sta.address}`)).toBe('OK\n');
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' }, { walkTimeMs: 20_000 });
    const line = await until(() => l.events.find((e) => e.startsWith('WPS-PIN-NEEDED ')), 'WPS-PIN-NEEDED');
    expect(line).toBe(`WPS-PIN-NEEDED ${uuid} ${sta.address} [sta 05|wpsd|sim|1|0001|1-0050F204-1]`);
    // The append starts before the event goes out; flushWrites() resolves once it is on disk, so the line is whole.
    await l.ap.bsses[0]?.flushWrites();
    const lines = readFileSync(l.pinRequests, 'utf8').split('\n');
    expect(lines).toHaveLength(2);
    const fields = (lines[0] ?? '').split('\t');
    expect(fields.slice(1)).toEqual([uuid, sta.address, 'sta 05', 'wpsd', 'sim', '1', '0001', '1-0050F204-1']);
    expect(Math.abs(Number(fields[0]) - Date.now() / 1000)).toBeLessThan(60);
    expect(await l.ctrl.request(`WPS_PIN ${uuid} 12345670`)).toBe('OK\n');
    const res = await run.result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    expect(wpsEvents(run.events).some((e) => e.type === 'm2d')).toBe(true);
    await until(() => l.events.includes(`WPS-REG-SUCCESS ${sta.address} ${uuid}`), 'WPS-REG-SUCCESS');
  });

  it('an unconfigured AP (wps_state=1) gives its first Enrollee a random WPA2-PSK passphrase and moves to configured with it', async () => {
    const l = await startLab({ conf: { wps_state: '1', wpa: null, wpa_key_mgmt: null, rsn_pairwise: null, wpa_passphrase: null } });
    const sta = await addStation(l, '02:00:00:00:0b:08');
    expect(scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 120 })).find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ wpsState: 1 });
    expect(await l.ctrl.request('WPS_PIN any 12345670')).toBe('OK\n');
    const res = await runEnroll(sta, { kind: 'pin', pin: '12345670' }).result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    if (!res.ok) return;
    const cred = res.credentials[0];
    expect(cred).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, ssid: Buffer.from(SSID) });
    const passphrase = cred?.networkKey.toString('latin1') ?? '';
    expect(passphrase).toMatch(/^[A-Za-z0-9+/]{22}$/);
    await until(() => l.events.includes('WPS-SUCCESS '), 'WPS-SUCCESS');
    const order = l.events.filter((e) => /^WPS-(NEW-AP-SETTINGS|REG-SUCCESS|SUCCESS)/.test(e)).map((e) => e.split(' ')[0]);
    expect(order).toEqual(['WPS-NEW-AP-SETTINGS', 'WPS-REG-SUCCESS', 'WPS-SUCCESS']);
    await l.ap.bsses[0]?.flushWrites();
    const text = readFileSync(l.confPath, 'utf8');
    expect(text).toContain('wps_state=2\n');
    expect(text).toContain(`wpa_passphrase=${passphrase}\n`);
    // WPA2-PSK/CCMP as a CONFIG_NO_TKIP hostapd writes it, and the file loads again on driver=sim.
    expect(text).toContain('wpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\n');
    const reloaded = await loadHostapdConfig(l.confPath);
    expect(reloaded.config.bss[0]).toMatchObject({ wpa: 2, wpsState: 2, wpaPassphrase: passphrase });
    expect(await l.ctrl.request('GET_CONFIG')).toContain('wps_state=configured\n');
    expect(await l.ctrl.request('GET_CONFIG')).toContain('wpa=2\nkey_mgmt=WPA-PSK\ngroup_cipher=CCMP\nrsn_pairwise_cipher=CCMP\n');
    const after = await sta.scan({ channels: [CHANNEL], dwellMs: 120 });
    expect(scanResultWps(after.find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ wpsState: 2 });
  });

  it("skip_cred_build=1 with extra_cred: the Enrollee gets the file's Credential and not the built one; without skip_cred_build it gets both, the file's last", async () => {
    const extraDir = mkdtempSync(join(tmpdir(), `wpsd-xcred-${process.pid}-`));
    try {
      const extra: Credential = {
        networkIndex: 1,
        ssid: Buffer.from('extra-net'),
        authType: AuthType.Wpa2Psk,
        encrType: EncrType.Aes,
        networkKey: Buffer.from('extra passphrase'),
        macAddress: Buffer.alloc(6, 0xff),
        extra: [],
      };
      const file = join(extraDir, 'extra-cred.bin');
      writeFileSync(file, encodeAttributes([credentialAttribute(extra)]));
      const cases = [
        { skip: '1', mac: '02:00:00:00:0b:21', ssids: ['extra-net'] },
        { skip: '0', mac: '02:00:00:00:0b:22', ssids: [SSID, 'extra-net'] },
      ];
      for (const c of cases) {
        const l = await startLab({ conf: { skip_cred_build: c.skip, extra_cred: file } });
        const sta = await addStation(l, c.mac);
        expect(await l.ctrl.request('WPS_PIN any 12345670')).toBe('OK\n');
        const res = await runEnroll(sta, { kind: 'pin', pin: '12345670' }).result;
        expect(res).toMatchObject({ ok: true, bssid: AP });
        if (!res.ok) return;
        expect(res.credentials.map((cr) => cr.ssid.toString())).toEqual(c.ssids);
        expect(res.credentials.at(-1)).toMatchObject({ authType: extra.authType, encrType: extra.encrType, networkKey: extra.networkKey, macAddress: extra.macAddress });
        await until(() => l.events.some((e) => e.startsWith('WPS-REG-SUCCESS ')), 'WPS-REG-SUCCESS');
        await stopLab();
      }
    } finally {
      rmSync(extraDir, { recursive: true, force: true });
    }
  });

  it('eap_server=0: no internal EAP server, so a WPS station associates (STA lists it) but no registration runs', async () => {
    const l = await startLab({ conf: { eap_server: '0' } });
    const sta = await addStation(l, '02:00:00:00:0b:23');
    expect(await l.ctrl.request('WPS_PIN any 12345670')).toBe('OK\n');
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' }, { walkTimeMs: 4_000 });
    await until(() => l.ap.radioWps?.mlme?.station(sta.address)?.state === 'associated', 'the station associated');
    expect(await l.ctrl.request(`STA ${sta.address}`)).toMatch(new RegExp(`^${sta.address}\nflags=\\[AUTH\\]\\[ASSOC\\].*\\[WPS\\]`));
    const res = await run.result;
    expect(res).toMatchObject({ ok: false, reason: 'timeout' });
    expect(wpsEvents(run.events)).toEqual([]);
    expect(l.events.filter((e) => /^WPS-(REG-SUCCESS|SUCCESS|FAIL|PIN-NEEDED)/.test(e))).toEqual([]);
  });

  it('wps_pin refuses bad arguments with FAIL; wps_cancel in PBC mode ends it with WPS-TIMEOUT', async () => {
    const l = await startLab();
    for (const bad of ['WPS_PIN any 1234567', 'WPS_PIN nope 12345670', 'WPS_PIN any 12345670 soon', 'WPS_PIN any 12345670 30 not-a-mac', 'WPS_PIN any']) {
      expect(await l.ctrl.request(bad)).toBe('FAIL\n');
    }
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    expect(await l.ctrl.request('WPS_CANCEL')).toBe('OK\n');
    await until(() => l.events.includes('WPS-TIMEOUT '), 'WPS-TIMEOUT');
    const sta = await addStation(l, '02:00:00:00:0b:06');
    const scan = await sta.scan({ channels: [CHANNEL], dwellMs: 150 });
    expect(scanResultWps(scan.find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ selectedRegistrar: false });
  });

  it('PBC mode that nobody uses ends after the walk time with WPS-TIMEOUT and the beacon no longer selected', async () => {
    const l = await startLab({ radio: { pbcWalkTimeMs: 2_000 } });
    const sta = await addStation(l, '02:00:00:00:0b:07');
    expect(await l.ctrl.request('WPS_PBC')).toBe('OK\n');
    const before = await sta.scan({ channels: [CHANNEL], dwellMs: 120 });
    expect(scanResultWps(before.find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ selectedRegistrar: true, devicePasswordId: DevicePasswordId.PushButton });
    await until(() => l.events.includes('WPS-TIMEOUT '), 'WPS-TIMEOUT');
    const after = await sta.scan({ channels: [CHANNEL], dwellMs: 120 });
    expect(scanResultWps(after.find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ selectedRegistrar: false });
  });
});

// ---------------------------------------------------------------------------------------------
// External Registrar side over UPnP on loopback

interface WlanEventSeen {
  type: number;
  mac: string;
  message: Buffer;
}

async function soap(base: string, action: string, args: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/wps_control`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${SERVICE}#${action}"` },
    body: buildSoapRequest(SERVICE, action, args),
  });
  await res.text();
  return res.status;
}

function setSelectedRegistrarMessage(selected: boolean, authorized: MacAddress[]): Buffer {
  const attrs = [attrU8(AttributeType.Version, WPS_VERSION), attrU8(AttributeType.SelectedRegistrar, selected ? 1 : 0)];
  if (selected) attrs.push(attrU16(AttributeType.DevicePasswordId, DevicePasswordId.Default), attrU16(AttributeType.SelectedRegistrarConfigMethods, ConfigMethods.Keypad | ConfigMethods.VirtualDisplay));
  attrs.push(buildWfaExtension({ version2: WPS_VERSION2, authorizedMacs: authorized.map((m) => Buffer.from(macToBytes(m))) }));
  return encodeAttributes(attrs);
}

/** One ER run against the AP's Enrollee (GetDeviceInfo, PutMessage ...) with `pin` as the AP PIN. */
async function erRunWithApPin(base: string, pin: string): Promise<void> {
  const call = async (action: string, args: Record<string, string>): Promise<Buffer | undefined> => {
    const res = await fetch(`${base}/wps_control`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${SERVICE}#${action}"` },
      body: buildSoapRequest(SERVICE, action, args),
    });
    const m = /<(?:NewDeviceInfo|NewOutMessage)>([\s\S]*?)</.exec(await res.text());
    return m?.[1] === undefined ? undefined : Buffer.from(m[1], 'base64');
  };
  const reg = new Registrar({ device: staDevice('02:00:00:00:0e:02', 'ER'), apSettings: { mode: 'learn' }, policy: { devicePassword: () => ({ kind: 'pin', pin }) } });
  const m1 = await call('GetDeviceInfo', {});
  if (m1 === undefined) throw new Error('no M1');
  let step = reg.receive(m1);
  for (let i = 0; i < 10 && step.reply !== undefined && step.result === undefined; i++) {
    const out = await call('PutMessage', { NewInMessage: step.reply.toString('base64') });
    if (out === undefined) break;
    step = reg.receive(out);
  }
  if (step.reply !== undefined && step.result !== undefined) await call('PutMessage', { NewInMessage: step.reply.toString('base64') });
}

/**
 * A test External Registrar: subscribed to the AP's events; for each
 * WLANEvent type 2 from `enrollee` its Registrar answers through
 * PutWLANResponse, the answer to M1 after `firstDelayMs`.
 */
async function subscribeEr(l: Lab, o: { enrollee?: MacAddress; pin?: string; firstDelayMs?: number } = {}): Promise<{ base: string; seen: WlanEventSeen[]; puts: number[] }> {
  const base = l.ap.bsses[0]?.wps?.proxy?.device.baseUrl ?? '';
  expect(base).not.toBe('');
  const gena = new GenaSubscriber({ address: '127.0.0.1' });
  l.gena = gena;
  await gena.start();
  const seen: WlanEventSeen[] = [];
  const puts: number[] = [];
  let reg: Registrar | undefined;
  let chain: Promise<void> = Promise.resolve();
  const erDevice = staDevice('02:00:00:00:0e:01', 'test ER');
  await gena.subscribe(`${base}/wps_event`, {
    onEvent: (props) => {
      const v = props['WLANEvent'];
      if (v === undefined) return;
      const raw = Buffer.from(v, 'base64');
      const ev = { type: raw[0] ?? 0, mac: raw.subarray(1, 18).toString('latin1'), message: raw.subarray(18) };
      if (ev.mac === '00:00:00:00:00:00') return;
      seen.push(ev);
      if (ev.type !== 2 || o.enrollee === undefined || ev.mac !== o.enrollee || o.pin === undefined) return;
      const pin = o.pin;
      if (wscMessageType(ev.message) === MessageType.M1) {
        reg = new Registrar({
          device: erDevice,
          policy: { devicePassword: () => ({ kind: 'pin', pin }), credentials: (e) => [{ networkIndex: 1, ssid: Buffer.from('er-network'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('from the ER 123'), macAddress: e.macAddress, extra: [] }] },
        });
      }
      const step = reg?.receive(ev.message);
      const reply = step?.reply;
      if (reply === undefined || step?.closing === true) return;
      const delay = wscMessageType(ev.message) === MessageType.M1 ? (o.firstDelayMs ?? 0) : 0;
      const mac = ev.mac;
      chain = chain.then(async () => {
        await new Promise((r) => setTimeout(r, delay));
        puts.push(await soap(base, 'PutWLANResponse', { NewMessage: reply.toString('base64'), NewWLANEventType: '2', NewWLANEventMAC: mac }));
      });
    },
  });
  return { base, seen, puts };
}

describe('wpsd ap driver=sim: the UPnP proxy and External Registrars', () => {
  it('SetSelectedRegistrar changes the beacon WPS element (selected, password id, Authorized MACs) and it reverts after the timeout; probes reach the ER as WLANEvent type 1', async () => {
    const l = await startLab({ upnp: true, radio: { selectedRegistrarTimeoutMs: 2_000 } });
    const er = await subscribeEr(l);
    const sta = await addStation(l, '02:00:00:00:0c:01');
    const before = await sta.scan({ channels: [CHANNEL], dwellMs: 120 });
    expect(scanResultWps(before.find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ selectedRegistrar: false });
    const authorized: MacAddress = '02:00:00:00:0c:99';
    expect(await soap(er.base, 'SetSelectedRegistrar', { NewMessage: setSelectedRegistrarMessage(true, [authorized]).toString('base64') })).toBe(200);
    // A scan with the WPS element in its Probe Request, as a WPS station sends it.
    const wpsProbe = buildProbeRequestWpsElements({ device: staDevice(sta.address, 'sta c1'), devicePasswordId: DevicePasswordId.Default, requestType: RequestType.EnrolleeOpen8021X, version2: true });
    const during = scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 120, elements: wpsProbe })).find((r) => r.bssid === AP)?.elements ?? []);
    expect(during).toMatchObject({ selectedRegistrar: true, devicePasswordId: DevicePasswordId.Default, selectedRegistrarConfigMethods: ConfigMethods.Keypad | ConfigMethods.VirtualDisplay });
    if (during === undefined || during === 'malformed') throw new Error('no WPS element');
    expect(during.authorizedMacs.map((m) => m.toString('hex'))).toEqual([Buffer.from(macToBytes(authorized)).toString('hex')]);
    // The station's WPS probe came to the ER as WLANEvent type 1: its MAC as text, then its WPS attributes.
    const probe = await until(() => er.seen.find((e) => e.type === 1 && e.mac === sta.address), 'WLANEvent type 1');
    expect(probe.message.subarray(0, 5).toString('hex')).toBe('104a000110');
    let after = during;
    for (let i = 0; i < 40 && after.selectedRegistrar; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const w = scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 80 })).find((r) => r.bssid === AP)?.elements ?? []);
      if (w === undefined || w === 'malformed') throw new Error('no WPS element');
      after = w;
    }
    expect(after).toMatchObject({ selectedRegistrar: false, authorizedMacs: [] });
  });

  it("an ER's M2 in the wait window is what the Enrollee gets: M1 as WLANEvent type 2, PutWLANResponse back to the station", async () => {
    const STA: MacAddress = '02:00:00:00:0d:01';
    const l = await startLab({ upnp: true, radio: { m2WaitMs: 2_000 } });
    const er = await subscribeEr(l, { enrollee: STA, pin: '12345670', firstDelayMs: 20 });
    expect(await soap(er.base, 'SetSelectedRegistrar', { NewMessage: setSelectedRegistrarMessage(true, [STA]).toString('base64') })).toBe(200);
    const sta = await addStation(l, STA);
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: true, bssid: AP });
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe('er-network');
    expect(wpsEvents(run.events).some((e) => e.type === 'm2d')).toBe(false);
    const types = er.seen.filter((e) => e.type === 2 && e.mac === STA).map((e) => wscMessageType(e.message));
    expect(types.slice(0, 4)).toEqual([MessageType.M1, MessageType.M3, MessageType.M5, MessageType.M7]);
    expect(er.puts.every((s) => s === 200)).toBe(true);
  });

  it('an M2D sent first (the ER answers after the window) does not fail the Enrollee: the late M2 completes the same association', async () => {
    const STA: MacAddress = '02:00:00:00:0d:02';
    const l = await startLab({ upnp: true, radio: { m2WaitMs: 100 } });
    const er = await subscribeEr(l, { enrollee: STA, pin: '12345670', firstDelayMs: 700 });
    expect(await soap(er.base, 'SetSelectedRegistrar', { NewMessage: setSelectedRegistrarMessage(true, [STA]).toString('base64') })).toBe(200);
    const sta = await addStation(l, STA);
    const run = runEnroll(sta, { kind: 'pin', pin: '12345670' });
    const res = await run.result;
    expect(res).toMatchObject({ ok: true });
    if (!res.ok) return;
    expect(res.credentials[0]?.ssid.toString()).toBe('er-network');
    expect(wpsEvents(run.events).map((e) => e.type)).toEqual(['m2d', 'cred-received', 'success']);
    expect(run.events.filter((e) => e.type === 'associating')).toHaveLength(1);
    expect(l.events.some((e) => e.startsWith('WPS-FAIL'))).toBe(false);
  });

  it("an ER's selection ends when its event subscription does", async () => {
    const l = await startLab({ upnp: true });
    const er = await subscribeEr(l);
    const sta = await addStation(l, '02:00:00:00:0c:02');
    expect(await soap(er.base, 'SetSelectedRegistrar', { NewMessage: setSelectedRegistrarMessage(true, ['02:00:00:00:0c:02']).toString('base64') })).toBe(200);
    expect(scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 120 })).find((r) => r.bssid === AP)?.elements ?? [])).toMatchObject({ selectedRegistrar: true });
    await l.gena?.close();
    l.gena = undefined;
    let selected = true;
    for (let i = 0; i < 20 && selected; i++) {
      const w = scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 120 })).find((r) => r.bssid === AP)?.elements ?? []);
      selected = w !== undefined && w !== 'malformed' && w.selectedRegistrar;
    }
    expect(selected).toBe(false);
  });

  it('three wrong AP PINs from an ER over UPnP put AP Setup Locked into the beacon', async () => {
    const l = await startLab({ upnp: true, conf: { ap_pin: '87654325' } });
    const base = l.ap.bsses[0]?.wps?.proxy?.device.baseUrl ?? '';
    for (let i = 0; i < 3; i++) await erRunWithApPin(base, '11111115');
    await until(() => l.events.includes('WPS-AP-SETUP-LOCKED '), 'WPS-AP-SETUP-LOCKED');
    const sta = await addStation(l, '02:00:00:00:0c:03');
    let locked = false;
    for (let i = 0; i < 20 && !locked; i++) {
      const w = scanResultWps((await sta.scan({ channels: [CHANNEL], dwellMs: 120 })).find((r) => r.bssid === AP)?.elements ?? []);
      locked = w !== undefined && w !== 'malformed' && w.apSetupLocked;
    }
    expect(locked).toBe(true);
  });

  it('Probe Requests with garbage WPS elements break nothing and only well-formed ones are proxied; a good one still is', async () => {
    const l = await startLab({ upnp: true });
    const er = await subscribeEr(l);
    const sta = await addStation(l, '02:00:00:00:0c:04');
    const garbage = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 200 }), { numRuns: 12, seed: 42 });
    for (const g of garbage) {
      // Half of them start like a real attribute list (Version), so they get past the first checks.
      const body = g.length % 2 === 0 ? Buffer.concat([Buffer.from('104a000110', 'hex'), g]) : Buffer.from(g);
      await sta.scan({ channels: [CHANNEL], dwellMs: 20, elements: [{ id: 221, data: Buffer.concat([Buffer.from('0050f204', 'hex'), body]) }] });
    }
    expect(await l.ctrl.request('PING')).toBe('PONG\n');
    const wpsProbe = buildProbeRequestWpsElements({ device: staDevice(sta.address, 'sta c4'), devicePasswordId: DevicePasswordId.Default, requestType: RequestType.EnrolleeOpen8021X, version2: true });
    await new Promise((r) => setTimeout(r, 1_100));
    await sta.scan({ channels: [CHANNEL], dwellMs: 60, elements: wpsProbe });
    await until(() => er.seen.find((e) => e.type === 1 && e.mac === sta.address && e.message.includes(Buffer.from('sta c4'))), 'the good probe as WLANEvent type 1');
    // Whatever was proxied before it parsed as WSC attributes.
    for (const e of er.seen.filter((x) => x.type === 1)) expect(() => parseAttributes(e.message)).not.toThrow();
  });

  it('a PutWLANResponse for a MAC with no station is accepted and changes nothing', async () => {
    const l = await startLab({ upnp: true });
    const er = await subscribeEr(l);
    expect(await soap(er.base, 'PutWLANResponse', { NewMessage: Buffer.from('104a000110', 'hex').toString('base64'), NewWLANEventType: '2', NewWLANEventMAC: '02:00:00:00:0d:77' })).toBe(200);
  });
});
