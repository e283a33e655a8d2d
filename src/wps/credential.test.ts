import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttributeType, WscParseError, encodeAttributes, parseAttributes } from './attributes.js';
import { AuthType, EncrType } from './values.js';
import {
  checkPersonalNetworkKey,
  credentialAttribute,
  encodeApSettings,
  encodeCredential,
  parseApSettings,
  parseCredential,
  parseCredentials,
  type Credential,
} from './credential.js';

/** wpa_supplicant README-WPS: the WPS-CRED-RECEIVED example (one Credential attribute). */
const CRED_RECEIVED_HEX =
  '100e006f10260001011045000c6a6b6d2d7770732d74657374100300020020100f000200081027004030653462303435366332363666653064333961643135353461316634626637313234333761636664623766333939653534663166316230323061643434386235102000060266a0ee1727';
/** hostapd README-WPS: the WPS-NEW-AP-SETTINGS example, cut inside its final Key Wrap Authenticator. */
const NEW_AP_SETTINGS_HEX =
  '10260001011045000c6a6b6d2d7770732d74657374100300020020100f00020008102700403065346230343536633236366665306433396164313535346131663462663731323433376163666462376633393965353466316631623032306164343438623510200006024231cede15101e000844';
const SEED_PSK = '0e4b0456c266fe0d39ad1554a1f4bf712437acfdb7f399e54f1f1b020ad448b5';

const cred: Credential = {
  networkIndex: 1,
  ssid: Buffer.from('jkm-wps-test'),
  authType: AuthType.Wpa2Psk,
  encrType: EncrType.Aes,
  networkKey: Buffer.from(SEED_PSK),
  macAddress: Buffer.from('0266a0ee1727', 'hex'),
  extra: [],
};

describe('credentials', () => {
  it('reads the README-WPS WPS-CRED-RECEIVED credential: jkm-wps-test, WPA2PSK, AES, 64-hex PSK, 02:66:a0:ee:17:27', () => {
    const [c, ...rest] = parseCredentials(Buffer.from(CRED_RECEIVED_HEX, 'hex'));
    expect(rest).toEqual([]);
    expect(c).toEqual(cred);
  });

  it('encodes a credential back to the exact bytes wpa_supplicant printed', () => {
    expect(encodeAttributes([credentialAttribute(cred)]).toString('hex')).toBe(CRED_RECEIVED_HEX);
  });

  it('reads the README-WPS AP settings once the cut Key Wrap Authenticator is removed', () => {
    const whole = Buffer.from(NEW_AP_SETTINGS_HEX, 'hex');
    const beforeCut = whole.subarray(0, 111);
    const s = parseApSettings(beforeCut);
    expect(s.ssid.toString()).toBe('jkm-wps-test');
    expect(s.authType).toBe(AuthType.Wpa2Psk);
    expect(s.encrType).toBe(EncrType.Aes);
    expect(s.networkKey.toString()).toBe(SEED_PSK);
    expect(s.macAddress.toString('hex')).toBe('024231cede15');
    expect(encodeApSettings(s)).toEqual(beforeCut);
    expect(() => parseApSettings(whole)).toThrow(expect.objectContaining({ code: 'TRUNCATED_VALUE', offset: 111, attrType: AttributeType.KeyWrapAuthenticator, declared: 8, present: 1 }));
  });

  it('keeps a Key Wrap Authenticator and unknown attributes of AP settings in extra', () => {
    const withKwa = Buffer.concat([encodeApSettings(cred), Buffer.from('101e00080102030405060708', 'hex')]);
    expect(parseApSettings(withKwa).extra).toEqual([{ type: AttributeType.KeyWrapAuthenticator, value: Buffer.from('0102030405060708', 'hex') }]);
  });

  it('builds an Enrollee M7 AP settings without Network Index, SSID then MAC first (hostapd order)', () => {
    const m7 = encodeApSettings({ ...cred, networkKeyIndex: 1 }, 'enrollee');
    expect(parseAttributes(m7).map((a) => a.type)).toEqual([
      AttributeType.Ssid,
      AttributeType.MacAddress,
      AttributeType.AuthenticationType,
      AttributeType.EncryptionType,
      AttributeType.NetworkKeyIndex,
      AttributeType.NetworkKey,
    ]);
    expect(parseApSettings(m7)).toEqual({ ...cred, networkKeyIndex: 1 });
  });

  it('names the missing attribute of an incomplete credential', () => {
    const noMac = encodeAttributes(parseAttributes(encodeCredential(cred)).filter((a) => a.type !== AttributeType.MacAddress));
    expect(() => parseCredential(noMac)).toThrow(expect.objectContaining({ code: 'MISSING_ATTRIBUTE', attrType: AttributeType.MacAddress }));
    const noIdx = encodeApSettings(cred, 'enrollee');
    expect(() => parseCredential(noIdx)).toThrow(/without NetworkIndex/);
    const noKey = encodeAttributes(parseAttributes(encodeCredential(cred)).filter((a) => a.type !== AttributeType.NetworkKey));
    expect(() => parseCredential(noKey)).toThrow(/NetworkKey/);
  });

  it('accepts an open network without Network Key (hostapd workaround)', () => {
    const open = { ...cred, authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0) };
    const noKey = encodeAttributes(parseAttributes(encodeCredential(open)).filter((a) => a.type !== AttributeType.NetworkKey));
    expect(parseCredential(noKey).networkKey.length).toBe(0);
  });

  it('refuses a 33-byte SSID and a 7-byte MAC', () => {
    expect(() => encodeCredential({ ...cred, ssid: Buffer.alloc(33) })).toThrow(WscParseError);
    const bad = encodeCredential(cred).toString('hex').replace('10200006', '10200007') + 'ff';
    expect(() => parseCredential(Buffer.from(bad, 'hex'))).toThrow(expect.objectContaining({ code: 'BAD_LENGTH', attrType: AttributeType.MacAddress }));
  });

  it('drops the NUL a deployed ER appends to a passphrase and refuses control characters', () => {
    expect(checkPersonalNetworkKey({ authType: AuthType.Wpa2Psk, networkKey: Buffer.from('password\0') }).toString()).toBe('password');
    expect(() => checkPersonalNetworkKey({ authType: AuthType.Wpa2Psk, networkKey: Buffer.from('pass\nword') })).toThrow(WscParseError);
    expect(() => checkPersonalNetworkKey({ authType: AuthType.WpaPsk, networkKey: Buffer.from('short') })).toThrow(WscParseError);
    expect(checkPersonalNetworkKey({ authType: AuthType.Open, networkKey: Buffer.alloc(0) }).length).toBe(0);
  });

  it('property: arbitrary bytes either fail with WscParseError or round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const parse of [parseCredential, parseApSettings]) {
          let c: Credential;
          try {
            c = parse(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(WscParseError);
            continue;
          }
          expect(parse(encodeCredential(c))).toEqual(c);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('property: well-formed credentials with arbitrary fields round-trip', () => {
    const arb = fc.record(
      {
        networkIndex: fc.integer({ min: 0, max: 255 }),
        ssid: fc.uint8Array({ maxLength: 32 }).map((u) => Buffer.from(u)),
        authType: fc.integer({ min: 0, max: 0xffff }),
        encrType: fc.integer({ min: 0, max: 0xffff }),
        networkKeyIndex: fc.integer({ min: 0, max: 255 }),
        networkKey: fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
        macAddress: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((u) => Buffer.from(u)),
        extra: fc.array(fc.record({ type: fc.constantFrom(0x1049, 0x101e, 0x1234), value: fc.uint8Array({ maxLength: 20 }).map((u) => Buffer.from(u)) }), { maxLength: 3 }),
      },
      { requiredKeys: ['networkIndex', 'ssid', 'authType', 'encrType', 'networkKey', 'macAddress', 'extra'] },
    );
    fc.assert(
      fc.property(arb, (c) => {
        expect(parseCredential(encodeCredential(c))).toEqual(c);
        expect(parseApSettings(encodeApSettings(c, 'enrollee'))).toEqual({ ...c, networkIndex: 1 });
      }),
    );
  });
});
