/**
 * Byte-for-byte agreement with real hostapd 2.10 / wpa_supplicant 2.10: the
 * recordings in fixtures/reference (scripts/record-reference.sh, run with -ddK
 * so keys are logged) give every intermediate value of two PIN runs with the
 * AP as Enrollee and wpa_supplicant as External Registrar. Values are read from
 * the logs and messages at test time, so re-recording keeps the test valid.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AttributeType, parseAttributes } from './attributes.js';
import {
  computeAuthenticator,
  computeHash,
  decryptSettings,
  deriveSessionKeys,
  devicePasswordPsks,
  encryptSettings,
  generateDhKeyPair,
  verifyAuthenticator,
} from './crypto.js';

const REF = new URL('../../fixtures/reference/', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, REF), 'utf8');

/** Every "WPS: <name> - hexdump(len=N): xx xx ..." value of a log, in order. */
function hexdumps(log: string, name: string): Buffer[] {
  const out: Buffer[] = [];
  const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const re = new RegExp(`WPS: ${esc} - hexdump\\(len=(\\d+)\\):((?: [0-9a-f]{2})*)`, 'g');
  for (const m of log.matchAll(re)) {
    const b = Buffer.from((m[2] ?? '').replace(/ /g, ''), 'hex');
    expect(b.length).toBe(Number(m[1]));
    out.push(b);
  }
  return out;
}
function one(log: string, name: string, index = 0): Buffer {
  const v = hexdumps(log, name)[index];
  if (v === undefined) throw new Error(`no "${name}" in the log`);
  return v;
}
function attr(msg: Buffer, type: number): Buffer {
  const a = parseAttributes(msg).find((x) => x.type === type);
  if (a === undefined) throw new Error(`attribute 0x${type.toString(16)} missing`);
  return a.value;
}
/** An injected random source that returns the given private value, left-padded to the length asked for. */
const privRng = (priv: Buffer) => (n: number) => {
  expect(n).toBeGreaterThanOrEqual(priv.length);
  return Buffer.concat([Buffer.alloc(n - priv.length), priv]);
};

describe.each([
  ['learn', ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']],
  ['config', ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']],
])('hostapd %s run (AP PIN, AP as Enrollee)', (run, names) => {
  const log = read(`hostapd-${run}-ddK.log`);
  const msgs = names.map((n) => Buffer.from(read(`wsc/${run}/${n}.hex`).replace(/\s+/g, ''), 'hex'));
  const m = (i: number): Buffer => {
    const b = msgs[i - 1];
    if (b === undefined) throw new Error(`no M${i}`);
    return b;
  };
  const pkE = attr(m(1), AttributeType.PublicKey);
  const pkR = attr(m(2), AttributeType.PublicKey);
  const keys = () =>
    deriveSessionKeys(
      one(log, 'DH shared key'),
      attr(m(1), AttributeType.EnrolleeNonce),
      attr(m(1), AttributeType.MacAddress),
      attr(m(2), AttributeType.RegistrarNonce),
    );

  it('derives the same DH public key and shared secret as hostapd', () => {
    const kp = generateDhKeyPair(privRng(one(log, 'DH Private Key')));
    expect(kp.publicKey.toString('hex')).toBe(one(log, 'DH own Public Key').toString('hex'));
    expect(kp.publicKey.equals(pkE)).toBe(true);
    expect(one(log, 'DH peer Public Key').equals(pkR)).toBe(true);
    expect(kp.computeSecret(pkR).toString('hex')).toBe(one(log, 'DH shared key').toString('hex'));
  });

  it('derives the same AuthKey, KeyWrapKey and EMSK', () => {
    const k = keys();
    expect(k.authKey.toString('hex')).toBe(one(log, 'AuthKey').toString('hex'));
    expect(k.keyWrapKey.toString('hex')).toBe(one(log, 'KeyWrapKey').toString('hex'));
    expect(k.emsk.toString('hex')).toBe(one(log, 'EMSK').toString('hex'));
  });

  it('derives the same PSK1/PSK2, E-Hash1/2 and R-Hash1/2', () => {
    const { authKey } = keys();
    const { psk1, psk2 } = devicePasswordPsks(authKey, one(log, 'AP PIN dev_password'));
    expect(psk1.toString('hex')).toBe(one(log, 'PSK1').toString('hex'));
    expect(psk2.toString('hex')).toBe(one(log, 'PSK2').toString('hex'));
    expect(computeHash(authKey, one(log, 'E-S1'), psk1, pkE, pkR).equals(attr(m(3), AttributeType.EHash1))).toBe(true);
    expect(computeHash(authKey, one(log, 'E-S2'), psk2, pkE, pkR).equals(attr(m(3), AttributeType.EHash2))).toBe(true);
    expect(computeHash(authKey, one(log, 'R-SNonce1'), psk1, pkE, pkR).equals(attr(m(4), AttributeType.RHash1))).toBe(true);
    expect(computeHash(authKey, one(log, 'R-SNonce2'), psk2, pkE, pkR).equals(one(log, 'R-Hash2'))).toBe(true);
  });

  it('verifies every Authenticator of M2 onwards, and computes the same ones', () => {
    const { authKey } = keys();
    for (let i = 2; i <= names.length; i++) {
      expect(verifyAuthenticator(authKey, m(i - 1), m(i)), `M${i}`).toBe(true);
      const cur = m(i);
      const body = cur.subarray(0, cur.length - 12);
      expect(computeAuthenticator(authKey, m(i - 1), body).equals(cur.subarray(cur.length - 8))).toBe(true);
      expect(verifyAuthenticator(authKey, m(i), m(i))).toBe(false);
    }
  });

  it('decrypts every Encrypted Settings and re-encrypts it to the same bytes with the same IV', () => {
    const { authKey, keyWrapKey } = keys();
    const logged = hexdumps(log, 'Decrypted Encrypted Settings');
    let matchedLog = 0;
    for (let i = 4; i <= names.length; i++) {
      const es = attr(m(i), AttributeType.EncryptedSettings);
      const plain = decryptSettings(authKey, keyWrapKey, es);
      const again = encryptSettings(authKey, keyWrapKey, plain, () => Buffer.from(es.subarray(0, 16)));
      expect(again.toString('hex'), `M${i}`).toBe(es.toString('hex'));
      if (logged.some((d) => d.subarray(0, plain.length).equals(plain) && d.length - plain.length >= 12 + 1)) matchedLog++;
    }
    // hostapd logs the settings it decrypted (those the ER sent: M4, M6, and M8 in config).
    expect(matchedLog).toBeGreaterThanOrEqual(logged.length);
    expect(decryptSettings(authKey, keyWrapKey, attr(m(4), AttributeType.EncryptedSettings)).subarray(4, 20).equals(one(log, 'R-SNonce1'))).toBe(true);
  });
});

describe('wpa_supplicant learn run (External Registrar side)', () => {
  const log = read('wpa_supplicant-learn-ddK.log');
  const m1 = Buffer.from(read('wsc/learn/m1.hex').replace(/\s+/g, ''), 'hex');
  const m2 = Buffer.from(read('wsc/learn/m2.hex').replace(/\s+/g, ''), 'hex');

  it('derives the Registrar public key, shared secret and keys as wpa_supplicant did', () => {
    const kp = generateDhKeyPair(privRng(one(log, 'DH Private Key')));
    expect(kp.publicKey.equals(attr(m2, AttributeType.PublicKey))).toBe(true);
    const shared = kp.computeSecret(attr(m1, AttributeType.PublicKey));
    expect(shared.toString('hex')).toBe(one(log, 'DH shared key').toString('hex'));
    const k = deriveSessionKeys(shared, attr(m1, AttributeType.EnrolleeNonce), attr(m1, AttributeType.MacAddress), attr(m2, AttributeType.RegistrarNonce));
    expect(k.authKey.toString('hex')).toBe(one(log, 'AuthKey').toString('hex'));
    expect(k.emsk.toString('hex')).toBe(one(log, 'EMSK').toString('hex'));
  });
});
