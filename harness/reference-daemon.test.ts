import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostapdConf } from './hostapd.js';
import { confText, withDefaults } from './reference-daemon.js';
import { erConf } from './wpa-supplicant.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8');

describe('reference daemon config files', () => {
  it('writes the hostapd.conf and er.conf the reference fixtures were recorded with', () => {
    expect(hostapdConf({ ifname: 'wp0', ctrlDir: '/var/run/hostapd' })).toBe(fixture('hostapd.conf'));
    expect(erConf({ ctrlDir: '/var/run/wpa_supplicant' })).toBe(fixture('er.conf'));
  });

  it('lays set options over the reference values, ignores undefined ones, and appends extra lines last', () => {
    expect(withDefaults({ a: 'x', b: 'y' }, { a: 'z', b: undefined, c: 1 })).toEqual({ a: 'z', b: 'y', c: 1 });
    expect(confText([['ssid', 'n']], { ap_setup_locked: '1' })).toBe('ssid=n\nap_setup_locked=1\n');
    const conf = hostapdConf({ ifname: 'wp1', ctrlDir: '/c', ssid: 'other', uuid: undefined, extra: { wps_state: '1' } });
    expect(conf).toMatch(/^ssid=other$/m);
    expect(conf).toMatch(/^uuid=12345678-9abc-def0-1234-56789abcdef0$/m);
    expect(conf.endsWith('wps_state=1\n')).toBe(true);
  });
});
