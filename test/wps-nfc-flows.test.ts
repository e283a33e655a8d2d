// NFC password tokens in the registration protocol, in memory: the Enrollee
// runs with its token's Device Password ID, password and DH key; the
// Registrar that read the token uses the password and checks M1's public key
// against the token's hash (hostapd wps_registrar.c / wps_enrollee.c).
import { describe, expect, it } from 'vitest';
import { Enrollee } from '../src/wps/enrollee.js';
import { Registrar, type DevicePasswordChoice } from '../src/wps/registrar.js';
import { ConfigError, DevicePasswordId, MessageType } from '../src/wps/values.js';
import { buildHandoverRequest, buildHandoverSelect, generatePasswordToken, readNfcTag } from '../src/wps/nfc/nfc-token.js';
import { readHandoverRequest, readHandoverSelect } from '../src/wps/nfc/handover.js';
import { nfcDevicePassword, publicKeyHash } from '../src/wps/nfc/oob-device-password.js';
import { wrapWscNdef } from '../src/wps/nfc/ndef.js';
import { AP, credential, REG, runFlow, seededRng, STA, nackConfigError } from './wps-flows-helpers.js';

function tokenEnrollee(t: ReturnType<typeof generatePasswordToken>, peerPublicKeyHash?: Buffer): Enrollee {
  return new Enrollee({
    device: STA,
    password: { kind: 'pin', pin: nfcDevicePassword(t.password), devicePasswordId: t.passwordId },
    dhPrivateKey: t.privateKey,
    peerAddress: AP.macAddress,
    rng: seededRng('nfc-enrollee'),
    ...(peerPublicKeyHash !== undefined ? { peerPublicKeyHash } : {}),
  });
}

/** The Registrar's side after wps_nfc_tag_read of the Enrollee's token. */
function tokenRegistrar(tokenNdef: Buffer, cred = credential('nfc-net', 'nfc passphrase', STA.macAddress)): Registrar {
  const tag = readNfcTag(tokenNdef);
  if (tag.kind !== 'password') throw new Error('expected a password token');
  const choice: DevicePasswordChoice = { kind: 'nfc', passwordId: tag.oob.passwordId, password: tag.oob.password, publicKeyHash: tag.oob.publicKeyHash };
  return new Registrar({ device: REG, policy: { devicePassword: (e) => (e.devicePasswordId === choice.passwordId ? choice : undefined), credentials: () => [cred] } });
}

describe('WPS with an NFC password token', () => {
  it("the Registrar that read the Enrollee's token enrolls it; M1 and M2 carry the token's Device Password ID", () => {
    const t = generatePasswordToken(seededRng('token-1'));
    const enrollee = tokenEnrollee(t);
    const flow = runFlow(enrollee, enrollee.start(), tokenRegistrar(wrapWscNdef(t.token)));
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.registrarResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials?.[0]?.ssid.toString()).toBe('nfc-net');
    // M1's public key is the token's.
    const m1 = flow.wire[0]?.raw ?? Buffer.alloc(0);
    expect(m1.includes(t.publicKey)).toBe(true);
    const pwIdHex = Buffer.from([0x10, 0x12, 0x00, 0x02, t.passwordId >> 8, t.passwordId & 0xff]);
    expect(m1.includes(pwIdHex)).toBe(true);
    expect(flow.wire.find((w) => w.type === MessageType.M2)?.raw.includes(pwIdHex)).toBe(true);
  });

  it('an Enrollee whose M1 key is not the one its token committed to gets M2D with Public Key Hash Mismatch', () => {
    const t = generatePasswordToken(seededRng('token-2'));
    const other = generatePasswordToken(seededRng('token-3'));
    // The same password and ID, but another DH key: what a device replaying a stolen password would send.
    const enrollee = tokenEnrollee({ ...t, privateKey: other.privateKey });
    const flow = runFlow(enrollee, enrollee.start(), tokenRegistrar(wrapWscNdef(t.token)));
    const m2d = flow.wire.find((w) => w.type === MessageType.M2D);
    expect(m2d).toBeDefined();
    expect(m2d?.raw.includes(Buffer.from([0x10, 0x09, 0x00, 0x02, 0x00, ConfigError.PublicKeyHashMismatch]))).toBe(true);
    expect(flow.enrolleeResult?.credentials ?? []).toEqual([]);
  });

  it('a wrong token password fails at M4/M5 as a wrong PIN does', () => {
    const t = generatePasswordToken(seededRng('token-4'));
    const enrollee = tokenEnrollee({ ...t, password: Buffer.alloc(32, 1) });
    const flow = runFlow(enrollee, enrollee.start(), tokenRegistrar(wrapWscNdef(t.token)));
    expect(flow.registrarResult?.result).toBe('failure');
    expect(flow.enrolleeResult?.credentials ?? []).toEqual([]);
  });

  it("an Enrollee that knows the Registrar's key hash refuses an M2 with another key (NACK, config error 20)", () => {
    const t = generatePasswordToken(seededRng('token-5'));
    const enrollee = tokenEnrollee(t, publicKeyHash(generatePasswordToken(seededRng('token-6')).publicKey));
    const flow = runFlow(enrollee, enrollee.start(), tokenRegistrar(wrapWscNdef(t.token)));
    expect(flow.enrolleeResult?.result).toBe('failure');
    const nack = flow.wire.find((w) => w.from === 'enrollee' && w.type === MessageType.WscNack);
    expect(nackConfigError(nack?.raw)).toBe(ConfigError.PublicKeyHashMismatch);
  });
});

describe("an AP whose NFC password token is enabled (wps_nfc_token enable)", () => {
  const PIN = '12345670';
  const apSettings = credential('ap-net', 'ap passphrase', AP.macAddress);
  function apWithToken(t: ReturnType<typeof generatePasswordToken>): Enrollee {
    return new Enrollee({
      device: AP,
      password: { kind: 'pin', pin: nfcDevicePassword(t.password), devicePasswordId: t.passwordId },
      altPassword: { pin: PIN, devicePasswordId: 0 },
      dhPrivateKey: t.privateKey,
      ap: { settings: apSettings },
      rng: seededRng('nfc-ap'),
    });
  }

  it('a Registrar with the AP PIN still learns it: M2 asks for Default and the AP switches to its PIN', () => {
    const ap = apWithToken(generatePasswordToken(seededRng('ap-token')));
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: { devicePassword: () => ({ kind: 'pin', pin: PIN }) } });
    const flow = runFlow(ap, ap.start(), registrar);
    expect(flow.registrarEvents.filter((e) => e.type === 'er-ap-settings')).toHaveLength(1);
  });

  it("a Registrar that read the AP's token learns it with the token, checking the AP's key", () => {
    const t = generatePasswordToken(seededRng('ap-token-2'));
    const ap = apWithToken(t);
    const tag = readNfcTag(wrapWscNdef(t.token));
    if (tag.kind !== 'password') throw new Error('expected a password token');
    const registrar = new Registrar({
      device: REG,
      apSettings: { mode: 'learn' },
      policy: { devicePassword: () => ({ kind: 'nfc', passwordId: tag.oob.passwordId, password: tag.oob.password, publicKeyHash: tag.oob.publicKeyHash }) },
    });
    const flow = runFlow(ap, ap.start(), registrar);
    expect(flow.registrarEvents.filter((e) => e.type === 'er-ap-settings')).toHaveLength(1);
  });
});

/**
 * NFC connection handover: the station's handover request and the
 * Registrar's handover select each carry a public key hash; both run with
 * Device Password ID 0x0007, their committed DH keys and no device password.
 */
describe('WPS after an NFC connection handover (Device Password ID 0x0007)', () => {
  const staKey = generatePasswordToken(seededRng('ho-sta'));
  const regKey = generatePasswordToken(seededRng('ho-reg'));
  const req = readHandoverRequest(wrapWscNdef(buildHandoverRequest({ publicKey: staKey.publicKey, uuidE: STA.uuid })));
  const sel = readHandoverSelect(wrapWscNdef(buildHandoverSelect({ publicKey: regKey.publicKey, ssid: Buffer.from('nfc-net'), macAddress: AP.macAddress })));

  function handoverEnrollee(o: { dhPrivateKey?: Buffer; peerPublicKeyHash?: Buffer } = {}): Enrollee {
    return new Enrollee({
      device: STA,
      password: { kind: 'pin', pin: '', devicePasswordId: DevicePasswordId.NfcConnectionHandover },
      dhPrivateKey: o.dhPrivateKey ?? staKey.privateKey,
      peerPublicKeyHash: o.peerPublicKeyHash ?? sel.publicKeyHash,
      peerAddress: AP.macAddress,
      rng: seededRng('ho-enrollee'),
    });
  }
  function handoverRegistrar(o: { dhPrivateKey?: Buffer; publicKeyHash?: Buffer } = {}): Registrar {
    const choice: DevicePasswordChoice = {
      kind: 'nfc',
      passwordId: DevicePasswordId.NfcConnectionHandover,
      password: Buffer.alloc(0),
      publicKeyHash: o.publicKeyHash ?? req.publicKeyHash,
      dhPrivateKey: o.dhPrivateKey ?? regKey.privateKey,
    };
    const cred = credential('nfc-net', 'nfc passphrase', STA.macAddress);
    return new Registrar({ device: REG, policy: { devicePassword: (e) => (e.devicePasswordId === choice.passwordId ? choice : undefined), credentials: () => [cred] } });
  }

  it('both sides run with the keys they committed to; M2 carries the credential and WSC_Done follows (no M3..M8)', () => {
    const enrollee = handoverEnrollee();
    const flow = runFlow(enrollee, enrollee.start(), handoverRegistrar());
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.registrarResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials?.[0]?.ssid.toString()).toBe('nfc-net');
    expect(flow.wire.map((w) => w.type)).toEqual([MessageType.M1, MessageType.M2, MessageType.WscDone, MessageType.WscAck]);
    expect(flow.wire[0]?.raw.includes(staKey.publicKey)).toBe(true);
    const m2 = flow.wire.find((w) => w.type === MessageType.M2)?.raw;
    expect(m2?.includes(regKey.publicKey)).toBe(true);
    expect(m2?.includes(Buffer.from([0x10, 0x12, 0x00, 0x02, 0x00, 0x07]))).toBe(true);
  });

  it('an M1 key other than the handover request committed to gets M2D with Public Key Hash Mismatch', () => {
    const enrollee = handoverEnrollee({ dhPrivateKey: generatePasswordToken(seededRng('ho-other')).privateKey });
    const flow = runFlow(enrollee, enrollee.start(), handoverRegistrar());
    const m2d = flow.wire.find((w) => w.type === MessageType.M2D);
    expect(m2d?.raw.includes(Buffer.from([0x10, 0x09, 0x00, 0x02, 0x00, ConfigError.PublicKeyHashMismatch]))).toBe(true);
    expect(flow.enrolleeResult?.credentials ?? []).toEqual([]);
  });

  it('a Registrar without the key of its handover select is refused by the Enrollee (NACK, config error 20)', () => {
    const enrollee = handoverEnrollee();
    const flow = runFlow(enrollee, enrollee.start(), handoverRegistrar({ dhPrivateKey: generatePasswordToken(seededRng('ho-fresh')).privateKey }));
    expect(flow.enrolleeResult?.result).toBe('failure');
    const nack = flow.wire.find((w) => w.from === 'enrollee' && w.type === MessageType.WscNack);
    expect(nackConfigError(nack?.raw)).toBe(ConfigError.PublicKeyHashMismatch);
  });

  it('a handover token without the Enrollee key hash is never used: M2D', () => {
    const choice: DevicePasswordChoice = { kind: 'nfc', passwordId: DevicePasswordId.NfcConnectionHandover, password: Buffer.alloc(0), dhPrivateKey: regKey.privateKey };
    const registrar = new Registrar({ device: REG, policy: { devicePassword: () => choice, credentials: () => [] } });
    const enrollee = handoverEnrollee();
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.wire.some((w) => w.type === MessageType.M2D)).toBe(true);
    expect(flow.enrolleeResult?.credentials ?? []).toEqual([]);
  });
});
