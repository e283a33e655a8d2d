import { describe, expect, it } from 'vitest';
import { Cipher } from '../conf/values.js';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import { WPA_PROTO_RSN, WPA_PROTO_WPA } from './config-network.js';
import { networkFromCredential } from './cred-network.js';
import { duplicateNetworks } from './wps-dup-network.js';

const cred = (o: Partial<Credential> = {}): Credential => ({
  networkIndex: 1,
  ssid: Buffer.from('home'),
  authType: AuthType.Wpa2Psk,
  encrType: EncrType.Aes,
  networkKey: Buffer.from('passphrase-1'),
  macAddress: Buffer.alloc(6),
  extra: [],
  ...o,
});

describe('a WPS network replaces its duplicates (wpas_wps_remove_dup_network)', () => {
  it('replaces an older block for the same SSID and security, whatever its key', () => {
    const old = networkFromCredential(cred({ networkKey: Buffer.from('old passphrase') }), 0);
    const fresh = networkFromCredential(cred(), 1);
    expect(duplicateNetworks([old, fresh], fresh, new Set())).toEqual([0]);
  });

  it('keeps blocks for another SSID, another security, or a fixed BSSID', () => {
    const fresh = networkFromCredential(cred(), 9);
    const otherSsid = networkFromCredential(cred({ ssid: Buffer.from('work') }), 1);
    const open = networkFromCredential(cred({ authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0) }), 2);
    const wpa = networkFromCredential(cred({ authType: AuthType.WpaPsk, encrType: EncrType.Tkip }), 3);
    const pinned = { ...networkFromCredential(cred(), 4), bssid: Buffer.from('020000000a00', 'hex') };
    const noSsid = { ...networkFromCredential(cred(), 5), ssid: Buffer.alloc(0) };
    expect(duplicateNetworks([otherSsid, open, wpa, pinned, noSsid, fresh], fresh, new Set())).toEqual([]);
  });

  it('merges the WPA and WPA2 credentials of one M8 with the same key into the newer block', () => {
    const first = networkFromCredential(cred({ authType: AuthType.WpaPsk, encrType: EncrType.Tkip }), 0);
    const second = networkFromCredential(cred(), 1);
    // networkFromCredential gives WPA-PSK the proto WPA|RSN; make the first one differ as a WPA-only block would.
    first.proto = WPA_PROTO_WPA;
    expect(duplicateNetworks([first, second], second, new Set([0]))).toEqual([0]);
    expect(second.proto).toBe(WPA_PROTO_WPA | WPA_PROTO_RSN);
    expect(second.pairwise).toBe(Cipher.CCMP | Cipher.TKIP);
    const otherKey = networkFromCredential(cred({ authType: AuthType.WpaPsk, encrType: EncrType.Tkip, networkKey: Buffer.from('another key') }), 2);
    const third = networkFromCredential(cred(), 3);
    expect(duplicateNetworks([otherKey, third], third, new Set([2]))).toEqual([]);
  });
});
