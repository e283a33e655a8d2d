import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildAttribute, parseAttributes, attrU32 } from './netlink-message.js';
import { BssAttr, SCAN_FLAG_FLUSH, channelFreq, freqChannel, parseBss, triggerScanAttrs } from './scan.js';
import { ElementId, buildElements } from '../elements.js';

const u16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);
const u32 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24);

function bss(attrs: Array<[number, Uint8Array]>): Uint8Array {
  return Buffer.concat(attrs.map(([t, p]) => buildAttribute(t, p)));
}

const ies = buildElements([
  { id: ElementId.SSID, data: Buffer.from('test-wps') },
  { id: ElementId.DS_PARAMETER_SET, data: Uint8Array.of(6) },
]);

describe('nl80211 scan attributes and results', () => {
  it('TRIGGER_SCAN: a wildcard SSID, the channels as MHz, the elements, the flush flag', () => {
    const a = triggerScanAttrs({ channels: [1, 6, 13], elements: [{ id: 221, data: Uint8Array.of(0, 0x50, 0xf2, 4, 1) }] });
    const ssids = parseAttributes(a.scanSsids);
    expect(ssids).toHaveLength(1);
    expect(ssids[0]?.payload.length).toBe(0);
    expect(parseAttributes(a.scanFrequencies ?? Buffer.alloc(0)).map(attrU32)).toEqual([2412, 2437, 2472]);
    expect([...(a.ie ?? [])]).toEqual([221, 5, 0, 0x50, 0xf2, 4, 1]);
    expect(a.scanFlags).toBe(SCAN_FLAG_FLUSH);
  });

  it('refuses a channel that is not 2.4 or 5 GHz and an SSID over 32 octets', () => {
    expect(() => triggerScanAttrs({ channels: [15] })).toThrow(/channel 15/);
    expect(() => triggerScanAttrs({ ssid: new Uint8Array(33) })).toThrow(/33 octets/);
  });

  it('channel and frequency agree both ways', () => {
    for (const c of [1, 6, 11, 13, 14, 36, 149]) expect(freqChannel(channelFreq(c))).toBe(c);
    expect(channelFreq(0)).toBe(0);
    expect(freqChannel(900)).toBe(0);
  });

  it('a BSS entry: address, channel from the DS Parameter Set, SSID, capability, interval, probe-response origin', () => {
    const r = parseBss(
      bss([
        [BssAttr.BSSID, Uint8Array.of(2, 0, 0, 0, 0, 0)],
        [BssAttr.FREQUENCY, u32(2412)],
        [BssAttr.BEACON_INTERVAL, u16(100)],
        [BssAttr.CAPABILITY, u16(0x0411)],
        [BssAttr.INFORMATION_ELEMENTS, ies],
        [BssAttr.BEACON_IES, ies],
        [BssAttr.PRESP_DATA, new Uint8Array(0)],
      ]),
    );
    expect(r).toMatchObject({ bssid: '02:00:00:00:00:00', channel: 6, capability: 0x0411, beaconInterval: 100, fromProbeResponse: true });
    expect(Buffer.from(r?.ssid ?? []).toString()).toBe('test-wps');
    expect(r?.beaconElements).toHaveLength(2);
  });

  it('an entry without BSSID or frequency is skipped; malformed elements leave the BSS without elements', () => {
    expect(parseBss(bss([[BssAttr.FREQUENCY, u32(2412)]]))).toBeUndefined();
    expect(parseBss(bss([[BssAttr.BSSID, Uint8Array.of(2, 0, 0, 0, 0, 1)]]))).toBeUndefined();
    const r = parseBss(bss([[BssAttr.BSSID, Uint8Array.of(2, 0, 0, 0, 0, 1)], [BssAttr.FREQUENCY, u32(2437)], [BssAttr.INFORMATION_ELEMENTS, Uint8Array.of(0, 40, 1)]]));
    expect(r).toMatchObject({ channel: 6, elements: [], fromProbeResponse: false });
  });

  it('any bytes give a BSS or nothing, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const r = parseBss(b);
        if (r !== undefined) expect(r.bssid).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      }),
      { numRuns: 2000 },
    );
  });
});
