import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  AttributeType,
  WscParseError,
  attrBytes,
  attrString,
  attrU16,
  attrU32,
  attrU8,
  attributeLengthProblem,
  attributeName,
  encodeAttributes,
  parseAttributes,
  readUint,
} from './attributes.js';

describe('WSC attribute TLVs', () => {
  it('names attributes by their spec name and unknown ones by number', () => {
    expect(attributeName(0x1045)).toBe('Ssid');
    expect(attributeName(AttributeType.WifiProtectedSetupState)).toBe('WifiProtectedSetupState');
    expect(attributeName(0x1234)).toBe('Unknown 0x1234');
    expect(AttributeType.Version).toBe(0x104a);
    expect(AttributeType.RequestedDeviceType).toBe(0x106a);
    expect(AttributeType.KeyWrapAuthenticator).toBe(0x101e);
  });

  it('every attribute type has a distinct value', () => {
    const values = Object.values(AttributeType);
    expect(new Set(values).size).toBe(values.length);
  });

  it('parses a stream in order, duplicates and unknown types kept', () => {
    const buf = Buffer.from('104a000110' + '12340002abcd' + '104a000110', 'hex');
    expect(parseAttributes(buf)).toEqual([
      { type: 0x104a, value: Buffer.from([0x10]) },
      { type: 0x1234, value: Buffer.from([0xab, 0xcd]) },
      { type: 0x104a, value: Buffer.from([0x10]) },
    ]);
  });

  it('accepts an empty stream and zero-length values', () => {
    expect(parseAttributes(Buffer.alloc(0))).toEqual([]);
    expect(parseAttributes(Buffer.from('10450000', 'hex'))).toEqual([{ type: 0x1045, value: Buffer.alloc(0) }]);
  });

  it('reports a value cut short with the attribute, offset, declared and present lengths', () => {
    const buf = Buffer.from('104a000110' + '101e000844', 'hex');
    const err = (() => {
      try {
        parseAttributes(buf);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(WscParseError);
    expect(err).toMatchObject({ code: 'TRUNCATED_VALUE', offset: 5, attrType: 0x101e, declared: 8, present: 1 });
    expect((err as Error).message).toContain('KeyWrapAuthenticator');
  });

  it('reports a header cut short', () => {
    expect(() => parseAttributes(Buffer.from('104a00011010', 'hex'))).toThrow(expect.objectContaining({ code: 'TRUNCATED_HEADER', offset: 5, present: 1 }));
  });

  it('values are copies, not views of the input', () => {
    const buf = Buffer.from('10450002abcd', 'hex');
    const [a] = parseAttributes(buf);
    buf[4] = 0;
    expect(a?.value).toEqual(Buffer.from([0xab, 0xcd]));
  });

  it('with views, values are views of the input and equal to the copies', () => {
    const buf = Buffer.from('10450002abcd104a000110', 'hex');
    const views = parseAttributes(buf, { views: true });
    expect(views).toEqual(parseAttributes(buf));
    buf[4] = 0;
    expect(views[0]?.value).toEqual(Buffer.from([0x00, 0xcd]));
  });

  it('with workarounds, skips the stray octet some APs put after a Network Key, and trailing zero padding (hostapd)', () => {
    const stray = Buffer.from('10270000001057000101', 'hex');
    expect(() => parseAttributes(stray)).toThrow(WscParseError);
    expect(parseAttributes(stray, { workarounds: true })).toEqual([
      { type: AttributeType.NetworkKey, value: Buffer.alloc(0) },
      { type: AttributeType.ApSetupLocked, value: Buffer.from([1]) },
    ]);
    expect(() => parseAttributes(Buffer.from('10230000001057000101', 'hex'), { workarounds: true })).toThrow(WscParseError);
    expect(() => parseAttributes(Buffer.from('10270000101057000101', 'hex'), { workarounds: true })).toThrow(WscParseError);
    expect(parseAttributes(Buffer.from('1027000010570001010000000000', 'hex'), { workarounds: true })).toHaveLength(2);
    expect(() => parseAttributes(Buffer.from('1027000010570001010000000000000001000000', 'hex'), { workarounds: true })).toThrow(WscParseError);
  });

  it('builds big-endian integer, byte and text attributes', () => {
    const out = encodeAttributes([
      attrU8(AttributeType.Version, 0x10),
      attrU16(AttributeType.ConfigMethods, 0x2688),
      attrU32(AttributeType.OsVersion, 0x80000001),
      attrBytes(AttributeType.MacAddress, Buffer.from('020000000001', 'hex')),
      attrString(AttributeType.Ssid, 'test'),
    ]);
    expect(out.toString('hex')).toBe('104a000110' + '100800022688' + '102d000480000001' + '10200006020000000001' + '1045000474657374');
  });

  it('refuses to encode a value longer than the 16-bit length field', () => {
    expect(() => encodeAttributes([{ type: 0x1049, value: Buffer.alloc(65536) }])).toThrow(WscParseError);
  });

  it('checks fixed attribute sizes as hostapd does', () => {
    expect(attributeLengthProblem(AttributeType.EnrolleeNonce, 16)).toBeUndefined();
    expect(attributeLengthProblem(AttributeType.EnrolleeNonce, 15)).toBe('EnrolleeNonce must be 16 byte(s), got 15');
    expect(attributeLengthProblem(AttributeType.PublicKey, 191)).toBeUndefined();
    expect(attributeLengthProblem(AttributeType.Ssid, 33)).toContain('0..32');
    expect(attributeLengthProblem(0x1234, 1000)).toBeUndefined();
    expect(readUint(Buffer.from([1, 2]), 2, AttributeType.ConfigMethods)).toBe(0x0102);
    expect(() => readUint(Buffer.from([1]), 2, AttributeType.ConfigMethods)).toThrow(WscParseError);
  });

  it('property: arbitrary bytes either fail with WscParseError or re-encode to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const attrs = parseAttributes(bytes);
          expect(encodeAttributes(attrs)).toEqual(Buffer.from(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(WscParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: encoded attribute lists parse back to themselves', () => {
    const attr = fc.record({ type: fc.integer({ min: 0, max: 0xffff }), value: fc.uint8Array({ maxLength: 80 }).map((u) => Buffer.from(u)) });
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 12 }), (attrs) => {
        expect(parseAttributes(encodeAttributes(attrs))).toEqual(attrs);
      }),
    );
  });

  // Work is counted in octets looked at, so these cannot flake on a busy machine.
  const octetsFor = (bytes: Uint8Array, workarounds: boolean): number => {
    const work = { octets: 0 };
    try {
      parseAttributes(bytes, { workarounds, work });
    } catch (e) {
      expect(e).toBeInstanceOf(WscParseError);
    }
    return work.octets;
  };

  it('property: the work is linear in the input, with and without workarounds', () => {
    // Inputs built from the shapes that made the parse quadratic: zero headers, stray octets, Network Keys.
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.integer({ min: 1, max: 256 }).map((n) => new Uint8Array(n)),
      fc.constant(Uint8Array.from([0x10, 0x27, 0x00, 0x01, 0x41, 0x10])),
      fc.constant(Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x01])),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 64 }), fc.boolean(), (pieces, workarounds) => {
        const bytes = Buffer.concat(pieces.map((p) => Buffer.from(p)));
        expect(octetsFor(bytes, workarounds)).toBeLessThanOrEqual(3 * bytes.length + 8);
      }),
      { numRuns: 1000 },
    );
  });

  it('zero octets followed by one non-zero octet: 16 times the input is at most 16 times the work (it was quadratic)', () => {
    const attack = (n: number) => Buffer.concat([Buffer.alloc(n), Buffer.from([1])]);
    const small = octetsFor(attack(4096), true);
    const big = octetsFor(attack(16 * 4096), true);
    expect(big).toBeLessThanOrEqual(16 * small + 64);
    // The quadratic parse looked at about n^2/8 octets: 537 million for 64 KiB.
    expect(big).toBeLessThan(4 * 16 * 4096);
  });
});
