import { describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../common/log.js';
import { parseHostapdConfig } from './config.js';
import { ApStartError, ownAddress, startAp } from './main.js';
import { uuidFromMac } from '../wps/device.js';
import { randomLocalMac } from '../radio/mac.js';

const quiet = new Logger({ level: LogLevel.ERROR + 1, sink: () => undefined });

describe('wpsd ap start-up', () => {
  it('derives the WPS UUID from the BSSID when uuid= is not set, and bss= sections clone it as hostapd does', async () => {
    const text = 'driver=none\ninterface=ap0\nbssid=02:00:00:00:01:00\nwps_state=2\nssid=a\nbss=ap1\nbssid=02:00:00:00:01:01\nwps_state=2\nssid=b\n';
    const { config } = parseHostapdConfig(text, 'x.conf');
    const ap = await startAp(config, { logger: quiet });
    try {
      const mac = Buffer.from('020000000100', 'hex');
      expect(ap.bsses.map((b) => b.state.uuid?.toString('hex'))).toEqual([uuidFromMac(mac).toString('hex'), uuidFromMac(mac).toString('hex')]);
      expect(ap.bsses.map((b) => b.state.ssid.toString())).toEqual(['a', 'b']);
    } finally {
      await ap.stop();
    }
  });

  it('names the interface when its MAC address cannot be read', () => {
    expect(() => ownAddress('no-such-if0', undefined)).toThrow(ApStartError);
    expect(() => ownAddress('no-such-if0', undefined)).toThrow(/no-such-if0.*bssid=/);
    expect(ownAddress('whatever', Buffer.from('020000000100', 'hex')).toString('hex')).toBe('020000000100');
  });

  it('a sim radio without the interface makes up a locally administered unicast address instead of needing bssid=', () => {
    const mac = ownAddress('no-such-if0', undefined, () => randomLocalMac());
    expect(mac).toHaveLength(6);
    expect((mac[0] as number) & 0x03).toBe(0x02);
    expect(ownAddress('no-such-if0', Buffer.from('020000000100', 'hex'), () => randomLocalMac()).toString('hex')).toBe('020000000100');
  });
});

describe('WPS changes across bss= sections', () => {
  const text = (independent: string) =>
    'driver=none\ninterface=ap0\nbssid=02:00:00:00:01:00\nwps_state=2\nap_pin=12345670\nssid=a\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=passphrase\n' +
    `bss=ap1\nbssid=02:00:00:00:01:01\nwps_state=2\nssid=b\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=passphrase\n${independent}`;

  it('new settings reach every WPS BSS, as hostapd_wps_for_each, unless one is wps_independent', async () => {
    for (const [extra, expected] of [['', ['new', 'new']], ['wps_independent=1\n', ['new', 'b']]] as const) {
      const { config } = parseHostapdConfig(text(extra), '/nonexistent/x.conf');
      const ap = await startAp(config, { logger: quiet });
      try {
        const first = ap.bsses[0];
        const cred = { networkIndex: 1, ssid: Buffer.from('new'), authType: 0x20, encrType: 0x08, networkKey: Buffer.from('newpassphrase'), macAddress: Buffer.alloc(6), extra: [] };
        expect(first?.applyNewSettings(cred)).toBe(true);
        await first?.flushWrites();
        expect(ap.bsses.map((b) => b.state.ssid.toString())).toEqual(expected);
      } finally {
        await ap.stop();
      }
    }
  });
});
