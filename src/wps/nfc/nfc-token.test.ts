import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateDhKeyPair } from '../crypto.js';
import { AuthType, EncrType, RfBand } from '../values.js';
import { NdefError, NdefTnf, buildNdefMessage, parseNdefMessage, wrapWscNdef, wscPayloadFromNdef, WSC_NDEF_TYPE } from './ndef.js';
import {
  NfcTokenError,
  buildConfigToken,
  buildHandoverRequest,
  buildHandoverSelect,
  buildPasswordToken,
  generatePasswordToken,
  matchesPublicKeyHash,
  readHandoverCarrier,
  readNfcTag,
} from './nfc-token.js';
import { DEV_PW_NFC_CONNECTION_HANDOVER, publicKeyHash } from './oob-device-password.js';

/** Payloads the real daemons printed (fixtures/nfc/tokens.txt). */
const recorded = new Map<string, Buffer>(
  readFileSync(new URL('../../../fixtures/nfc/tokens.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => {
      const [daemon, cmd, hex] = l.split(' ');
      return [`${daemon ?? ''} ${cmd ?? ''}`, Buffer.from(hex ?? '', 'hex')] as const;
    }),
);
function rec(key: string): Buffer {
  const b = recorded.get(key);
  if (b === undefined) throw new Error(`no recorded ${key}`);
  return b;
}

/** A deterministic byte source for generated tokens. */
function counterRng(seed: number): (n: number) => Buffer {
  let s = seed;
  return (n) => Buffer.from(Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) & 0x7fffffff) & 0xff));
}

describe('NFC configuration tokens', () => {
  it("reads hostapd's configuration token and rebuilds it byte for byte, raw and as NDEF", () => {
    const raw = rec('hostapd wps_nfc_config_token_WPS');
    const tag = readNfcTag(raw);
    if (tag.kind !== 'config') throw new Error('expected a configuration token');
    const [cred] = tag.credentials;
    expect(cred?.ssid.toString()).toBe('nfc-test');
    expect(cred?.networkKey.toString()).toBe('12345678');
    expect(cred?.authType).toBe(AuthType.Wpa2Psk);
    expect(cred?.encrType).toBe(EncrType.Aes);
    expect(tag.location.rfBands).toBe(RfBand.Band24GHz);
    expect(tag.location.macAddress?.toString('hex')).toBe('1ed91f2aa9d9');
    if (cred === undefined || tag.location.macAddress === undefined) throw new Error('unreachable');
    const rebuilt = buildConfigToken(cred, { rfBands: RfBand.Band24GHz, macAddress: tag.location.macAddress });
    expect(rebuilt.toString('hex')).toBe(raw.toString('hex'));
    expect(wrapWscNdef(rebuilt).toString('hex')).toBe(rec('hostapd wps_nfc_config_token_NDEF').toString('hex'));
    expect(readNfcTag(rec('hostapd wps_nfc_config_token_NDEF'))).toEqual(tag);
  });
});

describe('NFC password tokens', () => {
  it("reads wpa_supplicant's and hostapd's password tokens", () => {
    for (const key of ['wpa_supplicant wps_nfc_token_WPS', 'wpa_supplicant wps_nfc_token_NDEF', 'hostapd wps_nfc_token_WPS']) {
      const tag = readNfcTag(rec(key));
      if (tag.kind !== 'password') throw new Error(`${key}: expected a password token`);
      expect(tag.oob.password).toHaveLength(32);
      expect(tag.oob.passwordId).toBeGreaterThanOrEqual(0x10);
      expect(tag.oob.publicKeyHash).toHaveLength(20);
    }
  });

  it('builds what the daemons build from the same password, ID and public key', () => {
    const raw = rec('wpa_supplicant wps_nfc_token_WPS');
    const tag = readNfcTag(raw);
    if (tag.kind !== 'password') throw new Error('expected a password token');
    // Only the hash of the daemon's key is known: rebuild around it and compare everything else.
    const kp = generateDhKeyPair(counterRng(7));
    const ours = buildPasswordToken({ passwordId: tag.oob.passwordId, publicKey: kp.publicKey, password: tag.oob.password });
    expect(ours.subarray(0, 4)).toEqual(raw.subarray(0, 4));
    expect(ours.subarray(24)).toEqual(raw.subarray(24));
    expect(ours.subarray(4, 24)).toEqual(publicKeyHash(kp.publicKey));
  });

  it('generates tokens whose hash commits to the generated public key, deterministic for a given random source', () => {
    const a = generatePasswordToken(counterRng(1));
    const b = generatePasswordToken(counterRng(1));
    expect(a.token).toEqual(b.token);
    expect(a.publicKey).toHaveLength(192);
    const tag = readNfcTag(wrapWscNdef(a.token));
    if (tag.kind !== 'password') throw new Error('expected a password token');
    expect(tag.oob.passwordId).toBe(a.passwordId);
    expect(matchesPublicKeyHash(tag.oob, a.publicKey)).toBe(true);
    expect(matchesPublicKeyHash(tag.oob, generatePasswordToken(counterRng(2)).publicKey)).toBe(false);
  });
});

describe('NFC connection handover carriers', () => {
  it("reads wpa_supplicant's handover request and hostapd's handover select", () => {
    const req = readHandoverCarrier(rec('wpa_supplicant nfc_get_handover_req_NDEF_WPS-CR'));
    expect(req.oob.passwordId).toBe(DEV_PW_NFC_CONNECTION_HANDOVER);
    expect(req.oob.password).toHaveLength(0);
    expect(req.uuidE?.toString('hex')).toBe('123456789abcdef0123456789abcdef0');
    const sel = readHandoverCarrier(rec('hostapd nfc_get_handover_sel_NDEF_WPS-CR'));
    expect(sel.ssid?.toString()).toBe('nfc-test');
    expect(sel.location.macAddress?.toString('hex')).toBe('1ed91f2aa9d9');
    expect(readHandoverCarrier(rec('hostapd nfc_get_handover_sel_WPS_WPS-CR'))).toEqual(sel);
    // hostapd's handover select and its password token commit to the same key.
    const pw = readNfcTag(rec('hostapd wps_nfc_token_WPS'));
    if (pw.kind !== 'password') throw new Error('expected a password token');
    expect(sel.oob.publicKeyHash).toEqual(pw.oob.publicKeyHash);
  });

  it('builds carriers in the daemons\' layout', () => {
    const kp = generateDhKeyPair(counterRng(3));
    const sel = readHandoverCarrier(wrapWscNdef(buildHandoverSelect({ publicKey: kp.publicKey, ssid: Buffer.from('nfc-test'), macAddress: Buffer.from('1ed91f2aa9d9', 'hex') })));
    expect(matchesPublicKeyHash(sel.oob, kp.publicKey)).toBe(true);
    const theirs = rec('hostapd nfc_get_handover_sel_WPS_WPS-CR');
    const ours = buildHandoverSelect({ publicKey: kp.publicKey, ssid: Buffer.from('nfc-test'), macAddress: Buffer.from('1ed91f2aa9d9', 'hex') });
    expect(ours.length).toBe(theirs.length);
    expect(ours.subarray(0, 6)).toEqual(theirs.subarray(0, 6));
    expect(ours.subarray(26)).toEqual(theirs.subarray(26));
    const req = buildHandoverRequest({ publicKey: kp.publicKey, uuidE: Buffer.from('123456789abcdef0123456789abcdef0', 'hex') });
    const theirReq = wscPayloadFromNdef(rec('wpa_supplicant nfc_get_handover_req_NDEF_WPS-CR'));
    expect(req.subarray(26)).toEqual(theirReq.subarray(26));
  });
});

describe('bad tokens are refused with a reason', () => {
  const good = rec('hostapd wps_nfc_config_token_NDEF');
  it('truncated NDEF', () => {
    for (const cut of [1, 2, 10, good.length - 1]) {
      expect(() => readNfcTag(good.subarray(0, cut))).toThrow(NfcTokenError);
    }
    expect(() => readNfcTag(good.subarray(0, 30))).toThrow(/truncated payload/);
  });
  it('a record of another type', () => {
    const text = buildNdefMessage([{ tnf: NdefTnf.MediaType, type: 'text/plain', payload: wscPayloadFromNdef(good) }]);
    expect(() => readNfcTag(text)).toThrow(/no application\/vnd.wfa.wsc record/);
  });
  it('a WSC record that is no token', () => {
    expect(() => readNfcTag(wrapWscNdef(Buffer.from('104a000110', 'hex')))).toThrow(/not a WPS NFC token/);
  });
  it('an OOB Device Password with a short password', () => {
    const short = Buffer.from(rec('hostapd wps_nfc_token_WPS'));
    short.writeUInt16BE(0x20, 2); // 22 + 10 octets
    expect(() => readNfcTag(Buffer.concat([short.subarray(0, 4 + 32)]))).toThrow(/shorter than 16/);
  });
  it('a handover carrier whose length field lies', () => {
    const sel = Buffer.from(rec('hostapd nfc_get_handover_sel_WPS_WPS-CR'));
    sel.writeUInt16BE(sel.readUInt16BE(0) + 1, 0);
    expect(() => readHandoverCarrier(sel)).toThrow(/declares/);
  });
});

describe('NDEF parsing is total', () => {
  it('every byte string parses or throws NdefError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseNdefMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(NdefError);
        }
      }),
      { numRuns: 5000 },
    );
  });
  it('build and parse agree, short and long records', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.string({ maxLength: 40 }), id: fc.uint8Array({ maxLength: 5 }), payload: fc.uint8Array({ maxLength: 600 }) }), { minLength: 1, maxLength: 4 }), (recs) => {
        const types = recs.map((r) => ({ ...r, type: Buffer.from(r.type, 'latin1').toString('latin1').slice(0, 200), tnf: NdefTnf.MediaType }));
        const parsed = parseNdefMessage(buildNdefMessage(types));
        expect(parsed.map((p) => [p.type, p.payload.toString('hex'), p.id.toString('hex')])).toEqual(
          types.map((t) => [Buffer.from(t.type, 'latin1').toString('latin1'), Buffer.from(t.payload).toString('hex'), Buffer.from(t.id).toString('hex')]),
        );
      }),
      { numRuns: 300 },
    );
  });
  it('one pass: a long message of empty records is refused after MAX_NDEF_RECORDS', () => {
    const one = buildNdefMessage([{ tnf: NdefTnf.MediaType, type: WSC_NDEF_TYPE, payload: Buffer.alloc(0) }]);
    const many = Buffer.concat(Array.from({ length: 100 }, (_, i) => (i === 0 ? Buffer.from([one[0]! & ~0x40, ...one.subarray(1)]) : Buffer.from([one[0]! & ~0xc0, ...one.subarray(1)]))));
    expect(() => parseNdefMessage(many)).toThrow(/more than 32 records/);
  });
});
