import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthType, EncrType } from '../wps/values.js';
import { parseWpsConfigArgs } from './ctrl-commands.js';

const hex = (s: string) => Buffer.from(s).toString('hex');

describe('WPS_CONFIG arguments', () => {
  it('takes hex SSID and key and the hostapd names; WPAPSK and TKIP are FAIL, as in a CONFIG_NO_TKIP hostapd', () => {
    const c = parseWpsConfigArgs([hex('net'), 'WPA2PSK', 'CCMP', hex('passphrase')]);
    expect(c?.ssid.toString()).toBe('net');
    expect(c?.authType).toBe(AuthType.Wpa2Psk);
    expect(c?.encrType).toBe(EncrType.Aes);
    expect(c?.networkKey.toString()).toBe('passphrase');
    expect(parseWpsConfigArgs([hex('net'), 'WPAPSK', 'CCMP', hex('passphrase')])).toBeUndefined();
    expect(parseWpsConfigArgs([hex('net'), 'WPA2PSK', 'TKIP', hex('passphrase')])).toBeUndefined();
    const open = parseWpsConfigArgs([hex('open'), 'OPEN']);
    expect(open).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None });
    expect(open?.networkKey.length).toBe(0);
    expect(parseWpsConfigArgs([hex('n'), 'WPA2PSK', 'CCMP', hex('12345678')])).toMatchObject({ authType: AuthType.Wpa2Psk, encrType: EncrType.Aes });
  });

  it('refuses odd or non-hex strings, long SSIDs and keys, unknown auth and encryption', () => {
    for (const bad of [['abc', 'OPEN'], ['zz', 'OPEN'], [hex('x'.repeat(33)), 'OPEN'], [hex('n'), 'WEP'], [hex('n'), 'WPA2PSK', 'WEP104'], [hex('n'), 'WPA2PSK', 'CCMP', hex('k'.repeat(65))], [hex('n')]]) {
      expect(parseWpsConfigArgs(bad)).toBeUndefined();
    }
  });

  it('never throws, whatever the arguments', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 6 }), (args) => {
        const c = parseWpsConfigArgs(args);
        if (c !== undefined) {
          expect(c.ssid.length).toBeLessThanOrEqual(32);
          expect(c.networkKey.length).toBeLessThanOrEqual(64);
        }
      }),
    );
  });
});
