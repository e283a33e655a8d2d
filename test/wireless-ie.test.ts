/**
 * The WPS elements of the radio path: the AP's Beacon / Probe Response
 * element against hostapd's attribute order (recorded in
 * fixtures/reference/hostapd-config-ddK.log), the selected-registrar union,
 * the station's Probe Request / Association Request elements, and
 * wpa_supplicant's scan flags and WPS-AP-AVAILABLE events; property tests
 * for every parser.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttributeType, encodeAttributes, parseAttributes, attrU8, attrU16, attrBytes } from '../src/wps/attributes.js';
import { parseDeviceType, parseUuid } from '../src/wps/device.js';
import { ConfigMethods, DevicePasswordId, RfBand } from '../src/wps/values.js';
import { buildWfaExtension, parseWfaExtension } from '../src/wps/vendor-ext.js';
import { fragmentWpsIe, joinWpsIe } from '../src/radio/wps-ie.js';
import type { Element } from '../src/radio/elements.js';
import { buildApWpsElements, buildAssocResponseWpsElements, buildBeaconWpsAttributes, buildProbeResponseWpsAttributes, NOT_SELECTED, type ApWpsIeConfig } from '../src/ap/wireless/wps-ie.js';
import { RegistrarContext, WPS_PBC_WALK_TIME_MS, type ExternalSelection } from '../src/wps/registrar-context.js';
import { SelectedRegistrarError, parseSetSelectedRegistrar } from '../src/wfa/set-selected-registrar.js';
import { parseProbeRequestWps, probeRequestWps, ProbeRequestWpsError, notePbcProbe } from '../src/ap/wireless/probe-request.js';
import { PbcSessions } from '../src/wps/pbc.js';
import { buildAssocRequestElements, buildAssocRequestWpsAttributes, buildProbeRequestWpsAttributes } from '../src/sta/wireless/probe-ie.js';
import { findMultiApElement, MultiApCapability } from '../src/radio/multi-ap-ie.js';
import {
  addrAuthorization,
  parseApWpsIe,
  scanResultFlag,
  scanResultWps,
  wpsApAvailableEvent,
  wpsScanFlag,
} from '../src/sta/wireless/scan-flags.js';
import { WscProtocolError } from '../src/wps/message.js';

const STA = '02:00:00:00:01:01';
const STA_BYTES = Buffer.from('020000000101', 'hex');

/** The AP of fixtures/reference/hostapd.conf: config_methods=label display push_button keypad (hostapd adds the virtual bits). */
const REFERENCE_AP: ApWpsIeConfig = {
  wpsState: 2,
  apSetupLocked: false,
  device: {
    uuid: parseUuid('12345678-9abc-def0-1234-56789abcdef0'),
    manufacturer: 'Company',
    modelName: 'WAP',
    modelNumber: '123',
    serialNumber: '12345',
    primaryDeviceType: parseDeviceType('6-0050F204-1'),
    deviceName: 'Wired AP',
    configMethods: ConfigMethods.Label | ConfigMethods.VirtualDisplay | ConfigMethods.VirtualPushButton | ConfigMethods.Keypad,
    rfBands: RfBand.Band24GHz,
  },
};

/** hostapd's debug names ("WPS:  * Name") to attribute types. */
const LOG_NAMES: Record<string, number> = {
  Version: AttributeType.Version,
  'Wi-Fi Protected Setup State': AttributeType.WifiProtectedSetupState,
  'AP Setup Locked': AttributeType.ApSetupLocked,
  'Selected Registrar': AttributeType.SelectedRegistrar,
  'Device Password ID': AttributeType.DevicePasswordId,
  'Selected Registrar Config Methods': AttributeType.SelectedRegistrarConfigMethods,
  'Response Type': AttributeType.ResponseType,
  'UUID-E': AttributeType.UuidE,
  Manufacturer: AttributeType.Manufacturer,
  'Model Name': AttributeType.ModelName,
  'Model Number': AttributeType.ModelNumber,
  'Serial Number': AttributeType.SerialNumber,
  'Primary Device Type': AttributeType.PrimaryDeviceType,
  'Device Name': AttributeType.DeviceName,
  'Config Methods': AttributeType.ConfigMethods,
  Version2: AttributeType.VendorExtension,
};

/** The attribute lines hostapd logged after `title` ("WPS: Build Beacon IEs"), up to the next non-attribute line. */
function loggedOrder(title: string): { type: number; detail: string }[] {
  const lines = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reference', 'hostapd-config-ddK.log'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.endsWith(title));
  expect(start).toBeGreaterThan(0);
  const out: { type: number; detail: string }[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /WPS: {2}\* ([^(]+?)(?: \((.*)\))?$/.exec(line);
    if (!m) break;
    const type = LOG_NAMES[(m[1] ?? '').replace(/ \(hardcoded.*$/, '').trim()];
    if (type === undefined) throw new Error(`unknown hostapd attribute line: ${line}`);
    out.push({ type, detail: m[2] ?? '' });
  }
  return out;
}

const types = (attrs: Uint8Array): number[] => parseAttributes(attrs).map((a) => a.type);

describe("the AP's WPS element", () => {
  it('Beacon attributes come in hostapd’s order', () => {
    const logged = loggedOrder('WPS: Build Beacon IEs');
    expect(types(buildBeaconWpsAttributes(REFERENCE_AP, NOT_SELECTED))).toEqual(logged.map((l) => l.type));
  });

  it('Probe Response attributes come in hostapd’s order, Config Methods 0x210c without push button', () => {
    const logged = loggedOrder('WPS: Build Probe Response IEs');
    const attrs = buildProbeResponseWpsAttributes(REFERENCE_AP, NOT_SELECTED);
    expect(types(attrs)).toEqual(logged.map((l) => l.type));
    const methods = parseAttributes(attrs).find((a) => a.type === AttributeType.ConfigMethods)?.value.readUInt16BE(0);
    expect(methods?.toString(16)).toBe(logged.find((l) => l.type === AttributeType.ConfigMethods)?.detail);
  });

  it('an idle configured AP beacons exactly Version 0x10, WPS State 2, Version2 0x20', () => {
    expect(buildBeaconWpsAttributes(REFERENCE_AP, NOT_SELECTED).toString('hex')).toBe('104a000110' + '1044000102' + '10490006' + '00372a000120');
  });

  it('with a PIN for any Enrollee the beacon says Selected Registrar, PIN, keypad/display/label methods and broadcast Authorized MACs', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: REFERENCE_AP.device.configMethods });
    sel.addPin('12345670');
    const hex = buildBeaconWpsAttributes(REFERENCE_AP, sel.view()).toString('hex');
    expect(hex).toBe(
      '104a000110' + '1044000102' + '1041000101' + '101200020000' + '10530002210c' + '1049000e' + '00372a000120' + '0106ffffffffffff',
    );
  });

  it('in PBC mode Device Password ID is PushButton and the methods gain the push button bits', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: REFERENCE_AP.device.configMethods });
    sel.pushButton();
    const v = sel.view();
    expect(v).toMatchObject({ selected: true, devicePasswordId: DevicePasswordId.PushButton, pbc: true });
    expect(v.configMethods).toBe(0x210c | ConfigMethods.VirtualPushButton);
  });

  it('AP Setup Locked is advertised when locked', () => {
    expect(types(buildBeaconWpsAttributes({ ...REFERENCE_AP, apSetupLocked: true }, NOT_SELECTED))).toContain(AttributeType.ApSetupLocked);
  });

  it('a dual-band AP in PBC mode adds UUID-E and RF Bands to the beacon', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: REFERENCE_AP.device.configMethods });
    sel.pushButton();
    const t = types(buildBeaconWpsAttributes({ ...REFERENCE_AP, dualBand: true }, sel.view()));
    expect(t.slice(-3)).toEqual([AttributeType.UuidE, AttributeType.RfBands, AttributeType.VendorExtension]);
  });

  it('the elements are WPS vendor elements that join back to the attributes', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: REFERENCE_AP.device.configMethods });
    const { beaconElements, probeResponseElements } = buildApWpsElements(REFERENCE_AP, sel.view());
    expect(Buffer.from(joinWpsIe(beaconElements) ?? [])).toEqual(buildBeaconWpsAttributes(REFERENCE_AP, sel.view()));
    expect(Buffer.from(joinWpsIe(probeResponseElements) ?? [])).toEqual(buildProbeResponseWpsAttributes(REFERENCE_AP, sel.view()));
  });

  it('the association response element is Version, Response Type AP, Version2 (as hostapd logs it)', () => {
    expect(Buffer.from(joinWpsIe(buildAssocResponseWpsElements()) ?? []).toString('hex')).toBe('104a000110' + '103b000103' + '10490006' + '00372a000120');
  });
});

describe('the selected-registrar union', () => {
  const methods = REFERENCE_AP.device.configMethods;
  it('merges ERs: the ER’s Device Password ID, methods OR-ed, Authorized MACs appended up to five', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: methods });
    sel.addPin('12345670', { macAddress: STA_BYTES });
    const macs = [1, 2, 3, 4, 5].map((i) => Buffer.from([2, 0, 0, 0, 9, i]));
    const er1: ExternalSelection = { devicePasswordId: DevicePasswordId.RegistrarSpecified, configMethods: ConfigMethods.Display, authorizedMacs: macs };
    const v = sel.view([er1]);
    expect(v.devicePasswordId).toBe(DevicePasswordId.RegistrarSpecified);
    expect(v.configMethods).toBe(0x210c | ConfigMethods.Display);
    expect(v.authorizedMacs).toEqual([STA_BYTES, ...macs.slice(0, 4)]);
  });

  it('PBC keeps PushButton even when an ER selects a PIN', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: methods });
    sel.pushButton();
    expect(sel.view([{ devicePasswordId: 0, configMethods: ConfigMethods.Keypad, authorizedMacs: [] }]).devicePasswordId).toBe(DevicePasswordId.PushButton);
  });

  it('a PIN keeps the internal Registrar selected for the 120 s walk time; an ER keeps it selected on its own', () => {
    let now = 1_000;
    const sel = new RegistrarContext({ now: () => now, configMethods: methods });
    sel.addPin('12345670');
    now += 60_000;
    const er1: ExternalSelection = { devicePasswordId: 0, configMethods: ConfigMethods.Keypad, authorizedMacs: [] };
    expect(sel.nextDeadline()).toBe(1_000 + WPS_PBC_WALK_TIME_MS);
    now = 1_000 + WPS_PBC_WALK_TIME_MS;
    expect(sel.expire()).toEqual([{ type: 'selection-lapsed' }]);
    expect(sel.selected).toBe(false);
    expect(sel.view([er1]).selected).toBe(true);
    expect(sel.view().selected).toBe(false);
    expect(sel.nextDeadline()).toBeUndefined();
  });

  it('PBC mode ends with its walk time, on the PBC session clock', () => {
    let now = 0;
    const sel = new RegistrarContext({ now: () => now, configMethods: methods, pbcWalkTimeMs: 2_000 });
    expect(sel.pushButton()).toBe(true);
    expect(sel.nextDeadline()).toBe(2_000);
    now = 2_000;
    expect(sel.pbcActive).toBe(false);
    expect(sel.expire()).toEqual([{ type: 'pbc-timeout' }]);
    expect(sel.view().selected).toBe(false);
  });

  it('an ER selection with selected=0 is no selection; bad Authorized MACs are refused where the message is read', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: methods });
    expect(sel.view([]).selected).toBe(false);
    const fiveOctets = Buffer.from('104a000110' + '1041000101' + '101200020000' + '105300020108' + '1049000d00372a0001200105ffffffffff', 'hex');
    expect(() => parseSetSelectedRegistrar(fiveOctets)).toThrow(SelectedRegistrarError);
  });
});

const DEVICE = {
  uuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
  configMethods: ConfigMethods.VirtualPushButton | ConfigMethods.Keypad,
  primaryDeviceType: parseDeviceType('1-0050F204-1'),
  rfBands: RfBand.Band24GHz,
  manufacturer: 'wpsd',
  modelName: 'sim',
  modelNumber: '1',
  deviceName: 'laptop',
};

describe("the station's WPS elements", () => {
  it('Probe Request attributes come in wpa_supplicant’s order (wps_build_probe_req_ie)', () => {
    expect(types(buildProbeRequestWpsAttributes({ device: DEVICE, devicePasswordId: DevicePasswordId.PushButton }))).toEqual([
      AttributeType.Version,
      AttributeType.RequestType,
      AttributeType.ConfigMethods,
      AttributeType.UuidE,
      AttributeType.PrimaryDeviceType,
      AttributeType.RfBands,
      AttributeType.AssociationState,
      AttributeType.ConfigurationError,
      AttributeType.DevicePasswordId,
      AttributeType.Manufacturer,
      AttributeType.ModelName,
      AttributeType.ModelNumber,
      AttributeType.DeviceName,
      AttributeType.VendorExtension,
    ]);
  });

  it('an enrolling station asks to enroll (Request Type 1, Request to Enroll in the WFA extension)', () => {
    const attrs = parseAttributes(buildProbeRequestWpsAttributes({ device: DEVICE }));
    expect(attrs.find((a) => a.type === AttributeType.RequestType)?.value).toEqual(Buffer.from([1]));
    const wfa = parseWfaExtension(attrs.find((a) => a.type === AttributeType.VendorExtension)?.value ?? Buffer.alloc(0));
    expect(wfa).toMatchObject({ version2: 0x20, requestToEnroll: true });
  });

  it('the association request element is Version, Request Type, Version2', () => {
    expect(buildAssocRequestWpsAttributes().toString('hex')).toBe('104a000110' + '103a000101' + '10490006' + '00372a000120');
  });

  it('a Multi-AP backhaul STA adds the Multi-AP element with Backhaul STA set', () => {
    const els = buildAssocRequestElements({ multiApBackhaulSta: true });
    expect(findMultiApElement(els)?.capability).toBe(MultiApCapability.BACKHAUL_STA);
    expect(findMultiApElement(buildAssocRequestElements())).toBeUndefined();
  });

  it('the AP reads back what the station sends, and records a PBC session', () => {
    const els = fragmentWpsIe(buildProbeRequestWpsAttributes({ device: DEVICE, devicePasswordId: DevicePasswordId.PushButton }));
    const p = probeRequestWps(els);
    expect(p).toMatchObject({ requestType: 1, configMethods: DEVICE.configMethods, uuidE: DEVICE.uuid, devicePasswordId: 4, deviceName: 'laptop', version2: true, requestToEnroll: true, pbc: true });
    const pbc = new PbcSessions({ now: () => 0 });
    expect(notePbcProbe(pbc, STA, p ?? parseProbeRequestWps(Buffer.alloc(0)))).toEqual({ recorded: true, overlap: false });
    expect(pbc.sessions()).toHaveLength(1);
    expect(probeRequestWps([])).toBeUndefined();
  });
});

function apIe(attrs: Parameters<typeof encodeAttributes>[0]): Element[] {
  return fragmentWpsIe(encodeAttributes(attrs));
}
const V = attrU8(AttributeType.Version, 0x10);
const SEL = attrU8(AttributeType.SelectedRegistrar, 1);
const v2 = (macs?: Buffer[]) => buildWfaExtension(macs ? { version2: 0x20, authorizedMacs: macs } : { version2: 0x20 });

describe('scan flags and WPS-AP-AVAILABLE events (wpa_supplicant)', () => {
  const pbcAp = apIe([V, SEL, attrU16(AttributeType.DevicePasswordId, 4), v2([Buffer.alloc(6, 0xff)])]);
  const authAp = apIe([V, SEL, attrU16(AttributeType.DevicePasswordId, 0), v2([STA_BYTES])]);
  const bcastAp = apIe([V, SEL, attrU16(AttributeType.DevicePasswordId, 0), v2([Buffer.alloc(6, 0xff)])]);
  const pinAp = apIe([V, SEL, attrU16(AttributeType.DevicePasswordId, 0), v2()]);
  const pinV1Ap = apIe([V, SEL]);
  const idleAp = apIe([V, attrU8(AttributeType.WifiProtectedSetupState, 2), v2()]);

  it('gives [WPS-PBC], [WPS-AUTH], [WPS-PIN], [WPS] as ctrl_iface.c does', () => {
    expect(scanResultFlag({ elements: pbcAp }, STA)).toBe('[WPS-PBC]');
    expect(scanResultFlag({ elements: authAp }, STA)).toBe('[WPS-AUTH]');
    expect(scanResultFlag({ elements: bcastAp }, STA)).toBe('[WPS-AUTH]');
    expect(scanResultFlag({ elements: authAp }, '02:00:00:00:01:02')).toBe('[WPS-PIN]');
    expect(scanResultFlag({ elements: pinAp }, STA)).toBe('[WPS-PIN]');
    expect(scanResultFlag({ elements: pinV1Ap }, STA)).toBe('[WPS-PIN]');
    expect(scanResultFlag({ elements: idleAp }, STA)).toBe('[WPS]');
    expect(scanResultFlag({ elements: [] }, STA)).toBeUndefined();
    expect(scanResultFlag({ elements: fragmentWpsIe(Buffer.from([0x10, 0x4a, 0x00])) }, STA)).toBe('[WPS]');
  });

  it('a WPS 1.0 AP with a selected PIN Registrar authorizes everybody in compatibility mode only', () => {
    const info = scanResultWps(pinV1Ap);
    if (info === undefined || info === 'malformed') throw new Error('no WPS info');
    expect(addrAuthorization(info, STA, true)).toBe(1);
    expect(addrAuthorization(info, STA, false)).toBe(0);
  });

  it('picks the one event by priority PBC > AUTH > PIN > plain', () => {
    const r = (elements: Element[]) => ({ elements });
    expect(wpsApAvailableEvent([r(idleAp), r(pinAp), r(authAp), r(pbcAp)], STA)).toBe('WPS-AP-AVAILABLE-PBC');
    expect(wpsApAvailableEvent([r(idleAp), r(pinAp), r(authAp)], STA)).toBe('WPS-AP-AVAILABLE-AUTH');
    expect(wpsApAvailableEvent([r(idleAp), r(pinAp)], STA)).toBe('WPS-AP-AVAILABLE-PIN');
    expect(wpsApAvailableEvent([r(idleAp)], STA)).toBe('WPS-AP-AVAILABLE');
    expect(wpsApAvailableEvent([r([])], STA)).toBeUndefined();
  });

  it('reads what the AP builds', () => {
    const sel = new RegistrarContext({ now: () => 0, configMethods: REFERENCE_AP.device.configMethods });
    sel.addPin('12345670', { macAddress: STA_BYTES });
    const info = parseApWpsIe(buildProbeResponseWpsAttributes(REFERENCE_AP, sel.view()));
    expect(info).toMatchObject({ wpsState: 2, selectedRegistrar: true, devicePasswordId: 0, selectedRegistrarConfigMethods: 0x210c, responseType: 3, version2: true, deviceName: 'Wired AP' });
    expect(info.uuidE).toEqual(REFERENCE_AP.device.uuid);
    expect(info.authorizedMacs).toEqual([STA_BYTES]);
    expect(wpsScanFlag(info, STA)).toBe('[WPS-AUTH]');
  });
});

describe('parsers are total (fast-check)', () => {
  const attrArb = fc.oneof(
    fc.record({ type: fc.constantFrom(0x104a, 0x1041, 0x1012, 0x1053, 0x1044, 0x1057, 0x103b, 0x1047, 0x1008, 0x1011, 0x1049, 0x103a, 0x1054), value: fc.uint8Array({ maxLength: 40 }) }),
    fc.record({ type: fc.integer({ min: 0, max: 0xffff }), value: fc.uint8Array({ maxLength: 20 }) }),
  );
  const streams = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.array(attrArb, { maxLength: 12 }).map((list) => encodeAttributes(list.map((a) => ({ type: a.type, value: Buffer.from(a.value) })))),
    fc.array(attrArb, { maxLength: 6 }).map((list) => {
      const b = encodeAttributes(list.map((a) => ({ type: a.type, value: Buffer.from(a.value) })));
      return b.subarray(0, Math.max(0, b.length - 1));
    }),
  );

  it('parseApWpsIe returns or throws WscProtocolError, nothing else', () => {
    fc.assert(
      fc.property(streams, (b) => {
        try {
          const info = parseApWpsIe(b);
          expect(typeof info.selectedRegistrar).toBe('boolean');
          for (const m of info.authorizedMacs) expect(m.length).toBe(6);
        } catch (e) {
          expect(e).toBeInstanceOf(WscProtocolError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('parseProbeRequestWps returns or throws ProbeRequestWpsError, nothing else', () => {
    fc.assert(
      fc.property(streams, (b) => {
        try {
          const p = parseProbeRequestWps(b);
          expect(p.pbc).toBe(p.devicePasswordId === 4);
          if (p.uuidE) expect(p.uuidE.length).toBe(16);
        } catch (e) {
          expect(e).toBeInstanceOf(ProbeRequestWpsError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('scan flags of any element list never throw', () => {
    const el = fc.record({ id: fc.constantFrom(0, 1, 221), data: fc.uint8Array({ maxLength: 60 }) });
    const wpsEl = fc.uint8Array({ maxLength: 100 }).map((d) => ({ id: 221, data: Uint8Array.from([0x00, 0x50, 0xf2, 0x04, ...d]) }));
    fc.assert(
      fc.property(fc.array(fc.oneof(el, wpsEl), { maxLength: 5 }), (elements) => {
        const flag = scanResultFlag({ elements }, STA);
        expect(flag === undefined || ['[WPS-PBC]', '[WPS-AUTH]', '[WPS-PIN]', '[WPS]'].includes(flag)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('what the AP builds, the station parses back (any selection, any device strings)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.uint8Array({ minLength: 6, maxLength: 6 }), { maxLength: 5 }),
        fc.string({ maxLength: 32 }).filter((s) => Buffer.byteLength(s) <= 32),
        (selected, pwId, methods, macs, name) => {
          const sel = { selected, devicePasswordId: pwId, configMethods: methods, authorizedMacs: macs.map((m) => Buffer.from(m)), pbc: false };
          const cfg = { ...REFERENCE_AP, device: { ...REFERENCE_AP.device, deviceName: name } };
          const info = parseApWpsIe(buildProbeResponseWpsAttributes(cfg, sel));
          expect(info.selectedRegistrar).toBe(selected);
          if (selected) expect([info.devicePasswordId, info.selectedRegistrarConfigMethods]).toEqual([pwId, methods]);
          expect(info.authorizedMacs).toEqual(sel.authorizedMacs);
          expect(info.deviceName).toBe(name === '' ? ' ' : name);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('what the station builds, the AP parses back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 3 }), (uuid, pwId, reqType) => {
        const p = parseProbeRequestWps(buildProbeRequestWpsAttributes({ device: { ...DEVICE, uuid: Buffer.from(uuid) }, devicePasswordId: pwId, requestType: reqType }));
        expect(p).toMatchObject({ uuidE: Buffer.from(uuid), devicePasswordId: pwId, requestType: reqType, version2: true, requestToEnroll: reqType === 1 });
      }),
      { numRuns: 200 },
    );
  });
});

describe('malformed elements are refused with typed errors', () => {
  it('a wrong-sized attribute', () => {
    expect(() => parseApWpsIe(encodeAttributes([attrBytes(AttributeType.SelectedRegistrar, Buffer.from([1, 1]))]))).toThrow(WscProtocolError);
    expect(() => parseProbeRequestWps(encodeAttributes([attrBytes(AttributeType.UuidE, Buffer.alloc(15))]))).toThrow(ProbeRequestWpsError);
  });
});
