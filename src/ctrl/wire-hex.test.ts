import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KEY_MAX_LEN, WireHexError, decodeWireHex, encodeCliArgs, encodeWireHex } from './wire-hex.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

describe('hex wire form of SSID and key', () => {
  it('encodes what the user typed as hostapd_cli does for ASCII', () => {
    // hostapd_cli wps_config "my net" WPA2PSK CCMP "pass phrase"
    expect(encodeCliArgs('wps_config', ['my net', 'WPA2PSK', 'CCMP', 'pass phrase'])).toEqual([
      '6d79206e6574', 'WPA2PSK', 'CCMP', '7061737320706872617365',
    ]);
  });

  it('encodes SSID and key of WPS_REG and WPS_ER_CONFIG at positions 3 and 6', () => {
    expect(encodeCliArgs('WPS_REG', ['02:00:00:00:01:00', '12345670', 'ab', 'WPA2PSK', 'CCMP', 'k'])).toEqual([
      '02:00:00:00:01:00', '12345670', '6162', 'WPA2PSK', 'CCMP', '6b',
    ]);
    // wpa_cli sends an empty key field when only five arguments are given.
    expect(encodeCliArgs('wps_er_config', ['uuid', '12345670', 'ab', 'OPEN', 'NONE'])).toEqual(['uuid', '12345670', '6162', 'OPEN', 'NONE', '']);
    expect(encodeCliArgs('wps_reg', ['02:00:00:00:01:00', '12345670'])).toEqual(['02:00:00:00:01:00', '12345670']);
    expect(encodeCliArgs('wps_pin', ['any', '12345670'])).toEqual(['any', '12345670']);
  });

  it('cuts the SSID at 32 bytes and the key at 64 bytes as the C tools do', () => {
    expect(encodeWireHex('x'.repeat(40), SSID_MAX_LEN)).toHaveLength(64);
    expect(encodeWireHex('y'.repeat(70), KEY_MAX_LEN)).toHaveLength(128);
  });

  it('refuses odd, non-hex and too long fields with a typed error', () => {
    const code = (hex: string, max: number) => {
      try {
        decodeWireHex(hex, max);
      } catch (e) {
        return (e as WireHexError).code;
      }
      return 'ok';
    };
    expect(code('616', 32)).toBe('ODD_LENGTH');
    expect(code('zz', 32)).toBe('NOT_HEX');
    expect(code('61'.repeat(33), SSID_MAX_LEN)).toBe('TOO_LONG');
    expect(code('', 32)).toBe('ok');
  });

  it('property: decoding the encoded text gives its UTF-8 bytes (cut at the limit)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (text, max) => {
        const hex = encodeWireHex(text, max);
        expect(decodeWireHex(hex, max)).toEqual(Buffer.from(text, 'utf8').subarray(0, max));
      }),
    );
  });

  it('property: decoding never throws anything but WireHexError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          const b = decodeWireHex(s, 64);
          expect(b.length).toBeLessThanOrEqual(64);
        } catch (e) {
          expect(e).toBeInstanceOf(WireHexError);
        }
      }),
    );
  });
});
