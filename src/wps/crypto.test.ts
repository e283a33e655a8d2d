/**
 * Known-answer and tamper tests for WSC crypto.
 *
 * The fixed hex vectors below were computed outside this code base (Python's
 * hashlib/hmac and pow(), and the openssl CLI for AES-128-CBC). In addition,
 * the property tests recompute the derivations with @noble/hashes (a pure-JS
 * HMAC/SHA-256, dev-time only here): a second implementation that does not go
 * through node:crypto/OpenSSL, so a mistake in how crypto.ts drives node:crypto
 * cannot hide behind the same mistake in the reference.
 */
import { createCipheriv, createDiffieHellmanGroup } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  DH_GROUP5_LEN,
  DH_PRIVATE_KEY_LEN,
  checkPeerPublicKey,
  computeAuthenticator,
  computeHash,
  constantTimeEqual,
  decryptSettings,
  deriveSessionKeys,
  devicePasswordPsks,
  encryptSettings,
  generateDhKeyPair,
  openSettings,
  RANDOM_CACHE_LEN,
  randomNonce,
  systemRng,
  verifyAuthenticator,
  verifyHash,
  wpsKdf,
  WscCryptoError,
  type Rng,
} from './crypto.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const fixedRng =
  (...chunks: Buffer[]): Rng =>
  (n) => {
    const c = chunks.shift();
    if (c === undefined) throw new Error('test rng exhausted');
    expect(c.length).toBe(n);
    return Buffer.from(c);
  };

// ---- independent reference (noble) ----
const refHmac = (key: Uint8Array, ...parts: Uint8Array[]): Buffer => Buffer.from(hmac(sha256, key, Buffer.concat(parts)));
function refKdf(key: Uint8Array, label: string, bits: number): Buffer {
  const out: Buffer[] = [];
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bits);
  for (let i = 1; out.length * 32 < bits / 8; i++) {
    const ib = Buffer.alloc(4);
    ib.writeUInt32BE(i);
    out.push(refHmac(key, ib, Buffer.from(label), len));
  }
  return Buffer.concat(out).subarray(0, bits / 8);
}
function refSessionKeys(shared: Buffer, n1: Buffer, mac: Buffer, n2: Buffer) {
  const kdk = refHmac(Buffer.from(sha256(shared)), n1, mac, n2);
  const k = refKdf(kdk, 'Wi-Fi Easy and Secure Key Derivation', 640);
  return { authKey: k.subarray(0, 32), keyWrapKey: k.subarray(32, 48), emsk: k.subarray(48, 80) };
}

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((u) => Buffer.from(u));
const P = BigInt('0x' + createDiffieHellmanGroup('modp5').getPrime().toString('hex'));
const toBuf192 = (v: bigint): Buffer => hex(v.toString(16).padStart(384, '0'));

// ---- fixed vectors (computed with Python + openssl, see header) ----
const PRIV_A = Buffer.from(Array.from({ length: 192 }, (_, i) => (i * 7 + 3) & 0xff));
const PRIV_B = Buffer.from(Array.from({ length: 192 }, (_, i) => (i * 13 + 5) & 0xff));
const PUB_A = hex(
  'c20cfab7ac2cdc903c78dd3860d4d59beb03af3d813034498210f9d90290e0103532f712c359dda1381a34ac2c7fb462dd2c95a45c1a6766bf68cee221bb6a4726657bb214e97a82b30b3de0ad2bcbb993e7114fb2b7d91f4aca1a8bda6f4cb6b89d397d17dfb82fcaadb6a0b5ac4d74ef8be54cd4d807719800c41623cad772ab906bd475b3d3ff88cf3670550a82e86d55948eaa7b85abbafbee96664d4df39b21cd9730bb61e25f7f9422fc1050abeb247838486e8e25a0fe8d2c4ef4377c',
);
const PUB_B = hex(
  '1bea93ca667f63f025ecd4c8c1fcbdd9e0556d262e19d02d95dceef2e818917d1fe92d107613af0d36e27ed48f15fdecc88aaa54c94d9b53fcdced25b21b706b614cdba81d53a2377b44ad4503c6616e108a5d5435a7e7e2942632ae3ca1bc0d17118eb1cccb12c2d5049382909bd64114c94d7c04caaa012af8154f71f2bc8b8fd055b083618bb4be9aa8874a555ddc8621ba0177c36db35ce3d95b517cdde328cb643fa4710651375135d035265567002a0ebd003b8c167f3fc7eeefe701d6',
);
const SHARED_AB = hex(
  '2b941d2c3de1967680902260443ece5f466cd9240e7bdd02b5f89a9f697242afcc8321c47e3931f626fde54ab1fe72dc14155b3ece28f8b74b1f7ba031330ad45ab67afd6ca1a5b160b6139c478d09a3c3ef2a407b48dd28cbabbbf436d8e3fddb517d6bcee3a891b959f9e6d3bf2ca204c7fc5cb947c5fecadd9de9ff481f2ce63fae61487cd02d01365bee9a1d3f3121e79f1b180ddcf064212ae99a5bec06970eb9ba5c3fe74894f6bd9cbb4b50bc8084ff7e32e766aae129908f9c31e974',
);
const KAT_SHARED = Buffer.from(Array.from({ length: 192 }, (_, i) => i & 0xff));
const KAT_N1 = Buffer.alloc(16, 0x11);
const KAT_MAC = hex('020000000001');
const KAT_N2 = Buffer.alloc(16, 0x22);
const KAT_AUTHKEY = hex('db08030ce7197b6a44da20fa8058fed166e7891aaebe9fba02d41df7f73b9495');
const KAT_KWK = hex('f776914cb0fad4f86f8c8992746d7b2a');
const KAT_EMSK = hex('398065eda83f242c953be758b5cad9dc01c3f974867c82629c5245a9770cb612');

describe('DH group 5', () => {
  it('derives the known public values and shared secret from fixed private values', () => {
    const a = generateDhKeyPair(fixedRng(PRIV_A), DH_GROUP5_LEN);
    const b = generateDhKeyPair(fixedRng(PRIV_B), DH_GROUP5_LEN);
    expect(a.publicKey.toString('hex')).toBe(PUB_A.toString('hex'));
    expect(b.publicKey.toString('hex')).toBe(PUB_B.toString('hex'));
    expect(a.computeSecret(b.publicKey).toString('hex')).toBe(SHARED_AB.toString('hex'));
    expect(b.computeSecret(a.publicKey).toString('hex')).toBe(SHARED_AB.toString('hex'));
  });

  it('lets both sides agree on a 192-byte secret with CSPRNG keys', () => {
    const a = generateDhKeyPair();
    const b = generateDhKeyPair();
    expect(a.publicKey).toHaveLength(192);
    expect(b.publicKey).toHaveLength(192);
    const s = a.computeSecret(b.publicKey);
    expect(s).toHaveLength(192);
    expect(s.equals(b.computeSecret(a.publicKey))).toBe(true);
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
  });

  it('left-pads a short public value and a short shared secret to 192 bytes', () => {
    const two = Buffer.alloc(192);
    two[191] = 2;
    const kp = generateDhKeyPair(fixedRng(two), DH_GROUP5_LEN); // x = 2: public value g^2 = 4
    const four = Buffer.alloc(192);
    four[191] = 4;
    expect(kp.publicKey.equals(four)).toBe(true);
    // A peer that drops leading zeros: "2" is g itself, so the secret is g^2 = 4, padded.
    expect(kp.computeSecret(Buffer.from([2])).equals(four)).toBe(true);
  });

  it('rejects degenerate peer public values', () => {
    const kp = generateDhKeyPair();
    for (const bad of [Buffer.alloc(0), Buffer.alloc(192), Buffer.from([1]), toBuf192(P - 1n), toBuf192(P), Buffer.alloc(192, 0xff), Buffer.alloc(193, 0)]) {
      expect(() => kp.computeSecret(bad)).toThrow(WscCryptoError);
      try {
        checkPeerPublicKey(bad);
        expect.unreachable();
      } catch (e) {
        expect((e as WscCryptoError).code).toBe('BAD_PUBLIC_KEY');
      }
    }
    expect(() => checkPeerPublicKey(toBuf192(P - 2n))).not.toThrow();
  });

  it('accepts exactly the values 1 < y < p-1, whatever their length, like a BigInt comparison', () => {
    const accepts = (v: Uint8Array): boolean => {
      try {
        checkPeerPublicKey(v);
        return true;
      } catch (e) {
        expect((e as WscCryptoError).code).toBe('BAD_PUBLIC_KEY');
        return false;
      }
    };
    const bigOf = (v: Uint8Array): bigint => (v.length === 0 ? 0n : BigInt('0x' + Buffer.from(v).toString('hex')));
    const edges = [P - 3n, P - 2n, P - 1n, P, P + 1n, 2n, 1n, 0n, 2n ** 1535n, 2n ** 1536n - 1n];
    for (const y of edges) {
      const full = toBuf192(y);
      for (const v of [full, full.subarray(full.findIndex((b) => b !== 0) === -1 ? 191 : full.findIndex((b) => b !== 0))]) {
        expect(accepts(v)).toBe(y > 1n && y < P - 1n);
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 192 }), (v) => {
        const y = bigOf(v);
        expect(accepts(v)).toBe(y > 1n && y < P - 1n);
      }),
      { numRuns: 300 },
    );
  });

  it('redraws private values out of range and fails on a broken random source', () => {
    const kp = generateDhKeyPair(fixedRng(Buffer.alloc(192, 0xff), PRIV_A), DH_GROUP5_LEN);
    expect(kp.publicKey.equals(PUB_A)).toBe(true);
    expect(() => generateDhKeyPair(() => Buffer.alloc(DH_PRIVATE_KEY_LEN))).toThrow(/no usable DH private value/);
    expect(() => generateDhKeyPair(() => Buffer.alloc(10))).toThrow(WscCryptoError);
  });

  it('computes g^x mod p like an independent BigInt modexp', () => {
    const x = 0x1234567890abcdefn;
    let r = 1n;
    let base = 2n;
    for (let e = x; e > 0n; e >>= 1n) {
      if (e & 1n) r = (r * base) % P;
      base = (base * base) % P;
    }
    const kp = generateDhKeyPair(fixedRng(toBuf192(x)), DH_GROUP5_LEN);
    expect(kp.publicKey.equals(toBuf192(r))).toBe(true);
  });
});

describe('key derivation', () => {
  it('derives the known AuthKey, KeyWrapKey and EMSK', () => {
    const k = deriveSessionKeys(KAT_SHARED, KAT_N1, KAT_MAC, KAT_N2);
    expect(k.authKey.toString('hex')).toBe(KAT_AUTHKEY.toString('hex'));
    expect(k.keyWrapKey.toString('hex')).toBe(KAT_KWK.toString('hex'));
    expect(k.emsk.toString('hex')).toBe(KAT_EMSK.toString('hex'));
  });

  it('matches the independent noble reference for any inputs', () => {
    fc.assert(
      fc.property(bytes(192), bytes(16), bytes(6), bytes(16), (shared, n1, mac, n2) => {
        const k = deriveSessionKeys(shared, n1, mac, n2);
        const r = refSessionKeys(shared, n1, mac, n2);
        expect(k.authKey.equals(r.authKey)).toBe(true);
        expect(k.keyWrapKey.equals(r.keyWrapKey)).toBe(true);
        expect(k.emsk.equals(r.emsk)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('computes the KDF for lengths that are not whole SHA-256 blocks', () => {
    for (const bits of [8, 256, 264, 640, 1024]) {
      expect(wpsKdf(KAT_AUTHKEY, 'label', bits).equals(refKdf(KAT_AUTHKEY, 'label', bits))).toBe(true);
    }
    expect(() => wpsKdf(KAT_AUTHKEY, 'label', 7)).toThrow(RangeError);
  });

  it('refuses inputs of the wrong length', () => {
    expect(() => deriveSessionKeys(KAT_SHARED.subarray(1), KAT_N1, KAT_MAC, KAT_N2)).toThrow(WscCryptoError);
    expect(() => deriveSessionKeys(KAT_SHARED, KAT_N1.subarray(1), KAT_MAC, KAT_N2)).toThrow(WscCryptoError);
    expect(() => deriveSessionKeys(KAT_SHARED, KAT_N1, KAT_MAC.subarray(1), KAT_N2)).toThrow(WscCryptoError);
  });
});

describe('Authenticator', () => {
  const prev = Buffer.from('prev-message');
  const cur = Buffer.from('current-message');
  const withAuth = (body: Buffer, auth: Buffer) => Buffer.concat([body, hex('10050008'), auth]);

  it('computes the known Authenticator', () => {
    expect(computeAuthenticator(KAT_AUTHKEY, prev, cur).toString('hex')).toBe('efa4233086571d6b');
  });

  it('matches the noble reference and verifies what it computes', () => {
    fc.assert(
      fc.property(bytes(32), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (key, p, c) => {
        const a = computeAuthenticator(key, p, c);
        expect(a.equals(refHmac(key, p, c).subarray(0, 8))).toBe(true);
        expect(verifyAuthenticator(key, p, withAuth(Buffer.from(c), a))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a message when any byte of it, the previous message or the Authenticator changes', () => {
    const good = withAuth(cur, computeAuthenticator(KAT_AUTHKEY, prev, cur));
    for (let i = 0; i < good.length; i++) {
      const t = Buffer.from(good);
      t[i] = (t[i] ?? 0) ^ 0x01;
      expect(verifyAuthenticator(KAT_AUTHKEY, prev, t)).toBe(false);
    }
    const p2 = Buffer.from(prev);
    p2[0] = (p2[0] ?? 0) ^ 0x80;
    expect(verifyAuthenticator(KAT_AUTHKEY, p2, good)).toBe(false);
    const k2 = Buffer.from(KAT_AUTHKEY);
    k2[31] = (k2[31] ?? 0) ^ 1;
    expect(verifyAuthenticator(k2, prev, good)).toBe(false);
  });

  it('answers false, not an exception, for messages too short to hold an Authenticator', () => {
    expect(verifyAuthenticator(KAT_AUTHKEY, prev, Buffer.alloc(11))).toBe(false);
    expect(verifyAuthenticator(KAT_AUTHKEY, prev, Buffer.alloc(0))).toBe(false);
  });
});

describe('device password proofs', () => {
  it('derives the known PSK1/PSK2 and E-Hash1 for PIN 12345670', () => {
    const { psk1, psk2 } = devicePasswordPsks(KAT_AUTHKEY, Buffer.from('12345670'));
    expect(psk1.toString('hex')).toBe('00e76c78c502fee0174b08a099933367');
    expect(psk2.toString('hex')).toBe('f15d53bd030a2144d4d4819f87bd6ebf');
    const h = computeHash(KAT_AUTHKEY, Buffer.alloc(16, 0x33), psk1, Buffer.alloc(192, 0xaa), Buffer.alloc(192, 0xbb));
    expect(h.toString('hex')).toBe('75912485f0302f432e8629b9b3ae498d20b78b0460b0c5a620c504847d6c68b8');
    expect(verifyHash(h, KAT_AUTHKEY, Buffer.alloc(16, 0x33), psk1, Buffer.alloc(192, 0xaa), Buffer.alloc(192, 0xbb))).toBe(true);
    expect(verifyHash(h, KAT_AUTHKEY, Buffer.alloc(16, 0x34), psk1, Buffer.alloc(192, 0xaa), Buffer.alloc(192, 0xbb))).toBe(false);
  });

  it('gives the longer half to PSK1 for odd-length passwords, like hostapd', () => {
    fc.assert(
      fc.property(bytes(32), fc.uint8Array({ maxLength: 64 }), (key, pw) => {
        const { psk1, psk2 } = devicePasswordPsks(key, pw);
        const half = Math.ceil(pw.length / 2);
        expect(psk1.equals(refHmac(key, pw.subarray(0, half)).subarray(0, 16))).toBe(true);
        expect(psk2.equals(refHmac(key, pw.subarray(half)).subarray(0, 16))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});

describe('Encrypted Settings', () => {
  const SSID_TEST = hex('1045000474657374'); // SSID "test"
  const IV = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
  /** Encrypts an arbitrary plaintext (already padded) so tests can build malformed settings. */
  const rawEncrypt = (plain: Buffer): Buffer => {
    const c = createCipheriv('aes-128-cbc', KAT_KWK, IV).setAutoPadding(false);
    return Buffer.concat([IV, c.update(plain), c.final()]);
  };
  const kwaAttr = (data: Buffer) => Buffer.concat([hex('101e0008'), refHmac(KAT_AUTHKEY, data).subarray(0, 8)]);
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof WscCryptoError) return e.code;
      throw e;
    }
    return 'OK';
  };

  it('produces the known ciphertext for a fixed IV', () => {
    const enc = encryptSettings(KAT_AUTHKEY, KAT_KWK, SSID_TEST, fixedRng(IV));
    expect(enc.toString('hex')).toBe(
      '000102030405060708090a0b0c0d0e0f634e6ba3101b9218b722060f234839a4e60a76a183b155cb57a809da27a5f8ec',
    );
    expect(decryptSettings(KAT_AUTHKEY, KAT_KWK, enc).equals(SSID_TEST)).toBe(true);
  });

  it('round-trips any well-formed settings, with a fresh IV each time', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.integer({ min: 0, max: 0xffff }), v: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }), (attrs) => {
        const tlvs = Buffer.concat(
          attrs.map(({ t, v }) => {
            const h = Buffer.alloc(4);
            h.writeUInt16BE(t);
            h.writeUInt16BE(v.length, 2);
            return Buffer.concat([h, v]);
          }),
        );
        const e1 = encryptSettings(KAT_AUTHKEY, KAT_KWK, tlvs);
        const e2 = encryptSettings(KAT_AUTHKEY, KAT_KWK, tlvs);
        expect(e1.length % 16).toBe(0);
        expect(e1.subarray(0, 16).equals(e2.subarray(0, 16))).toBe(false);
        expect(decryptSettings(KAT_AUTHKEY, KAT_KWK, e1).equals(tlvs)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects short and partial-block input', () => {
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, Buffer.alloc(16)))).toBe('TOO_SHORT');
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, Buffer.alloc(0)))).toBe('TOO_SHORT');
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, Buffer.alloc(33)))).toBe('BAD_LENGTH');
  });

  it('rejects bad PKCS#5 padding: zero, over 16, and unequal pad bytes', () => {
    const body = Buffer.concat([SSID_TEST, kwaAttr(SSID_TEST)]); // 20 bytes
    const pad12 = Buffer.alloc(12, 12);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(Buffer.concat([body, pad12]))))).toBe('OK');
    const zero = Buffer.concat([body, Buffer.alloc(11, 11), Buffer.from([0])]);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(zero)))).toBe('BAD_PADDING');
    const over = Buffer.concat([body, Buffer.alloc(11, 0), Buffer.from([17])]);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(over)))).toBe('BAD_PADDING');
    const uneven = Buffer.concat([body, Buffer.alloc(11, 12), Buffer.from([12])]);
    uneven[body.length] = 11;
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(uneven)))).toBe('BAD_PADDING');
  });

  it('rejects settings without a trailing Key Wrap Authenticator', () => {
    const noKwa = Buffer.concat([SSID_TEST, Buffer.alloc(8, 8)]);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(noKwa)))).toBe('KWA_MISSING');
    // KWA first, then another attribute: not at the end.
    const early = Buffer.concat([kwaAttr(Buffer.alloc(0)), SSID_TEST, Buffer.alloc(12, 12)]);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(early)))).toBe('KWA_MISSING');
  });

  it('rejects a Key Wrap Authenticator that does not match', () => {
    const wrong = Buffer.concat([SSID_TEST, kwaAttr(Buffer.from('other')), Buffer.alloc(12, 12)]);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(wrong)))).toBe('KWA_MISMATCH');
    const enc = encryptSettings(KAT_AUTHKEY, KAT_KWK, SSID_TEST);
    const otherAuthKey = Buffer.from(KAT_AUTHKEY);
    otherAuthKey[0] = (otherAuthKey[0] ?? 0) ^ 1;
    expect(code(() => decryptSettings(otherAuthKey, KAT_KWK, enc))).toBe('KWA_MISMATCH');
  });

  it('rejects authenticated settings whose attributes are malformed', () => {
    const broken = Buffer.from([0x10, 0x45, 0x00, 0x09, 0x61]); // SSID claims 9 bytes, has 1
    const plain = Buffer.concat([broken, kwaAttr(broken)]);
    const padLen = 16 - (plain.length % 16);
    expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, rawEncrypt(Buffer.concat([plain, Buffer.alloc(padLen, padLen)]))))).toBe('BAD_SETTINGS');
  });

  it('never accepts a tampered ciphertext', () => {
    const enc = encryptSettings(KAT_AUTHKEY, KAT_KWK, SSID_TEST, fixedRng(IV));
    for (let i = 0; i < enc.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const t = Buffer.from(enc);
        t[i] = (t[i] ?? 0) ^ bit;
        expect(code(() => decryptSettings(KAT_AUTHKEY, KAT_KWK, t))).not.toBe('OK');
      }
    }
  });

  it('answers arbitrary bytes with a typed error or settings, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        try {
          const out = decryptSettings(KAT_AUTHKEY, KAT_KWK, data);
          expect(Buffer.isBuffer(out)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(WscCryptoError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('opens settings into their attributes and the plaintext with its KWA, as hostapd keeps it', () => {
    const settings = Buffer.concat([SSID_TEST, hex('102700083132333435363738')]);
    const opened = openSettings(KAT_AUTHKEY, KAT_KWK, encryptSettings(KAT_AUTHKEY, KAT_KWK, settings));
    expect(opened.settings.equals(settings)).toBe(true);
    expect(opened.withKwa.equals(Buffer.concat([settings, kwaAttr(settings)]))).toBe(true);
    expect(opened.attrs).toEqual([
      { type: 0x1045, value: Buffer.from('test') },
      { type: 0x1027, value: Buffer.from('12345678') },
    ]);
  });

  it('refuses keys of the wrong length', () => {
    expect(code(() => encryptSettings(KAT_AUTHKEY, KAT_AUTHKEY, SSID_TEST))).toBe('BAD_KEY');
    expect(code(() => decryptSettings(KAT_KWK, KAT_KWK, Buffer.alloc(32)))).toBe('BAD_KEY');
  });
});

describe('nonces and comparison', () => {
  it('draws 16-byte nonces from the injected source or the CSPRNG', () => {
    expect(randomNonce(fixedRng(Buffer.alloc(16, 7))).equals(Buffer.alloc(16, 7))).toBe(true);
    const a = randomNonce();
    expect(a).toHaveLength(16);
    expect(a.equals(randomNonce())).toBe(false);
    expect(() => randomNonce(() => Buffer.alloc(3))).toThrow(WscCryptoError);
  });

  it('hands out system random bytes once each, below and above the cache size', () => {
    const seen = new Set<string>();
    for (let i = 0; i < (3 * RANDOM_CACHE_LEN) / 16; i++) {
      const b = systemRng(16);
      expect(b).toHaveLength(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe((3 * RANDOM_CACHE_LEN) / 16);
    expect(systemRng(RANDOM_CACHE_LEN + 1)).toHaveLength(RANDOM_CACHE_LEN + 1);
    expect(systemRng(0)).toHaveLength(0);
    const a = systemRng(32);
    const copy = Buffer.from(a);
    systemRng(32);
    expect(a.equals(copy)).toBe(true);
  });

  it('compares equal and unequal buffers of any length', () => {
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), Buffer.from('ab'))).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(true);
  });
});

describe('DH private values', () => {
  it('are short by default (256 bits, as OpenSSL does for this group) and still agree', () => {
    const asked: number[] = [];
    const rng: Rng = (n) => {
      asked.push(n);
      return randomBytesForTest(n);
    };
    const a = generateDhKeyPair(rng);
    const b = generateDhKeyPair();
    expect(asked).toEqual([DH_PRIVATE_KEY_LEN]);
    expect(a.computeSecret(b.publicKey).equals(b.computeSecret(a.publicKey))).toBe(true);
  });

  it('refuses a private length outside 1..192 bytes', () => {
    expect(() => generateDhKeyPair(undefined, 0)).toThrow(RangeError);
    expect(() => generateDhKeyPair(undefined, DH_GROUP5_LEN + 1)).toThrow(RangeError);
  });
});

function randomBytesForTest(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 17) & 0xff));
}
