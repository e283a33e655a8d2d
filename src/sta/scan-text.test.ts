import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../radio/driver.js';
import { ElementId, ssidElement, type Element } from '../radio/elements.js';
import { CapabilityInfo } from '../radio/frame.js';
import { encodeRsnElement, RsnAkm, RsnCapability, RsnCipher, rsnElement, wpa2PersonalRsn, RSN_VERSION } from '../radio/rsn-ie.js';
import { fragmentWpsIe } from '../radio/wps-ie.js';
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes } from '../wps/attributes.js';
import { parseDeviceType } from '../wps/device.js';
import { DevicePasswordId, WPS_VERSION, WpsState } from '../wps/values.js';
import { BSS_EXPIRATION_SCAN_COUNT, BssTable, channelToFreq } from './bss-table.js';
import { bssFlags, bssReply, rsnFlagText, scanResultsReply, selectBss, wpsAttrText } from './scan-text.js';

const OWN = '02:00:00:00:00:99';

function wpsElements(extra: { type: number; value: Buffer }[] = []): Element[] {
  return fragmentWpsIe(encodeAttributes([attrU8(AttributeType.Version, WPS_VERSION), attrU8(AttributeType.WifiProtectedSetupState, WpsState.Configured), ...extra]));
}

function result(bssid: string, o: Partial<ScanResult> = {}): ScanResult {
  return { bssid, channel: 6, ssid: Buffer.from('net'), capability: CapabilityInfo.ESS | CapabilityInfo.PRIVACY, beaconInterval: 100, elements: [ssidElement(Buffer.from('net')), rsnElement(wpa2PersonalRsn())], fromProbeResponse: true, ...o };
}

describe('scan_results flags', () => {
  it('shows RSN as wpa_supplicant does: [WPA2-PSK-CCMP], two ciphers and preauth, ? for an unreadable element', () => {
    expect(rsnFlagText(encodeRsnElement(wpa2PersonalRsn()))).toBe('[WPA2-PSK-CCMP]');
    const mixed = encodeRsnElement({ version: RSN_VERSION, groupCipher: RsnCipher.TKIP, pairwiseCiphers: [RsnCipher.TKIP, RsnCipher.CCMP_128], akmSuites: [RsnAkm.PSK, RsnAkm.IEEE8021X], capabilities: RsnCapability.PREAUTH });
    expect(rsnFlagText(mixed)).toBe('[WPA2-EAP+PSK-CCMP+TKIP-preauth]');
    // Only the version: wpa_parse_wpa_ie's defaults (802.1X, CCMP).
    expect(rsnFlagText(Uint8Array.from([1, 0]))).toBe('[WPA2-EAP-CCMP]');
    expect(rsnFlagText(Uint8Array.from([2, 0]))).toBe('[WPA2-?]');
  });

  it('puts the WPS flag between the security flags and [ESS]; a protected BSS without RSN is [WEP]', () => {
    const wps = result('02:00:00:00:00:01', { elements: [rsnElement(wpa2PersonalRsn()), ...wpsElements([attrU8(AttributeType.SelectedRegistrar, 1), attrU16(AttributeType.DevicePasswordId, DevicePasswordId.PushButton)])] });
    expect(bssFlags(wps, OWN)).toBe('[WPA2-PSK-CCMP][WPS-PBC][ESS]');
    expect(bssFlags(result('02:00:00:00:00:02', { elements: [] }), OWN)).toBe('[WEP][ESS]');
    expect(bssFlags(result('02:00:00:00:00:03', { elements: [], capability: CapabilityInfo.ESS }), OWN)).toBe('[ESS]');
  });

  it('never throws on arbitrary RSN data or element lists', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (data) => {
        expect(rsnFlagText(data)).toMatch(/^\[WPA2-.*\]$/);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.constantFrom(ElementId.RSN, ElementId.VENDOR_SPECIFIC, ElementId.SSID), data: fc.uint8Array({ maxLength: 60 }) }), { maxLength: 5 }), (elements) => {
        expect(typeof bssFlags({ elements, capability: CapabilityInfo.ESS }, OWN)).toBe('string');
        expect(typeof wpsAttrText(elements)).toBe('string');
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (attrs) => {
        expect(typeof wpsAttrText([{ id: ElementId.VENDOR_SPECIFIC, data: Buffer.concat([Buffer.from('0050f204', 'hex'), attrs]) }])).toBe('string');
      }),
    );
  });
});

describe('bss', () => {
  it('lists the WPS attributes as wps_attr_text, control characters in the device name as _', () => {
    const text = wpsAttrText(
      wpsElements([
        attrU8(AttributeType.ApSetupLocked, 1),
        attrU8(AttributeType.SelectedRegistrar, 1),
        attrU16(AttributeType.DevicePasswordId, 0),
        attrU16(AttributeType.SelectedRegistrarConfigMethods, 0x4388),
        attrBytes(AttributeType.PrimaryDeviceType, parseDeviceType('6-0050F204-1')),
        attrBytes(AttributeType.DeviceName, Buffer.from('AP\nname')),
        attrU16(AttributeType.ConfigMethods, 0x2008),
      ]),
    );
    expect(text).toBe(
      'wps_state=configured\nwps_ap_setup_locked=1\nwps_selected_registrar=1\nwps_device_password_id=0\n' +
        'wps_selected_registrar_config_methods=0x4388\nwps_primary_device_type=6-0050F204-1\nwps_device_name=AP_name\nwps_config_methods=0x2008\n',
    );
    expect(wpsAttrText([])).toBe('');
  });

  it('finds entries by id, BSSID in either case, FIRST, LAST, NEXT-id and PREV-id', () => {
    const t = new BssTable(() => 0);
    t.update([result('02:00:00:00:00:01'), result('02:00:00:00:00:02')]);
    expect(selectBss(t, 'FIRST')?.bssid).toBe('02:00:00:00:00:01');
    expect(selectBss(t, 'LAST')?.id).toBe(1);
    expect(selectBss(t, 'NEXT-0')?.id).toBe(1);
    expect(selectBss(t, 'PREV-1')?.id).toBe(0);
    expect(selectBss(t, 'PREV-0')).toBeUndefined();
    expect(selectBss(t, '02:00:00:00:00:0A')).toBeUndefined();
    expect(selectBss(t, '02:00:00:00:00:02')?.id).toBe(1);
    expect(selectBss(t, '1')?.bssid).toBe('02:00:00:00:00:02');
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (arg) => {
        const e = selectBss(t, arg);
        expect(e === undefined || e.id === 0 || e.id === 1).toBe(true);
      }),
    );
    const first = t.byId(0);
    if (first === undefined) throw new Error('BSS 0 missing');
    const reply = bssReply(t, first, OWN);
    expect(reply.startsWith('id=0\nbssid=02:00:00:00:00:01\nfreq=2437\nbeacon_int=100\ncapabilities=0x0011\n')).toBe(true);
    expect(reply).toContain('\nflags=[WPA2-PSK-CCMP][ESS]\nssid=net\n');
  });

  it('keeps ids across scans and drops a BSS missing from consecutive scans', () => {
    let now = 0;
    const t = new BssTable(() => now);
    t.update([result('02:00:00:00:00:01'), result('02:00:00:00:00:02')]);
    now = 3_500;
    t.update([result('02:00:00:00:00:02')]);
    expect(t.list().map((e) => [e.id, e.bssid])).toEqual([
      [0, '02:00:00:00:00:01'],
      [1, '02:00:00:00:00:02'],
    ]);
    const old = t.byId(0);
    expect(old === undefined ? undefined : t.age(old)).toBe(3);
    for (let i = 1; i < BSS_EXPIRATION_SCAN_COUNT; i++) t.update([result('02:00:00:00:00:02')]);
    expect(t.list().map((e) => e.id)).toEqual([1]);
    t.update([result('02:00:00:00:00:01', { ssid: Buffer.from('a\tb') })]);
    // A BSS seen again after it expired gets a new id.
    expect(scanResultsReply(t, OWN)).toBe(
      'bssid / frequency / signal level / flags / ssid\n' + `02:00:00:00:00:02\t2437\t-30\t[WPA2-PSK-CCMP][ESS]\tnet\n` + `02:00:00:00:00:01\t2437\t-30\t[WPA2-PSK-CCMP][ESS]\ta\\tb\n`,
    );
    expect(t.byBssid('02:00:00:00:00:01')?.id).toBe(2);
  });

  it('maps channels to frequencies', () => {
    expect([1, 6, 13, 14, 36, 165, 0, 200].map(channelToFreq)).toEqual([2412, 2437, 2472, 2484, 5180, 5825, 0, 0]);
  });
});
