import { describe, expect, it } from 'vitest';
import { openStationDriver } from '../open-driver.js';
import { NL80211_UNAVAILABLE_MESSAGE } from './driver.js';
import { connectCryptoAttrs } from './station-driver.js';
import { RsnAkm, RsnCipher, rsnElement, wpa2PersonalRsn } from '../rsn-ie.js';
import { interfaceIndex } from './connection.js';
import { errnoName, nl80211Failure } from './errors.js';

describe('nl80211 station driver pieces that need no cfg80211', () => {
  it('on a kernel without cfg80211, -D nl80211 fails with the clear message', async () => {
    await expect(openStationDriver({ driver: 'nl80211', ifname: 'wlan0', address: '02:00:00:00:01:00', channel: 1 })).rejects.toMatchObject({
      code: 'NOT_AVAILABLE',
      message: NL80211_UNAVAILABLE_MESSAGE,
    });
  });

  it('CONNECT crypto from the RSN element: WPA2, CCMP, PSK, controlled port; none for a WPS (open) association', () => {
    expect(connectCryptoAttrs([rsnElement(wpa2PersonalRsn())], 'wlan0')).toEqual({
      privacy: true,
      wpaVersions: 2,
      cipherSuitesPairwise: RsnCipher.CCMP_128,
      cipherSuiteGroup: RsnCipher.CCMP_128,
      akmSuites: RsnAkm.PSK,
      controlPort: true,
    });
    expect(connectCryptoAttrs([{ id: 221, data: Uint8Array.of(0, 0x50, 0xf2, 4) }], 'wlan0')).toEqual({});
    expect(() => connectCryptoAttrs([{ id: 48, data: Uint8Array.of(1) }], 'wlan0')).toThrow(/wlan0: the RSN element to connect with is malformed/);
  });

  it('a missing interface is named; the loopback has an index', () => {
    expect(() => interfaceIndex('nosuch0')).toThrow('nosuch0: no such interface');
    expect(() => interfaceIndex('../x')).toThrow(/not an interface name/);
    expect(interfaceIndex('lo')).toBe(1);
  });

  it("the kernel's refusals become DriverErrors naming the interface", () => {
    expect(errnoName(new Error('Request rejected: EBUSY'))).toBe('EBUSY');
    expect(nl80211Failure('wlan1', 'starting a scan', new Error('Request rejected: EBUSY'))).toMatchObject({ code: 'BUSY', message: 'wlan1: starting a scan failed: EBUSY' });
    expect(nl80211Failure('wlan1', 'connecting', new Error('Request rejected: EINVAL'))).toMatchObject({ code: 'BAD_CONFIG' });
    expect(nl80211Failure('wlan1', 'x', new Error('Timeout has been reached'))).toMatchObject({ code: 'LINK_DOWN', message: 'wlan1: x failed: Timeout has been reached' });
  });
});
