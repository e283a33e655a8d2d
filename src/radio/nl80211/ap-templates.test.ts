import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseFrame } from '../frame.js';
import { mgmtFrameType } from './ops.js';
import { ElementId, vendorElement, type Element } from '../elements.js';
import { rsnElement, wpa2PersonalRsn, RsnAkm, RsnCipher } from '../rsn-ie.js';
import { WPS_IE_VENDOR_TYPE } from '../wps-ie.js';
import type { ApParams } from '../driver.js';
import { AP_RX_SUBTYPES, apCrypto, beaconTemplate, checkApParams, probeResponseFor, staFlagUpdate, StaFlag, stationRates, BEACON_FIXED_LEN } from './ap-templates.js';

const BSSID = '02:00:00:00:00:00';
const STA = '02:00:00:00:01:00';
const wps = vendorElement(WPS_IE_VENDOR_TYPE, Uint8Array.from([0x10, 0x4a, 0x00, 0x01, 0x10]));
const params = (over: Partial<ApParams> = {}): ApParams => ({
  ssid: Buffer.from('wpsd-test'),
  channel: 6,
  beaconInterval: 100,
  capability: 0x0011,
  beaconElements: [rsnElement(wpa2PersonalRsn()), wps],
  probeResponseElements: [rsnElement(wpa2PersonalRsn()), wps],
  ...over,
});
const ssidProbe = (ssid: string): Element[] => [{ id: ElementId.SSID, data: Buffer.from(ssid) }];

describe('Beacon template for START_AP / SET_BEACON', () => {
  it('head is the Beacon up to the DS Parameter Set, tail starts with Extended Supported Rates and ends with the daemon elements', () => {
    const p = params();
    const t = beaconTemplate(BSSID, p, p.beaconElements);
    const tim = Uint8Array.from([ElementId.TIM, 4, 0, 2, 0, 0]); // mac80211 inserts the TIM between head and tail
    const f = parseFrame(Buffer.concat([t.head, tim, t.tail]));
    if (f.kind !== 'management' || f.body.subtype !== 'beacon') throw new Error('not a beacon');
    expect(f.header).toMatchObject({ addr1: 'ff:ff:ff:ff:ff:ff', addr2: BSSID, addr3: BSSID });
    expect(f.body).toMatchObject({ beaconInterval: 100, capability: 0x0011 });
    expect(f.body.elements.map((e) => e.id)).toEqual([ElementId.SSID, ElementId.SUPPORTED_RATES, ElementId.DS_PARAMETER_SET, ElementId.TIM, ElementId.EXTENDED_SUPPORTED_RATES, ElementId.RSN, ElementId.VENDOR_SPECIFIC]);
    expect(Buffer.from(f.body.elements[0]?.data ?? [])).toEqual(Buffer.from('wpsd-test'));
    expect([...(f.body.elements[2]?.data ?? [])]).toEqual([6]);
    expect(t.head.length).toBe(BEACON_FIXED_LEN + 2 + 9 + 2 + 8 + 3);
  });

  it('a hidden SSID is empty in the Beacon', () => {
    const t = beaconTemplate(BSSID, params({ hideSsid: true }), []);
    expect(t.head[BEACON_FIXED_LEN]).toBe(ElementId.SSID);
    expect(t.head[BEACON_FIXED_LEN + 1]).toBe(0);
  });

  it('refuses an SSID or interval the kernel would refuse, naming the interface', () => {
    expect(() => checkApParams('wlan0', params({ ssid: Buffer.alloc(33) }))).toThrow(/wlan0: SSID of 33 octets/);
    expect(() => checkApParams('wlan0', params({ beaconInterval: 10 }))).toThrow(/wlan0: beacon interval 10 TU/);
  });
});

describe('Probe Responses answered in user space', () => {
  it('answers a wildcard or matching SSID with the probe-response elements, not another SSID', () => {
    const p = params();
    const r = probeResponseFor(BSSID, STA, p, p.probeResponseElements, ssidProbe(''));
    expect(r?.header).toMatchObject({ addr1: STA, addr2: BSSID, addr3: BSSID });
    if (r?.body.subtype !== 'probe-response') throw new Error('no response');
    expect(r.body.elements.map((e) => e.id)).toEqual([ElementId.SSID, ElementId.SUPPORTED_RATES, ElementId.DS_PARAMETER_SET, ElementId.EXTENDED_SUPPORTED_RATES, ElementId.RSN, ElementId.VENDOR_SPECIFIC]);
    expect(probeResponseFor(BSSID, STA, p, [], ssidProbe('wpsd-test'))).toBeDefined();
    expect(probeResponseFor(BSSID, STA, p, [], ssidProbe('other'))).toBeUndefined();
    expect(probeResponseFor(BSSID, STA, p, [], [])).toBeUndefined();
  });

  it('a hidden BSS answers only probes for its SSID, and then with the SSID', () => {
    const p = params({ hideSsid: true });
    expect(probeResponseFor(BSSID, STA, p, [], ssidProbe(''))).toBeUndefined();
    const r = probeResponseFor(BSSID, STA, p, [], ssidProbe('wpsd-test'));
    if (r?.body.subtype !== 'probe-response') throw new Error('no response');
    expect(Buffer.from(r.body.elements[0]?.data ?? [])).toEqual(Buffer.from('wpsd-test'));
  });
});

describe('START_AP crypto settings and station attributes', () => {
  it('reads WPA2-PSK / CCMP from the RSN element, nothing for an open BSS', () => {
    expect(apCrypto('wlan0', [rsnElement(wpa2PersonalRsn())])).toEqual({ akmSuite: RsnAkm.PSK, pairwiseCipher: RsnCipher.CCMP_128, groupCipher: RsnCipher.CCMP_128 });
    expect(apCrypto('wlan0', [wps])).toBeUndefined();
    expect(() => apCrypto('wlan0', [{ id: ElementId.RSN, data: Uint8Array.from([1]) }])).toThrow(/wlan0: invalid RSN element/);
    expect(() => apCrypto('wlan0', [{ id: ElementId.RSN, data: Uint8Array.from([1, 0]) }])).toThrow(/wlan0: the RSN element names no/);
  });

  it('registers the frame types hostapd does, as Frame Control values', () => {
    expect(AP_RX_SUBTYPES.map(mgmtFrameType)).toEqual([0x40, 0xb0, 0x00, 0x20, 0xa0, 0xc0, 0xd0]);
  });

  it('encodes struct nl80211_sta_flag_update as mask then set', () => {
    expect(staFlagUpdate([StaFlag.AUTHORIZED, StaFlag.WME], [StaFlag.AUTHORIZED])).toEqual(Buffer.from([0x0a, 0, 0, 0, 0x02, 0, 0, 0]));
  });

  it('takes the station rates from Supported and Extended Supported Rates, in order', () => {
    expect(stationRates([{ id: ElementId.SUPPORTED_RATES, data: Uint8Array.from([0x82, 0x84]) }, wps, { id: ElementId.EXTENDED_SUPPORTED_RATES, data: Uint8Array.from([0x6c]) }])).toEqual(
      Buffer.from([0x82, 0x84, 0x6c]),
    );
  });

  it('any RSN element bytes give settings or a DriverError, never another throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        try {
          apCrypto('wlan0', [{ id: ElementId.RSN, data }]);
        } catch (e) {
          expect((e as Error).name).toBe('DriverError');
        }
      }),
    );
  });
});
