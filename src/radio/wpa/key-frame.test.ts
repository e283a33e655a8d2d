import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildEapolKey, emptyEapolKey, EapolKeyError, KeyInfo, KEY_DATA_MAX_LEN, KEY_FIXED_LEN, parseEapolKey, verifyEapolKeyMic } from './key-frame.js';
import { buildKeyData, KeyDataError, padKeyData, parseKeyData } from './key-data.js';
import { rsnElement, wpa2PersonalRsn } from '../rsn-ie.js';
import { buildElements } from '../elements.js';

const rsn = buildElements([rsnElement(wpa2PersonalRsn())]);

describe('EAPOL-Key frames', () => {
  it('round-trips every field and protects the whole frame with the MIC', () => {
    const k = emptyEapolKey(2, KeyInfo.VERSION_HMAC_SHA1_AES | KeyInfo.PAIRWISE | KeyInfo.MIC, 0x0102030405060708n);
    k.keyLength = 16;
    k.nonce = Uint8Array.from({ length: 32 }, (_, i) => i);
    k.rsc = Uint8Array.of(1, 2, 3, 4, 5, 6, 0, 0);
    k.keyData = rsn;
    const kck = Buffer.alloc(16, 9);
    const pdu = buildEapolKey(k, kck);
    expect(pdu.length).toBe(4 + KEY_FIXED_LEN + rsn.length);
    expect(Buffer.from(pdu.subarray(0, 7)).toString('hex')).toBe(`0203${(KEY_FIXED_LEN + rsn.length).toString(16).padStart(4, '0')}02010a`);
    const back = parseEapolKey(pdu);
    expect({ ...back, mic: undefined }).toEqual({ ...k, mic: undefined });
    expect(verifyEapolKeyMic(pdu, kck)).toBe(true);
    expect(verifyEapolKeyMic(pdu, Buffer.alloc(16, 8))).toBe(false);
    for (const at of [1, 10, 40, pdu.length - 1]) {
      const bad = Uint8Array.from(pdu);
      bad[at] = (bad[at] as number) ^ 0x40;
      expect(verifyEapolKeyMic(bad, kck)).toBe(false);
    }
  });

  it('refuses what is not an RSN descriptor version 2 frame, with a typed error', () => {
    const good = buildEapolKey(emptyEapolKey(2, KeyInfo.VERSION_HMAC_SHA1_AES, 1n));
    const codes = (pdu: Uint8Array): string => {
      try {
        parseEapolKey(pdu);
        return 'ok';
      } catch (e) {
        return (e as EapolKeyError).code;
      }
    };
    expect(codes(good)).toBe('ok');
    expect(codes(good.subarray(0, 50))).toBe('TRUNCATED');
    const eap = Uint8Array.from(good);
    eap[1] = 0;
    expect(codes(eap)).toBe('NOT_KEY');
    const wpa1 = Uint8Array.from(good);
    wpa1[4] = 254;
    expect(codes(wpa1)).toBe('BAD_DESCRIPTOR');
    const tkip = Uint8Array.from(good);
    tkip[6] = 1;
    expect(codes(tkip)).toBe('BAD_VERSION');
    const longData = Uint8Array.from(good);
    longData[good.length - 2] = 0x01; // Key Data Length 256 with no data behind it
    expect(codes(longData)).toBe('TRUNCATED');
    const huge = emptyEapolKey(2, KeyInfo.VERSION_HMAC_SHA1_AES, 1n);
    huge.keyData = new Uint8Array(KEY_DATA_MAX_LEN + 1);
    expect(() => buildEapolKey(huge)).toThrow(EapolKeyError);
  });

  it('the parser is total: arbitrary octets give a frame or an EapolKeyError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, asKey) => {
        const pdu = asKey ? Uint8Array.from([2, 3, tail.length >> 8, tail.length & 0xff, 2, 0, 0x8a, ...tail]) : tail;
        try {
          parseEapolKey(pdu);
        } catch (e) {
          expect(e).toBeInstanceOf(EapolKeyError);
        }
      }),
    );
  });
});

describe('Key Data', () => {
  it('carries the RSN element and the GTK KDE, padded for key wrap', () => {
    const gtk = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const plain = buildKeyData({ rsnElement: rsn, gtk: { keyId: 2, tx: false, gtk } });
    expect(Buffer.from(plain.subarray(rsn.length, rsn.length + 8)).toString('hex')).toBe('dd16000fac010200');
    const padded = padKeyData(plain);
    expect(padded.length % 8).toBe(0);
    expect(padded[plain.length]).toBe(0xdd);
    expect(parseKeyData(padded)).toEqual({ rsnElement: rsn, gtk: { keyId: 2, tx: false, gtk } });
    expect(padKeyData(new Uint8Array(0)).length).toBe(16);
  });

  it('refuses truncated elements, duplicates and a GTK KDE of a bad size', () => {
    expect(() => parseKeyData(Uint8Array.of(0x30, 10, 1))).toThrow(KeyDataError);
    expect(() => parseKeyData(Uint8Array.from([...rsn, ...rsn]))).toThrow(expect.objectContaining({ code: 'DUPLICATE' }) as Error);
    expect(() => parseKeyData(Uint8Array.of(0xdd, 6, 0x00, 0x0f, 0xac, 1, 0, 0))).toThrow(expect.objectContaining({ code: 'BAD_KDE' }) as Error);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (d) => {
        try {
          parseKeyData(d);
        } catch (e) {
          expect(e).toBeInstanceOf(KeyDataError);
        }
      }),
    );
  });
});
