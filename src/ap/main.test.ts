import { describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../common/log.js';
import { parseHostapdConfig } from './config.js';
import { ApStartError, ownAddress, startAp } from './main.js';
import { uuidFromMac } from './uuid-from-mac.js';

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
});
