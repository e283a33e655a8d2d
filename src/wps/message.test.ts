import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeType as A, encodeAttributes, parseAttributes } from './attributes.js';
import { AuthType, ConfigError, ConfigMethods, DevicePasswordId, EncrType, MessageType, RfBand, WpsState } from './values.js';
import { parseDeviceType, type DeviceInfo } from './device.js';
import {
  MANDATORY_ATTRIBUTES,
  WscProtocolError,
  authenticatorOf,
  buildM1,
  buildM2,
  buildM2D,
  buildM3,
  buildM4,
  buildM5,
  buildM6,
  buildM7,
  buildM8,
  buildWscAck,
  buildWscDone,
  buildWscNack,
  isVersion2,
  parseMessage,
  readM1,
  readM2,
  readM2D,
  readM3,
  readM4,
  readM5,
  readM6,
  readM7,
  readM8,
  readWscAck,
  readWscDone,
  readWscNack,
  requireAttributes,
  withAuthenticator,
  type M1Fields,
  type M2Fields,
} from './message.js';

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);
const device: DeviceInfo = {
  uuid: bytes(16, 0x11),
  macAddress: Buffer.from('020000000001', 'hex'),
  deviceName: 'Wireless AP',
  manufacturer: 'Company',
  modelName: 'WAP',
  modelNumber: '123',
  serialNumber: '12345',
  primaryDeviceType: parseDeviceType('6-0050F204-1'),
  osVersion: 0x01020304,
  configMethods: ConfigMethods.Label | ConfigMethods.VirtualDisplay | ConfigMethods.VirtualPushButton,
  rfBands: RfBand.Band24GHz,
};
const m1: M1Fields = {
  uuidE: device.uuid,
  macAddress: device.macAddress,
  enrolleeNonce: bytes(16, 0xe1),
  publicKey: bytes(192, 0x5a),
  authTypeFlags: AuthType.Open | AuthType.WpaPsk | AuthType.Wpa2Psk,
  encrTypeFlags: EncrType.None | EncrType.Tkip | EncrType.Aes,
  connTypeFlags: 1,
  configMethods: device.configMethods,
  wpsState: WpsState.Configured,
  device,
  rfBands: device.rfBands,
  assocState: 0,
  devicePasswordId: DevicePasswordId.PushButton,
  configError: ConfigError.NoError,
  osVersion: device.osVersion,
};
const m2: M2Fields = {
  enrolleeNonce: bytes(16, 0xe1),
  registrarNonce: bytes(16, 0xa2),
  uuidR: bytes(16, 0x22),
  publicKey: bytes(192, 0x6b),
  authTypeFlags: AuthType.Wpa2Psk,
  encrTypeFlags: EncrType.Aes,
  connTypeFlags: 1,
  configMethods: ConfigMethods.Keypad,
  device: { ...device, deviceName: 'ER' },
  rfBands: RfBand.Band24GHz | RfBand.Band50GHz,
  assocState: 0,
  configError: 0,
  devicePasswordId: DevicePasswordId.Default,
  osVersion: 7,
};
const auth = bytes(8, 0xaa);
const types = (raw: Buffer) => parseAttributes(raw).map((a) => a.type);

describe('WSC messages', () => {
  it('builds M1 with hostapd attribute order, Version 0x10 and the WFA Version2 0x20 extension', () => {
    const raw = buildM1(m1);
    expect(types(raw)).toEqual([
      A.Version, A.MessageType, A.UuidE, A.MacAddress, A.EnrolleeNonce, A.PublicKey, A.AuthenticationTypeFlags,
      A.EncryptionTypeFlags, A.ConnectionTypeFlags, A.ConfigMethods, A.WifiProtectedSetupState, A.Manufacturer,
      A.ModelName, A.ModelNumber, A.SerialNumber, A.PrimaryDeviceType, A.DeviceName, A.RfBands, A.AssociationState,
      A.DevicePasswordId, A.ConfigurationError, A.OsVersion, A.VendorExtension,
    ]);
    expect(raw.subarray(0, 10).toString('hex')).toBe('104a000110' + '1022000104');
    expect(raw.subarray(raw.length - 10).toString('hex')).toBe('1049000600372a000120');
    const msg = parseMessage(raw);
    expect(msg.type).toBe(MessageType.M1);
    expect(msg.version).toBe(0x10);
    expect(isVersion2(msg)).toBe(true);
    expect(msg.get(A.OsVersion)?.toString('hex')).toBe('81020304');
  });

  it('reads M1 back into the same fields and rebuilds the same bytes', () => {
    const raw = buildM1({ ...m1, wfa: { multiAp: 0x80 } });
    const f = readM1(parseMessage(raw));
    expect(f).toMatchObject({ ...m1, device: { ...device } });
    expect(f.wfa?.multiAp).toBe(0x80);
    expect(buildM1(f)).toEqual(raw);
  });

  it('builds WPS 1.0 messages without the WFA extension and parses them', () => {
    const raw = buildM1({ ...m1, version2: false });
    expect(types(raw)).not.toContain(A.VendorExtension);
    const msg = parseMessage(raw);
    expect(isVersion2(msg)).toBe(false);
    expect(msg.wfa).toBeUndefined();
    expect(readM1(msg).version2).toBe(false);
  });

  it('M2..M8 leave the Authenticator to the caller, who appends it last', () => {
    const body = buildM2(m2);
    expect(types(body)).not.toContain(A.Authenticator);
    expect(() => requireAttributes(parseMessage(body))).toThrow(expect.objectContaining({ code: 'MISSING_ATTRIBUTE', attrType: A.Authenticator }));
    const raw = withAuthenticator(body, auth);
    const msg = parseMessage(raw);
    expect(authenticatorOf(msg)).toEqual(auth);
    expect(types(raw).slice(-2)).toEqual([A.VendorExtension, A.Authenticator]);
    const f = readM2(msg);
    const { device: _d, ...m2Plain } = m2;
    expect(f).toMatchObject(m2Plain);
    expect(f.device).toMatchObject({ deviceName: 'ER', manufacturer: 'Company', uuid: m2.uuidR, osVersion: 7, rfBands: 3, configMethods: ConfigMethods.Keypad });
    expect(withAuthenticator(buildM2(f), auth)).toEqual(raw);
    expect(() => withAuthenticator(body, bytes(7, 0))).toThrow(WscProtocolError);
  });

  it('puts M2 Encrypted Settings (NFC) after the WFA extension, as hostapd does', () => {
    const raw = buildM2({ ...m2, encryptedSettings: bytes(48, 1) });
    expect(types(raw).slice(-2)).toEqual([A.VendorExtension, A.EncryptedSettings]);
    expect(readM2(parseMessage(withAuthenticator(raw, auth))).encryptedSettings).toEqual(bytes(48, 1));
  });

  it('M2D carries the Registrar device data without Public Key, Device Password ID or Authenticator', () => {
    const { publicKey: _pk, devicePasswordId: _id, ...m2d } = m2;
    const raw = buildM2D({ ...m2d, configError: ConfigError.SetupLocked });
    const t = types(raw);
    expect(t).not.toContain(A.PublicKey);
    expect(t).not.toContain(A.DevicePasswordId);
    const msg = parseMessage(raw);
    requireAttributes(msg);
    const f = readM2D(msg);
    expect(f.configError).toBe(ConfigError.SetupLocked);
    expect(buildM2D(f)).toEqual(raw);
  });

  it('M3..M8 carry the nonce, hashes and encrypted settings each needs, in hostapd order', () => {
    const rn = bytes(16, 0xa2);
    const en = bytes(16, 0xe1);
    const es = bytes(64, 0x33);
    const cases: [Buffer, number[], (raw: Buffer) => Buffer][] = [
      [buildM3({ registrarNonce: rn, eHash1: bytes(32, 1), eHash2: bytes(32, 2) }), [A.RegistrarNonce, A.EHash1, A.EHash2], (r) => buildM3(readM3(parseMessage(r)))],
      [buildM4({ enrolleeNonce: en, rHash1: bytes(32, 3), rHash2: bytes(32, 4), encryptedSettings: es }), [A.EnrolleeNonce, A.RHash1, A.RHash2, A.EncryptedSettings], (r) => buildM4(readM4(parseMessage(r)))],
      [buildM5({ registrarNonce: rn, encryptedSettings: es }), [A.RegistrarNonce, A.EncryptedSettings], (r) => buildM5(readM5(parseMessage(r)))],
      [buildM6({ enrolleeNonce: en, encryptedSettings: es }), [A.EnrolleeNonce, A.EncryptedSettings], (r) => buildM6(readM6(parseMessage(r)))],
      [buildM7({ registrarNonce: rn, encryptedSettings: es }), [A.RegistrarNonce, A.EncryptedSettings], (r) => buildM7(readM7(parseMessage(r)))],
      [buildM8({ enrolleeNonce: en, encryptedSettings: es }), [A.EnrolleeNonce, A.EncryptedSettings], (r) => buildM8(readM8(parseMessage(r)))],
    ];
    for (const [body, middle, rebuild] of cases) {
      expect(types(body)).toEqual([A.Version, A.MessageType, ...middle, A.VendorExtension]);
      const raw = withAuthenticator(body, auth);
      requireAttributes(parseMessage(raw));
      expect(withAuthenticator(rebuild(raw), auth)).toEqual(raw);
    }
  });

  it('builds WSC_ACK, WSC_NACK (with Configuration Error) and WSC_Done', () => {
    const n = { enrolleeNonce: bytes(16, 1), registrarNonce: bytes(16, 2) };
    const ack = buildWscAck(n);
    const nack = buildWscNack({ ...n, configError: ConfigError.DevicePasswordAuthFailure });
    const done = buildWscDone(n);
    expect(types(nack)).toEqual([A.Version, A.MessageType, A.EnrolleeNonce, A.RegistrarNonce, A.ConfigurationError, A.VendorExtension]);
    expect(readWscAck(parseMessage(ack))).toMatchObject(n);
    expect(readWscNack(parseMessage(nack)).configError).toBe(18);
    expect(readWscDone(parseMessage(done))).toMatchObject(n);
    expect(parseMessage(done).type).toBe(MessageType.WscDone);
  });

  it('keeps unknown attributes and other vendors\' extensions in order and hands them back as extra', () => {
    const other = { type: A.VendorExtension, value: Buffer.from('0050f2112233', 'hex') };
    const unknown = { type: 0x10fe, value: Buffer.from('01', 'hex') };
    const raw = buildWscAck({ enrolleeNonce: bytes(16, 1), registrarNonce: bytes(16, 2), extra: [other, unknown] });
    const msg = parseMessage(raw);
    expect(msg.attrs.slice(-2)).toEqual([other, unknown]);
    expect(msg.getAll(A.VendorExtension)).toHaveLength(2);
    expect(readWscAck(msg).extra).toEqual([other, unknown]);
  });

  it('refuses a message the wrong way round with UNEXPECTED_MESSAGE', () => {
    expect(() => readM2(parseMessage(buildM1(m1)))).toThrow(expect.objectContaining({ code: 'UNEXPECTED_MESSAGE' }));
  });

  it('names what is missing or malformed', () => {
    const noVersion = encodeAttributes(parseAttributes(buildM1(m1)).filter((a) => a.type !== A.Version));
    expect(() => parseMessage(noVersion)).toThrow(expect.objectContaining({ code: 'MISSING_ATTRIBUTE', attrType: A.Version }));
    const noType = encodeAttributes(parseAttributes(buildM1(m1)).filter((a) => a.type !== A.MessageType));
    expect(() => parseMessage(noType)).toThrow(expect.objectContaining({ code: 'MISSING_ATTRIBUTE', attrType: A.MessageType }));
    const noUuid = encodeAttributes(parseAttributes(buildM1(m1)).filter((a) => a.type !== A.UuidE));
    expect(() => readM1(parseMessage(noUuid))).toThrow(/M1 without mandatory attribute UuidE/);
    expect(() => parseMessage(Buffer.from('104a0001101022000163', 'hex'))).toThrow(/unknown message type 0x63/);
    expect(() => parseMessage(Buffer.from('104a000110102200010d101a000501', 'hex'))).toThrow(expect.objectContaining({ code: 'MALFORMED', offset: 10 }));
    expect(() => parseMessage(Buffer.from('104a000110102200010d101a0001aa', 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_ATTRIBUTE', attrType: A.EnrolleeNonce, offset: 10 }));
    expect(() => buildWscAck({ enrolleeNonce: bytes(15, 0), registrarNonce: bytes(16, 0) })).toThrow(expect.objectContaining({ code: 'BAD_ATTRIBUTE' }));
    const many = Array.from({ length: 11 }, () => ({ type: A.VendorExtension, value: Buffer.from('0050f2', 'hex') }));
    expect(() => parseMessage(buildWscAck({ enrolleeNonce: bytes(16, 1), registrarNonce: bytes(16, 2), extra: many }))).toThrow(/more than 10 vendor extensions/);
  });

  it('follows hostapd on deployed quirks: zero padding after M1, cut WFA subelements, bad Version2 size', () => {
    const ack = buildWscAck({ enrolleeNonce: bytes(16, 1), registrarNonce: bytes(16, 2) });
    expect(parseMessage(Buffer.concat([ack, Buffer.alloc(6)])).attrs).toEqual(parseMessage(ack).attrs);
    expect(() => parseMessage(Buffer.concat([ack, Buffer.from('0000000000000001', 'hex')]))).toThrow(WscProtocolError);
    const head = '104a000110102200010d';
    expect(parseMessage(Buffer.from(head + '1049000400372a00', 'hex')).wfa).toEqual({ unknown: [] });
    expect(parseMessage(Buffer.from(head + '1049000700372a00012001', 'hex')).wfa?.version2).toBe(0x20);
    expect(() => parseMessage(Buffer.from(head + '1049000500372a0000', 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_ATTRIBUTE', attrType: A.VendorExtension }));
    // A Vendor Extension shorter than a vendor ID is skipped, as hostapd does.
    expect(parseMessage(Buffer.from(head + '1049000100', 'hex')).getAll(A.VendorExtension)).toEqual([Buffer.from('00', 'hex')]);
  });

  it('has a mandatory-attribute table for every registration message', () => {
    for (const t of [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]) expect(MANDATORY_ATTRIBUTES[t]?.length).toBeGreaterThan(3);
    expect(MANDATORY_ATTRIBUTES[MessageType.M2D]).not.toContain(A.PublicKey);
  });

  it('property: arbitrary bytes either fail with WscProtocolError or keep every attribute', () => {
    const header = fc.constantFrom(Buffer.alloc(0), Buffer.from('104a000110102200010d', 'hex'));
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 200 }), (h, tail) => {
        const raw = Buffer.concat([h, tail]);
        try {
          const msg = parseMessage(raw);
          expect(msg.raw).toEqual(raw);
          // Equal bytes unless a hostapd workaround dropped padding or a stray octet; then equal attributes.
          expect(parseMessage(encodeAttributes(msg.attrs)).attrs).toEqual(msg.attrs);
        } catch (e) {
          expect(e).toBeInstanceOf(WscProtocolError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('property: M1 with arbitrary field values round-trips through parse and read', () => {
    const arb = fc.record({
      enrolleeNonce: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((u) => Buffer.from(u)),
      authTypeFlags: fc.integer({ min: 0, max: 0xffff }),
      configMethods: fc.integer({ min: 0, max: 0xffff }),
      devicePasswordId: fc.integer({ min: 0, max: 0xffff }),
      osVersion: fc.integer({ min: 0, max: 0x7fffffff }),
      deviceName: fc.string({ minLength: 1, maxLength: 32 }).filter((s) => Buffer.byteLength(s) <= 32 && s !== ' '),
      version2: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ deviceName, ...f }) => {
        const fields = { ...m1, ...f, device: { ...device, deviceName } };
        const raw = buildM1(fields);
        const back = readM1(parseMessage(raw));
        expect(back).toMatchObject({ ...f, device: { deviceName } });
        expect(buildM1(back)).toEqual(raw);
      }),
    );
  });
});
