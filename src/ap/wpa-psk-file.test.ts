import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseWpaPskFile, WpaPskFile, WpaPskFileError, ANY_STATION } from './wpa-psk-file.js';
import { pmkFromPassphrase } from '../radio/wpa/crypto.js';

const HEX = 'ab'.repeat(32);
const SSID = Buffer.from('wpsd');

describe('wpa_psk_file', () => {
  it('reads hostapd\'s format: comments, keyid=/vlanid=/wps= tags, hex PSKs and passphrases', () => {
    const entries = parseWpaPskFile(
      ['# comment', '', `00:00:00:00:00:00 ${HEX}`, 'keyid=guest vlanid=7 02:00:00:00:00:01 a passphrase with spaces', `wps=1 02:00:00:00:00:02 ${HEX.toUpperCase()}`, '  '].join('\n'),
    );
    expect(entries).toEqual([
      { addr: ANY_STATION, psk: Buffer.from(HEX, 'hex'), wps: false },
      { addr: '02:00:00:00:00:01', passphrase: 'a passphrase with spaces', wps: false, keyid: 'guest', vlanid: 7 },
      { addr: '02:00:00:00:00:02', psk: Buffer.from(HEX, 'hex'), wps: true },
    ]);
  });

  it('refuses a bad line with its number and without echoing the secret', () => {
    const bad = (text: string, msg: RegExp): void => {
      try {
        parseWpaPskFile(text);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(WpaPskFileError);
        expect((e as Error).message).toMatch(msg);
        expect((e as Error).message).not.toContain('secret');
      }
    };
    bad('02:00:00:00:00:zz secretsecret', /Invalid MAC address on line 1/);
    bad(`\n02:00:00:00:00:01 short`, /Invalid PSK on line 2/);
    bad('02:00:00:00:00:01', /Invalid PSK on line 1/);
    bad('wps=2 02:00:00:00:00:01 secretsecret', /Invalid wps value on line 1/);
    bad(`02:00:00:00:00:01 ${'x'.repeat(64)}secret`, /Invalid PSK on line 1/);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          parseWpaPskFile(text);
        } catch (e) {
          expect(e).toBeInstanceOf(WpaPskFileError);
        }
      }),
    );
  });

  it('offers a station its own PSKs first, then those for any station; wps=1 entries are what WPS hands out; new per-device PSKs are appended as hostapd writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-pskf-'));
    try {
      const path = join(dir, 'psk');
      writeFileSync(path, `00:00:00:00:00:00 ${HEX}\nkeyid=one 02:00:00:00:00:01 station one pass\n`);
      const f = await WpaPskFile.load(path);
      expect(f.pmksFor('02:00:00:00:00:01', SSID)).toEqual([{ pmk: pmkFromPassphrase('station one pass', SSID), keyid: 'one' }, { pmk: Buffer.from(HEX, 'hex') }]);
      expect(f.pmksFor('02:00:00:00:00:09', SSID)).toEqual([{ pmk: Buffer.from(HEX, 'hex') }]);
      expect(f.wpsPskFor('02:00:00:00:00:02', SSID)).toBeUndefined();
      const psk = Buffer.alloc(32, 0x11);
      await f.addPerDevicePsk('02:00:00:00:00:02', psk);
      expect(readFileSync(path, 'utf8').split('\n').at(-2)).toBe(`wps=1 02:00:00:00:00:02 ${psk.toString('hex')}`);
      expect(f.pmksFor('02:00:00:00:00:02', SSID)[0]).toEqual({ pmk: psk });
      expect(f.wpsPskFor('02:00:00:00:00:02', SSID)).toEqual(psk);
      // The file read back gives the same entries.
      const again = await WpaPskFile.load(path);
      expect(again.wpsPskFor('02:00:00:00:00:02', SSID)).toEqual(psk);
      await expect(WpaPskFile.load(join(dir, 'missing'))).rejects.toThrow(/cannot read wpa_psk_file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
