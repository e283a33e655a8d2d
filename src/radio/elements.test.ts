import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseElements, buildElements, ElementError, vendorElement, findVendorElements, type Element, ELEMENT_MAX_DATA_LEN } from './elements.js';
import { fragmentWpsIe, joinWpsIe, buildWpsIe, withoutWpsIe, WPS_IE_FRAGMENT_MAX, WPS_IE_VENDOR_TYPE, WpsIeError, WPS_IE_JOINED_MAX } from './wps-ie.js';
import {
  parseMultiApPayload,
  buildMultiApElement,
  encodeMultiApElement,
  findMultiApElement,
  MultiApCapability,
  MultiApError,
  MULTI_AP_VENDOR_TYPE,
} from './multi-ap-ie.js';
import { parseRsnElement, encodeRsnElement, RsnError, wpa2PersonalRsn, RsnCipher, RsnAkm, type RsnElement } from './rsn-ie.js';

const bytes = (max = 300): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const element = fc.record({ id: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: ELEMENT_MAX_DATA_LEN }) });
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('information elements', () => {
  it('any bytes either parse into elements that re-encode to the same bytes or give an ElementError', () => {
    fc.assert(
      fc.property(bytes(600), (b) => {
        try {
          expect(buildElements(parseElements(b))).toEqual(b);
        } catch (e) {
          expect(e).toBeInstanceOf(ElementError);
        }
      }),
    );
  });

  it('element lists survive build then parse', () => {
    fc.assert(fc.property(fc.array(element, { maxLength: 8 }), (list) => {
        expect(parseElements(buildElements(list))).toEqual(list);
      }));
  });

  it('an element whose length runs past the end is refused, not cut short', () => {
    expect(() => parseElements(hex('00 05 61 62'))).toThrow(expect.objectContaining({ code: 'TRUNCATED_DATA' }));
    expect(() => parseElements(hex('00 00 dd'))).toThrow(expect.objectContaining({ code: 'TRUNCATED_HEADER' }));
  });

  it('refuses to build an element with more than 255 octets of data', () => {
    expect(() => buildElements([{ id: 221, data: new Uint8Array(256) }])).toThrow(expect.objectContaining({ code: 'TOO_LONG' }));
  });
});

describe('WPS element', () => {
  it('attributes of 251 octets fit one element; 252 need two', () => {
    expect(fragmentWpsIe(new Uint8Array(WPS_IE_FRAGMENT_MAX))).toHaveLength(1);
    const two = fragmentWpsIe(new Uint8Array(WPS_IE_FRAGMENT_MAX + 1));
    expect(two).toHaveLength(2);
    expect(two[0]?.data.length).toBe(255);
    expect(two[1]?.data).toEqual(hex('0050f204 00'));
  });

  it('splits 600 octets over 251 + 251 + 98 and joins them back', () => {
    const attrs = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const wire = buildWpsIe(attrs);
    expect(wire.length).toBe(600 + 3 * 6);
    expect([...wire.subarray(0, 6)]).toEqual([0xdd, 255, 0x00, 0x50, 0xf2, 0x04]);
    const parsed = parseElements(wire);
    expect(parsed.map((e) => e.data.length)).toEqual([255, 255, 102]);
    expect(joinWpsIe(parsed)).toEqual(attrs);
  });

  it('joins only WPS vendor elements, around other elements in between', () => {
    const others: Element[] = [{ id: 0, data: hex('6162') }, vendorElement(0x0050f201, hex('0100'))];
    const frags = fragmentWpsIe(Uint8Array.from({ length: 300 }, (_, i) => i % 7));
    const list = [others[0] as Element, frags[0] as Element, others[1] as Element, frags[1] as Element];
    expect(joinWpsIe(list)).toEqual(Uint8Array.from({ length: 300 }, (_, i) => i % 7));
    expect(withoutWpsIe(list)).toEqual(others);
  });

  it('reports no WPS element as undefined and never makes an element of nothing', () => {
    expect(joinWpsIe([{ id: 0, data: new Uint8Array(0) }])).toBeUndefined();
    expect(fragmentWpsIe(new Uint8Array(0))).toEqual([]);
  });

  it('any attribute run fragments and joins to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1500 }), (attrs) => {
        const frags = fragmentWpsIe(attrs);
        expect(frags.every((e) => e.data.length <= 255)).toBe(true);
        expect(joinWpsIe(parseElements(buildElements(frags)))).toEqual(attrs);
      }),
    );
  });

  it('refuses attribute runs above its bound', () => {
    expect(() => fragmentWpsIe(new Uint8Array(WPS_IE_JOINED_MAX + 1))).toThrow(WpsIeError);
    expect(findVendorElements(fragmentWpsIe(new Uint8Array(10)), WPS_IE_VENDOR_TYPE)).toHaveLength(1);
  });
});

describe('Multi-AP element', () => {
  it('has the capability bits of the Multi-AP specification', () => {
    expect(MultiApCapability.BACKHAUL_STA).toBe(0x80);
    expect(MultiApCapability.BACKHAUL_BSS).toBe(0x40);
    expect(MultiApCapability.FRONTHAUL_BSS).toBe(0x20);
    expect(MultiApCapability.TEAR_DOWN).toBe(0x10);
  });

  it('builds the backhaul STA element hostapd sends: dd 07 50 6f 9a 1b 06 01 80', () => {
    const e = buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: 1 });
    expect(buildElements([e])).toEqual(hex('dd 07 506f9a1b 06 01 80'));
  });

  it('reads fronthaul + backhaul BSS, teardown and profile 2 with a VLAN', () => {
    const cap = MultiApCapability.FRONTHAUL_BSS | MultiApCapability.BACKHAUL_BSS;
    expect(parseMultiApPayload(hex('06 01 60'))).toMatchObject({ capability: 0x60, profile: 1 });
    expect(parseMultiApPayload(hex('06 01 10')).capability & MultiApCapability.TEAR_DOWN).toBe(0x10);
    const r2 = buildMultiApElement({ capability: cap, profile: 2, vlanId: 100 });
    expect(r2.data).toEqual(hex('506f9a1b 06 01 60 07 01 02 08 02 64 00'));
    expect(findMultiApElement([r2])).toMatchObject({ capability: cap, profile: 2, vlanId: 100 });
  });

  it('refuses an element without the Multi-AP Extension subelement, a bad profile or VLAN', () => {
    expect(() => parseMultiApPayload(hex('07 01 02'))).toThrow(expect.objectContaining({ code: 'NO_EXTENSION' }));
    expect(() => parseMultiApPayload(hex('06 01 80 07 01 07'))).toThrow(expect.objectContaining({ code: 'BAD_PROFILE' }));
    expect(() => parseMultiApPayload(hex('06 01 40 08 02 64 00'))).toThrow(expect.objectContaining({ code: 'BAD_VLAN' }));
    expect(() => parseMultiApPayload(hex('06 01 40 07 01 02 08 02 ff 0f'))).toThrow(expect.objectContaining({ code: 'BAD_VLAN' }));
    expect(() => parseMultiApPayload(hex('06 00'))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => parseMultiApPayload(hex('06 02 80'))).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('any payload parses into a value that re-encodes exactly, or a MultiApError', () => {
    fc.assert(
      fc.property(bytes(64), (payload) => {
        try {
          const v = parseMultiApPayload(payload);
          expect(encodeMultiApElement(v).data).toEqual(Uint8Array.from([0x50, 0x6f, 0x9a, 0x1b, ...payload]));
        } catch (e) {
          expect(e).toBeInstanceOf(MultiApError);
        }
      }),
    );
  });

  it('built parameters parse back to themselves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 6 }), fc.option(fc.integer({ min: 1, max: 4094 }), { nil: undefined }), (capability, profile, vlanId) => {
        const e = buildMultiApElement(vlanId === undefined ? { capability, profile } : { capability, profile, vlanId });
        const back = findMultiApElement([e]);
        expect(back?.capability).toBe(capability);
        expect(back?.profile).toBe(profile);
        const vlanKept = vlanId !== undefined && profile >= 2 && (capability & 0x40) !== 0;
        expect(back?.vlanId).toBe(vlanKept ? vlanId : undefined);
        expect(e.data.subarray(0, 4)).toEqual(hex('506f9a1b'));
        expect(MULTI_AP_VENDOR_TYPE).toBe(0x506f9a1b);
      }),
    );
  });
});

describe('RSN element', () => {
  it('encodes WPA2-Personal CCMP as hostapd does', () => {
    expect(encodeRsnElement(wpa2PersonalRsn())).toEqual(hex('0100 000fac04 0100 000fac04 0100 000fac02 0000'));
  });

  it('reads an element that stops after the group cipher', () => {
    expect(parseRsnElement(hex('0100 000fac04'))).toEqual({ version: 1, groupCipher: RsnCipher.CCMP_128 });
  });

  it('reads PMKIDs and the group management cipher', () => {
    const pmkid = Uint8Array.from({ length: 16 }, (_, i) => i);
    const v: RsnElement = { ...wpa2PersonalRsn(), akmSuites: [RsnAkm.PSK, RsnAkm.SAE], capabilities: 0x00c0, pmkids: [pmkid], groupManagementCipher: RsnCipher.BIP_CMAC_128 };
    expect(parseRsnElement(encodeRsnElement(v))).toEqual(v);
  });

  it('refuses version 2, zero pairwise suites and a lone trailing count octet', () => {
    expect(() => parseRsnElement(hex('0200 000fac04'))).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));
    expect(() => parseRsnElement(hex('0100 000fac04 0000'))).toThrow(expect.objectContaining({ code: 'BAD_COUNT' }));
    expect(() => parseRsnElement(hex('0100 000fac04 01'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => parseRsnElement(hex('0100 000f'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => parseRsnElement(hex('0100 000fac04 0200 000fac04'))).toThrow(expect.objectContaining({ code: 'BAD_COUNT' }));
  });

  it('refuses to encode a field without the ones before it', () => {
    expect(() => encodeRsnElement({ version: 1, akmSuites: [RsnAkm.PSK] })).toThrow(expect.objectContaining({ code: 'BAD_FIELDS' }));
  });

  it('any bytes parse into a value that re-encodes exactly, or an RsnError', () => {
    const near = fc.uint8Array({ maxLength: 80 }).map((tail) => Uint8Array.from([1, 0, ...tail]));
    fc.assert(
      fc.property(fc.oneof(bytes(80), near), (data) => {
        try {
          expect(encodeRsnElement(parseRsnElement(data))).toEqual(data);
        } catch (e) {
          expect(e).toBeInstanceOf(RsnError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
