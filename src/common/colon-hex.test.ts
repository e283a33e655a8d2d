import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { colonHex } from './colon-hex.js';

describe('colonHex', () => {
  it('prints a MAC address as hostapd does (lower case, colons)', () => {
    expect(colonHex(Uint8Array.from([0x02, 0x66, 0xa0, 0xee, 0x17, 0x0f]))).toBe('02:66:a0:ee:17:0f');
    expect(colonHex(new Uint8Array(0))).toBe('');
  });

  it('property: the text parses back to the same octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
        const s = colonHex(b);
        const back = s === '' ? [] : s.split(':').map((h) => parseInt(h, 16));
        expect(back).toEqual([...b]);
      }),
    );
  });
});
