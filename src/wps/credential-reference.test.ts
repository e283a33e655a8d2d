// AP Settings exactly as Debian hostapd 2.10 built them (M7, AP as Enrollee) and
// as wpa_supplicant 2.10's External Registrar sent them (M8), taken from the
// reference recording's hostapd -dd -K log (fixtures/reference/README.md).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AttributeType, encodeAttributes } from './attributes.js';
import { encodeApSettings, parseApSettings } from './credential.js';
import { AuthType, EncrType } from './values.js';

const log = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'reference', 'hostapd-config-ddK.log'), 'utf8');

/** The bytes of every "<label> - hexdump(len=N): .." line whose label matches, in log order. */
function dump(label: RegExp): Buffer[] {
  const out: Buffer[] = [];
  for (const line of log.split('\n')) {
    const m = /WPS: (.*?) - hexdump\(len=\d+\): ([0-9a-f ]*)$/.exec(line);
    if (m !== null && label.test(m[1] ?? '')) out.push(Buffer.from((m[2] ?? '').replace(/ /g, ''), 'hex'));
  }
  return out;
}

describe('AP Settings as hostapd and wpa_supplicant encode them', () => {
  it('hostapd\'s M7 plaintext AP Settings (SSID test-wps, WPA2PSK, AES, 12345678) re-encode byte for byte in the Enrollee form', () => {
    const [plain] = dump(/^Plaintext AP Settings$/);
    expect(plain).toBeDefined();
    const s = parseApSettings(plain ?? Buffer.alloc(0));
    expect(s.ssid.toString()).toBe('test-wps');
    expect(s.authType).toBe(AuthType.Wpa2Psk);
    expect(s.encrType).toBe(EncrType.Aes);
    expect(s.networkKey.toString()).toBe('12345678');
    expect(encodeApSettings(s, 'enrollee')).toEqual(plain);
  });

  it('wpa_supplicant\'s M8 AP Settings (new-ssid, newpassphrase1) re-encode byte for byte in the Registrar form', () => {
    // The decrypted settings end in the Key Wrap Authenticator and the AES padding.
    const m8 = dump(/^Decrypted Encrypted Settings$/).find((b) => b.readUInt16BE(0) === AttributeType.NetworkIndex);
    expect(m8).toBeDefined();
    const settings = m8 ?? Buffer.alloc(0);
    const pad = settings[settings.length - 1] ?? 0;
    const tlvs = settings.subarray(0, settings.length - pad);
    const s = parseApSettings(tlvs);
    expect(s).toMatchObject({ networkIndex: 1, authType: AuthType.Wpa2Psk, encrType: EncrType.Aes });
    expect(s.ssid.toString()).toBe('new-ssid');
    expect(s.networkKey.toString()).toBe('newpassphrase1');
    expect(s.extra.map((a) => a.type)).toEqual([AttributeType.KeyWrapAuthenticator]);
    expect(encodeApSettings(s)).toEqual(tlvs);
    const withoutKwa = { ...s, extra: [] };
    expect(Buffer.concat([encodeApSettings(withoutKwa), encodeAttributes(s.extra)])).toEqual(tlvs);
  });
});
