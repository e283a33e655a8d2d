import { describe, expect, it } from 'vitest';
import { sha1 } from '@noble/hashes/legacy.js';
import { uuidFromMac, WPS_UUID_MAC_NAMESPACE, WscDeviceError } from '../wps/device.js';

import { assignWpsUuids } from './bss-wps-uuids.js';
import { formatUuid } from '../wps/device.js';

describe('UUID derived from the MAC address', () => {
  it('matches what Debian hostapd 2.10 logs for 02:11:22:33:44:55 ("WPS: UUID based on MAC address")', () => {
    // Recorded from `hostapd -dd` (driver=wired, no uuid= line, interface MAC 02:11:22:33:44:55).
    expect(uuidFromMac(Buffer.from('021122334455', 'hex')).toString('hex')).toBe('3a044d6b14a155e7ac066ab9a0b03b0d');
  });

  it('agrees with an independent SHA-1 (noble) over name space || MAC with version 5 and RFC 4122 variant', () => {
    const mac = Uint8Array.from([0x00, 0x11, 0x22, 0x33, 0x44, 0x55]);
    const h = sha1(new Uint8Array([...WPS_UUID_MAC_NAMESPACE, ...mac])).slice(0, 16);
    h[6] = 0x50 | ((h[6] ?? 0) & 0x0f);
    h[8] = 0x80 | ((h[8] ?? 0) & 0x3f);
    const u = uuidFromMac(mac);
    expect(u.toString('hex')).toBe(Buffer.from(h).toString('hex'));
    expect(formatUuid(u)[14]).toBe('5');
  });

  it('refuses a MAC that is not 6 bytes', () => {
    expect(() => uuidFromMac(new Uint8Array(5))).toThrow(WscDeviceError);
  });

  it('clones the first earlier WPS BSS UUID unless wps_independent, as hostapd_init_wps', () => {
    const a = Buffer.from('020000000001', 'hex');
    const b = Buffer.from('020000000002', 'hex');
    const c = Buffer.from('020000000003', 'hex');
    const configured = Buffer.alloc(16, 0x11);
    const r = assignWpsUuids([
      { wpsEnabled: true, wpsIndependent: false, ownAddr: a },
      { wpsEnabled: true, wpsIndependent: false, ownAddr: b },
      { wpsEnabled: true, wpsIndependent: true, ownAddr: c },
      { wpsEnabled: false, wpsIndependent: false, ownAddr: c },
      { wpsEnabled: true, wpsIndependent: false, ownAddr: c, uuid: configured },
    ]);
    expect(r[0]?.equals(uuidFromMac(a))).toBe(true);
    expect(r[1]?.equals(uuidFromMac(a))).toBe(true);
    expect(r[2]?.equals(uuidFromMac(c))).toBe(true);
    expect(r[3]).toBeUndefined();
    expect(r[4]?.equals(configured)).toBe(true);
  });
});

describe('hostapdWpsUuids', () => {
  it('derives from each BSS own address, keeps a configured uuid= and skips BSSes without WPS', async () => {
    const { parseHostapdConfig } = await import('./config.js');
    const { hostapdWpsUuids } = await import('./bss-wps-uuids.js');
    const { config } = parseHostapdConfig(
      'interface=w0\nssid=a\nwps_state=2\nwps_independent=1\nbss=w1\nssid=b\nwps_state=2\nwps_independent=1\nbss=w2\nssid=c\nbss=w3\nssid=d\nwps_state=1\nuuid=12345678-9abc-def0-1234-56789abcdef0\n',
      'h.conf',
    );
    const macs = [1, 2, 3, 4].map((i) => Buffer.from([2, 0, 0, 0, 0, i]));
    const r = hostapdWpsUuids(config, macs);
    expect(r[0]?.equals(uuidFromMac(Buffer.from('020000000001', 'hex')))).toBe(true);
    expect(r[1]?.equals(uuidFromMac(Buffer.from('020000000002', 'hex')))).toBe(true);
    expect(r[2]).toBeUndefined();
    expect(r[3] && formatUuid(r[3])).toBe('12345678-9abc-def0-1234-56789abcdef0');
  });
});
