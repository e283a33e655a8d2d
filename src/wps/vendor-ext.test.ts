import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WscParseError } from './attributes.js';
import {
  WFA_VENDOR_ID,
  WfaSubelement,
  buildWfaExtension,
  buildWfaExtensionValue,
  isWfaVendorExtension,
  parseWfaExtension,
  parseWfaSubelements,
  type WfaExtension,
} from './vendor-ext.js';

const mac1 = Buffer.from('020000000001', 'hex');
const mac2 = Buffer.from('020000000002', 'hex');

describe('WFA vendor extension', () => {
  it('is vendor 00:37:2a with subelement ids as in WSC 2.0', () => {
    expect(WFA_VENDOR_ID).toBe(14122);
    expect(WfaSubelement.MultiAp).toBe(6);
    expect(WfaSubelement.RegistrarConfigurationMethods).toBe(5);
  });

  it('builds Version2 0x20 as hostapd puts it in every WSC 2.0 message', () => {
    const a = buildWfaExtension({ version2: 0x20 });
    expect(a.type).toBe(0x1049);
    expect(a.value.toString('hex')).toBe('00372a000120');
  });

  it('builds an M1 Multi-AP backhaul STA extension in hostapd order (Version2 first, then Multi-AP)', () => {
    expect(buildWfaExtensionValue({ version2: 0x20, multiAp: 0x80 }).toString('hex')).toBe('00372a000120060180');
  });

  it('parses every known subelement and keeps unknown ones in order', () => {
    const ext: WfaExtension = {
      version2: 0x20,
      requestToEnroll: true,
      authorizedMacs: [mac1, mac2],
      multiAp: 0x40,
      networkKeyShareable: false,
      settingsDelayTime: 5,
      registrarConfigMethods: 0x0188,
      unknown: [{ id: 0x42, value: Buffer.from('beef', 'hex') }, { id: 0x07, value: Buffer.alloc(0) }],
    };
    const value = buildWfaExtensionValue(ext);
    expect(isWfaVendorExtension(value)).toBe(true);
    expect(parseWfaExtension(value)).toEqual(ext);
    expect(parseWfaSubelements(value).map((s) => s.id)).toEqual([0, 3, 1, 6, 2, 4, 5, 0x42, 7]);
  });

  it('refuses another vendor, a truncated subelement, and a wrong-sized Version2', () => {
    expect(() => parseWfaExtension(Buffer.from('0050f2000120', 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_VALUE' }));
    expect(() => parseWfaExtension(Buffer.from('00372a000520', 'hex'))).toThrow(expect.objectContaining({ code: 'TRUNCATED_VALUE', offset: 3, declared: 5, present: 1 }));
    expect(() => parseWfaExtension(Buffer.from('00372a00022020', 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }));
    expect(() => parseWfaExtension(Buffer.from('00372a01050200000000', 'hex'))).toThrow(/multiple of 6/);
  });

  it('property: arbitrary bytes after the WFA vendor ID either fail with WscParseError or round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (tail) => {
        const value = Buffer.concat([Buffer.from('00372a', 'hex'), tail]);
        let ext: WfaExtension;
        try {
          ext = parseWfaExtension(value);
        } catch (e) {
          expect(e).toBeInstanceOf(WscParseError);
          return;
        }
        expect(parseWfaExtension(buildWfaExtensionValue(ext))).toEqual(ext);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: structured extensions round-trip exactly', () => {
    const ext = fc.record(
      {
        version2: fc.integer({ min: 0, max: 255 }),
        authorizedMacs: fc.array(fc.uint8Array({ minLength: 6, maxLength: 6 }).map((u) => Buffer.from(u)), { minLength: 1, maxLength: 5 }),
        networkKeyShareable: fc.boolean(),
        requestToEnroll: fc.boolean(),
        settingsDelayTime: fc.integer({ min: 0, max: 255 }),
        registrarConfigMethods: fc.integer({ min: 0, max: 0xffff }),
        multiAp: fc.integer({ min: 0, max: 255 }),
        unknown: fc.array(fc.record({ id: fc.integer({ min: 7, max: 255 }), value: fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u)) }), { maxLength: 3 }),
      },
      { requiredKeys: ['unknown'] },
    );
    fc.assert(
      fc.property(ext, (e) => {
        expect(parseWfaExtension(buildWfaExtensionValue(e))).toEqual(e);
      }),
    );
  });
});
