import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthType, EncrType } from '../wps/values.js';
import { autoConfigSettings, credentialForEnrollee, randomPassphrase, unconfiguredApSecurity } from './enrollee-credential.js';

const STA = Buffer.from('020000000b01', 'hex');
const own = (authTypes: number, encrTypes: number) => ({ ssid: Buffer.from('net'), authTypes, encrTypes, networkKey: Buffer.from('passphrase') });
const ALL_AUTH = AuthType.Open | AuthType.WpaPsk | AuthType.Wpa2Psk;
const ALL_ENCR = EncrType.None | EncrType.Tkip | EncrType.Aes;

describe('the Credential the internal Registrar hands out', () => {
  it('picks WPA2-PSK with AES on a mixed WPA/WPA2 AP for a station that can do both', () => {
    const c = credentialForEnrollee(own(AuthType.WpaPsk | AuthType.Wpa2Psk, EncrType.Tkip | EncrType.Aes), { authTypeFlags: ALL_AUTH, encrTypeFlags: ALL_ENCR, macAddress: STA });
    expect(c).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('passphrase'), macAddress: STA });
  });

  it('never falls back to WPA-PSK or TKIP (CONFIG_NO_TKIP wps_build_cred); open without a key for an open AP', () => {
    expect(credentialForEnrollee(own(AuthType.WpaPsk | AuthType.Wpa2Psk, EncrType.Tkip | EncrType.Aes), { authTypeFlags: AuthType.WpaPsk, encrTypeFlags: EncrType.Tkip, macAddress: STA })).toBeUndefined();
    expect(credentialForEnrollee(own(AuthType.WpaPsk | AuthType.Wpa2Psk, EncrType.Tkip | EncrType.Aes), { authTypeFlags: AuthType.Wpa2Psk, encrTypeFlags: EncrType.Tkip, macAddress: STA })).toBeUndefined();
    expect(credentialForEnrollee(own(AuthType.Open | AuthType.WpaPsk, EncrType.None | EncrType.Tkip), { authTypeFlags: ALL_AUTH, encrTypeFlags: ALL_ENCR, macAddress: STA })).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None });
    const open = credentialForEnrollee(own(AuthType.Open, EncrType.None), { authTypeFlags: ALL_AUTH, encrTypeFlags: ALL_ENCR, macAddress: STA });
    expect(open).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None });
    expect(open?.networkKey.length).toBe(0);
  });

  it('gives nothing when there is no security in common', () => {
    expect(credentialForEnrollee(own(AuthType.Wpa2Psk, EncrType.Aes), { authTypeFlags: AuthType.Open, encrTypeFlags: EncrType.None, macAddress: STA })).toBeUndefined();
    expect(credentialForEnrollee(own(AuthType.Wpa2Psk, EncrType.Aes), { authTypeFlags: AuthType.Wpa2Psk, encrTypeFlags: EncrType.Tkip, macAddress: STA })).toBeUndefined();
  });

  it('only ever hands out one auth and one encryption type that both sides have', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (oa, oe, ea, ee) => {
        const c = credentialForEnrollee(own(oa, oe), { authTypeFlags: ea, encrTypeFlags: ee, macAddress: STA });
        if (c === undefined) return;
        expect([AuthType.Open, AuthType.Wpa2Psk]).toContain(c.authType);
        expect([EncrType.None, EncrType.Aes]).toContain(c.encrType);
        expect(c.authType & oa & ea).toBe(c.authType);
        expect(c.encrType & oe & ee).toBe(c.encrType);
      }),
    );
  });

  it("an unconfigured AP's passphrase is 16 random octets in base64 without padding; it offers and then takes WPA2-PSK/AES (CONFIG_NO_TKIP)", () => {
    expect(randomPassphrase(() => Buffer.alloc(16, 0xff))).toBe('/////////////////////w');
    expect(randomPassphrase()).toMatch(/^[A-Za-z0-9+/]{22}$/);
    expect(unconfiguredApSecurity()).toEqual({ authTypes: AuthType.Wpa2Psk, encrTypes: EncrType.Aes });
    const s = autoConfigSettings(Buffer.from('net'), 'abc', Buffer.alloc(6));
    expect(s).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('abc') });
  });
});
