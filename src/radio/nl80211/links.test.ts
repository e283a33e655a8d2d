import { describe, expect, it } from 'vitest';
import { existingIfindex, interfaceIndex, linkInfoKind, masterOf } from './links.js';
import { IFNAME_MAX, wdsIfname } from './ap-driver.js';
import { virtualInterfaceAddress, VIF_ADDRESS_TRIES } from '../mac.js';

describe('links', () => {
  it('IFLA_LINKINFO names the kind in one IFLA_INFO_KIND attribute, NUL-terminated and padded to 4 octets', () => {
    // nla_len 11 (4 + "bridge\0"), nla_type 1, value, one octet of padding.
    expect(linkInfoKind('bridge').toString('hex')).toBe('0b000100' + Buffer.from('bridge\0').toString('hex') + '00');
  });

  it('interfaces by name through sysfs: lo exists and is in no bridge, a missing one is undefined or named in the error', () => {
    expect(existingIfindex('lo')).toBe(interfaceIndex('lo'));
    expect(existingIfindex('nosuch0')).toBeUndefined();
    expect(() => interfaceIndex('a-name-longer-than-15')).toThrow(/not an interface name/);
    expect(masterOf('lo')).toBeUndefined();
  });
});

describe('names and addresses hostapd gives', () => {
  it("a backhaul STA's AP/VLAN interface is <bss ifname>.sta<AID> (i802_set_wds_sta)", () => {
    expect(wdsIfname('wlan0_1', 1)).toBe('wlan0_1.sta1');
    expect(wdsIfname('wlan0', 2007)).toBe('wlan0.sta2007');
    expect(wdsIfname('wlan0', 2007).length).toBeLessThanOrEqual(IFNAME_MAX);
  });

  it("a created bss= interface without bssid= takes the first BSS's address, locally administered, stepping bits 2..7 of octet 0 past addresses in use (nl80211_vif_addr)", () => {
    const first = Buffer.from('020000000100', 'hex');
    expect(virtualInterfaceAddress(first, [first])?.toString('hex')).toBe('060000000100');
    const global = Buffer.from('00112233445a', 'hex');
    expect(virtualInterfaceAddress(global, [global])?.toString('hex')).toBe('02112233445a');
    const taken = Buffer.from('02112233445a', 'hex');
    expect(virtualInterfaceAddress(global, [global, taken])?.toString('hex')).toBe('06112233445a');
    const all = Array.from({ length: VIF_ADDRESS_TRIES }, (_, i) => {
      const b = Buffer.from(global);
      b[0] = 0x02 ^ (i << 2);
      return b;
    });
    expect(virtualInterfaceAddress(global, all)).toBeUndefined();
  });
});
