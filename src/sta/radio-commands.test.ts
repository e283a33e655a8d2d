import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeType, parseAttributes } from '../wps/attributes.js';
import { parseCredential, type Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import { parseNewApSettings, parseWpsPbcArgs } from './radio-commands.js';
import { credentialAttributeHex, singleTypeCredential } from './radio-station.js';
import { connectedLine, credReceivedLine, disconnectedLine, m2dLine } from './radio-events.js';

const AP = '02:00:00:00:0a:00';
const hex = (s: string): string => Buffer.from(s).toString('hex');

describe('WPS_PBC arguments (wpa_supplicant 2.10)', () => {
  it('reads any / BSSID and multi_ap=N alone or after the first word, N as atoi', () => {
    expect(parseWpsPbcArgs([])).toEqual({ multiAp: false });
    expect(parseWpsPbcArgs(['any'])).toEqual({ multiAp: false });
    expect(parseWpsPbcArgs(['multi_ap=1'])).toEqual({ multiAp: true });
    expect(parseWpsPbcArgs(['multi_ap=0'])).toEqual({ multiAp: false });
    expect(parseWpsPbcArgs(['multi_ap=x'])).toEqual({ multiAp: false });
    expect(parseWpsPbcArgs(['any', 'multi_ap=1'])).toEqual({ multiAp: true });
    expect(parseWpsPbcArgs([AP.toUpperCase(), 'multi_ap=2'])).toEqual({ bssid: AP, multiAp: true });
    expect(parseWpsPbcArgs([AP, 'other'])).toEqual({ bssid: AP, multiAp: false });
    expect(parseWpsPbcArgs(['02:00:00:00:0a'])).toBeUndefined();
  });
});

describe('WPS_REG new AP settings', () => {
  it('takes hex SSID and key with OPEN/WPAPSK/WPA2PSK and NONE/TKIP/CCMP', () => {
    const c = parseNewApSettings(AP, hex('new-net'), 'WPA2PSK', 'CCMP', hex('passphrase'));
    expect(c).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes });
    expect(c?.ssid.toString()).toBe('new-net');
    expect(c?.networkKey.toString()).toBe('passphrase');
    expect(c?.macAddress.toString('hex')).toBe('020000000a00');
    expect(parseNewApSettings(AP, hex('open'), 'OPEN', 'NONE', '')).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None });
    expect(parseNewApSettings(AP, hex('wpa'), 'WPAPSK', 'TKIP', hex('12345678'))).toMatchObject({ authType: AuthType.WpaPsk, encrType: EncrType.Tkip });
  });

  it('refuses odd or non-hex text, unknown names, mismatched types and short or long keys', () => {
    const cases: [string, string, string, string][] = [
      [hex('x'), 'WPA2PSK', 'CCMP', 'abc'],
      ['zz', 'WPA2PSK', 'CCMP', hex('passphrase')],
      ['', 'WPA2PSK', 'CCMP', hex('passphrase')],
      [hex('a'.repeat(33)), 'WPA2PSK', 'CCMP', hex('passphrase')],
      [hex('x'), 'WPA2', 'CCMP', hex('passphrase')],
      [hex('x'), 'WPA2PSK', 'AES', hex('passphrase')],
      [hex('x'), 'WPA2PSK', 'NONE', hex('passphrase')],
      [hex('x'), 'WPA2PSK', 'CCMP', hex('short')],
      [hex('x'), 'WPA2PSK', 'CCMP', hex('k'.repeat(65))],
      [hex('x'), 'OPEN', 'NONE', hex('passphrase')],
      [hex('x'), 'OPEN', 'CCMP', ''],
    ];
    for (const [ssid, auth, encr, key] of cases) {
      expect(parseNewApSettings(AP, ssid, auth, encr, key), `${ssid} ${auth} ${encr} ${key}`).toBeUndefined();
    }
  });

  it('never throws on arbitrary words', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), fc.string({ maxLength: 140 }), (s, a, e, k) => {
        const c = parseNewApSettings(AP, s, a, e, k);
        if (c !== undefined) expect(c.ssid.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('credentials a station Registrar passes on', () => {
  const cred: Credential = { networkIndex: 1, ssid: Buffer.from('ap'), authType: AuthType.WpaPsk | AuthType.Wpa2Psk, encrType: EncrType.Tkip | EncrType.Aes, networkKey: Buffer.from('12345678'), macAddress: Buffer.alloc(6, 1), extra: [] };

  it('keep one authentication and encryption type, the strongest (wps_sta_cred_cb)', () => {
    expect(singleTypeCredential(cred)).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes });
    expect(singleTypeCredential({ ...cred, authType: AuthType.WpaPsk, encrType: EncrType.Tkip })).toMatchObject({ authType: AuthType.WpaPsk, encrType: EncrType.Tkip });
    expect(singleTypeCredential({ ...cred, authType: AuthType.Open, encrType: EncrType.None })).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None });
  });

  it('are shown in WPS-CRED-RECEIVED as one Credential attribute in hex', () => {
    const attrs = parseAttributes(Buffer.from(credentialAttributeHex(singleTypeCredential(cred)), 'hex'));
    expect(attrs.map((a) => a.type)).toEqual([AttributeType.Credential]);
    const back = parseCredential(attrs[0]?.value ?? Buffer.alloc(0));
    expect(back.ssid.toString()).toBe('ap');
    expect(back.networkKey.toString()).toBe('12345678');
  });
});

describe('station event lines', () => {
  it('are spelled as wpa_supplicant sends them', () => {
    expect(credReceivedLine()).toBe('WPS-CRED-RECEIVED ');
    expect(credReceivedLine('100e00')).toBe('WPS-CRED-RECEIVED 100e00');
    expect(m2dLine(0, 12)).toBe('WPS-M2D dev_password_id=0 config_error=12');
    expect(connectedLine(AP, 3)).toBe(`CTRL-EVENT-CONNECTED - Connection to ${AP} completed [id=3 id_str=]`);
    expect(disconnectedLine(AP, 3, true)).toBe(`CTRL-EVENT-DISCONNECTED bssid=${AP} reason=3 locally_generated=1`);
    expect(disconnectedLine(AP, 15, false)).toBe(`CTRL-EVENT-DISCONNECTED bssid=${AP} reason=15`);
  });
});
