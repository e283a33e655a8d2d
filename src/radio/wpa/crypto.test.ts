import { describe, expect, it } from 'vitest';
import { aesKeyUnwrap, aesKeyWrap, derivePtk, isValidPassphrase, pmkFromHex, pmkFromPassphrase, prfSha1, WpaCryptoError } from './crypto.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('PMK from a passphrase (IEEE 802.11 J.4, PBKDF2-SHA1 4096)', () => {
  it.each([
    ['password', 'IEEE', 'f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e'],
    ['ThisIsAPassword', 'ThisIsASSID', '0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af'],
    ['a'.repeat(32), 'Z'.repeat(32), 'becb93866bb8c3832cb777c2f559807c8c59afcb6eae734885001300a981cc62'],
  ])('%s / %s', (pass, ssid, psk) => {
    expect(pmkFromPassphrase(pass, Buffer.from(ssid)).toString('hex')).toBe(psk);
  });

  it('refuses passphrases wpa_passphrase refuses and psks that are not 64 hex digits', () => {
    expect(isValidPassphrase('1234567')).toBe(false);
    expect(isValidPassphrase('x'.repeat(64))).toBe(false);
    expect(isValidPassphrase('tab\there!')).toBe(false);
    expect(() => pmkFromPassphrase('short', Buffer.from('s'))).toThrow(WpaCryptoError);
    expect(() => pmkFromHex('00'.repeat(31))).toThrow(WpaCryptoError);
    expect(() => pmkFromHex('zz'.repeat(32))).toThrow(WpaCryptoError);
    expect(pmkFromHex('AB'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
  });
});

describe('the 802.11 PRF (HMAC-SHA-1), hostapd crypto_module_tests vectors', () => {
  it('PRF-512 of the RFC 2202 keys with label "prefix"', () => {
    expect(prfSha1(Buffer.alloc(20, 0x0b), 'prefix', Buffer.from('Hi There'), 512).toString('hex')).toBe(
      'bcd4c650b30b9684951829e0d75f9d54b862175ed9f00606e17d8da35402ffee75df78c3d31e0f889f012120c0862beb67753e7439ae242edb8373698356cf5a',
    );
    expect(prfSha1(Buffer.from('Jefe'), 'prefix', Buffer.from('what do ya want for nothing?'), 512).toString('hex')).toBe(
      '51f4de5b33f249adf81aeb713a3c20f4fe631446fabdfa58244759ae58ef9009a99abf4eac2ca5fa87e692c440eb40023e7babb206d61de7b92f41529092b8fc',
    );
    expect(prfSha1(Buffer.alloc(20, 0xaa), 'prefix', Buffer.alloc(50, 0xdd), 512).toString('hex')).toBe(
      'e1ac546ec4cb636f9976487be5c86be17a0252ca5d8d8df12cfb0473525249ce9dd8d177ead710bc9b590547239107aef7b4abd43d87f0a68f1cbd9e2b6f7607',
    );
  });

  it('a shorter output is a prefix of a longer one', () => {
    const k = Buffer.from('key');
    expect(prfSha1(k, 'L', Buffer.of(1), 384)).toEqual(prfSha1(k, 'L', Buffer.of(1), 512).subarray(0, 48));
  });
});

describe('PTK', () => {
  it('is the same whichever side computes it (min/max ordering of addresses and nonces)', () => {
    const pmk = Buffer.alloc(32, 7);
    const a = Buffer.alloc(32, 1);
    const s = Buffer.alloc(32, 2);
    const ap = derivePtk(pmk, '02:00:00:00:00:01', '02:00:00:00:00:02', a, s);
    const sta = derivePtk(pmk, '02:00:00:00:00:01', '02:00:00:00:00:02', a, s);
    expect(ap).toEqual(sta);
    expect([ap.kck.length, ap.kek.length, ap.tk.length]).toEqual([16, 16, 16]);
    const concat = Buffer.concat([ap.kck, ap.kek, ap.tk]);
    const data = Buffer.concat([hex('020000000001 020000000002'), a, s]);
    expect(concat).toEqual(prfSha1(pmk, 'Pairwise key expansion', data, 384));
    // Swapped roles in the arguments give the same key: the PRF input is ordered.
    expect(derivePtk(pmk, '02:00:00:00:00:02', '02:00:00:00:00:01', s, a)).toEqual(ap);
  });
});

describe('AES key wrap (RFC 3394 4.1)', () => {
  it('wraps and unwraps the 128-bit vector', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F');
    const data = hex('00112233445566778899AABBCCDDEEFF');
    const wrapped = aesKeyWrap(kek, data);
    expect(wrapped.toString('hex')).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(aesKeyUnwrap(kek, wrapped)).toEqual(data);
  });

  it('a wrong KEK or a flipped bit fails the integrity check', () => {
    const kek = Buffer.alloc(16, 1);
    const wrapped = aesKeyWrap(kek, Buffer.alloc(16, 2));
    expect(() => aesKeyUnwrap(Buffer.alloc(16, 3), wrapped)).toThrow(expect.objectContaining({ code: 'UNWRAP_FAILED' }) as Error);
    wrapped[5] = (wrapped[5] as number) ^ 1;
    expect(() => aesKeyUnwrap(kek, wrapped)).toThrow(expect.objectContaining({ code: 'UNWRAP_FAILED' }) as Error);
    expect(() => aesKeyUnwrap(kek, Buffer.alloc(20))).toThrow(expect.objectContaining({ code: 'BAD_LENGTH' }) as Error);
  });
});
