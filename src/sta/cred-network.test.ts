import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cipher, KeyMgmt } from '../conf/values.js';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import { networkFieldLines } from './config-network.js';
import { CredentialNetworkError, credentialFromNetwork, networkFromCredential } from './cred-network.js';
import { configMethodsBits, fixConfigMethods } from './wps-device-config.js';
import { ConfigMethods } from '../wps/values.js';

const cred = (o: Partial<Credential>): Credential => ({
  networkIndex: 1,
  ssid: Buffer.from('new-ssid'),
  authType: AuthType.Wpa2Psk,
  encrType: EncrType.Aes,
  networkKey: Buffer.from('newpassphrase1'),
  macAddress: Buffer.alloc(6),
  extra: [],
  ...o,
});

describe('credentials and network blocks', () => {
  it('a WPA2-PSK/AES credential becomes ssid + psk + proto RSN + CCMP, written as wpa_supplicant does', () => {
    const net = networkFromCredential(cred({}), 3);
    expect(net.id).toBe(3);
    expect(net.keyMgmt).toBe(KeyMgmt.PSK);
    expect(net.pairwise).toBe(Cipher.CCMP);
    expect(networkFieldLines(net)).toEqual(expect.arrayContaining(['ssid="new-ssid"', 'psk="newpassphrase1"', 'proto=RSN', 'key_mgmt=WPA-PSK', 'pairwise=CCMP', 'auth_alg=OPEN']));
  });

  it('open, mixed-mode and 64-hex keys; unsupported auth and bad keys refused', () => {
    expect(networkFromCredential(cred({ authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0) }), 0).keyMgmt).toBe(KeyMgmt.NONE);
    expect(networkFromCredential(cred({ authType: AuthType.WpaPsk | AuthType.Wpa2Psk }), 0).proto).toBe(2);
    expect(networkFromCredential(cred({ networkKey: Buffer.from('ab'.repeat(32)) }), 0).psk?.length).toBe(32);
    expect(() => networkFromCredential(cred({ authType: AuthType.Wpa2 }), 0)).toThrow(CredentialNetworkError);
    expect(() => networkFromCredential(cred({ networkKey: Buffer.from('short') }), 0)).toThrow(CredentialNetworkError);
  });

  it('credential -> network -> credential keeps SSID and passphrase; WPA/TKIP come back as WPA2/AES (both are allowed in the block)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 32 }),
        fc.constantFrom(AuthType.WpaPsk, AuthType.Wpa2Psk),
        fc.constantFrom(EncrType.Tkip, EncrType.Aes),
        fc.stringMatching(/^[ -~]{8,63}$/),
        (ssid, authType, encrType, pass) => {
          const c = cred({ ssid: Buffer.from(ssid), authType, encrType, networkKey: Buffer.from(pass) });
          const back = credentialFromNetwork(networkFromCredential(c, 0));
          expect(back?.ssid.equals(Buffer.from(ssid))).toBe(true);
          expect(back?.authType).toBe(AuthType.Wpa2Psk);
          expect(back?.encrType).toBe(EncrType.Aes);
          expect(back?.networkKey.toString()).toBe(pass);
        },
      ),
    );
  });

  it('config_methods text to bits as wps_config_methods_str2bin, quotes included; WSC 2.0 fix-up', () => {
    expect(configMethodsBits('"keypad"')).toBe(ConfigMethods.Keypad);
    expect(configMethodsBits('label display push_button keypad')).toBe(ConfigMethods.Label | ConfigMethods.Display | ConfigMethods.PushButton | ConfigMethods.Keypad);
    expect(fixConfigMethods(ConfigMethods.Display | ConfigMethods.PushButton)).toBe(ConfigMethods.VirtualDisplay | ConfigMethods.VirtualPushButton);
    expect(fixConfigMethods(ConfigMethods.PhysicalPushButton)).toBe(ConfigMethods.PhysicalPushButton);
  });
});
