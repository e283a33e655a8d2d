import { describe, expect, it } from 'vitest';
import { ErrorIndication } from '../wps/events.js';
import { AuthType, EncrType } from '../wps/values.js';
import { failLine, newApSettingsLine, wpsEventLine } from './events.js';

describe('hostapd event lines', () => {
  it('WPS-FAIL shows the reason only for a non-zero Error Indication', () => {
    expect(failLine(11, 0, ErrorIndication.NoError)).toBe('WPS-FAIL msg=11 config_error=0');
    expect(failLine(8, 18, ErrorIndication.AuthFailure)).toBe('WPS-FAIL msg=8 config_error=18 reason=3 (Authentication Failure)');
  });

  it('WPS-NEW-AP-SETTINGS is bare (with its trailing space) unless wps_cred_processing asks for the Credential hex', () => {
    const cred = { networkIndex: 1, ssid: Buffer.from('new-ssid'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('newpassphrase1'), macAddress: Buffer.from('020000000100', 'hex'), extra: [] };
    expect(newApSettingsLine(cred, 0)).toBe('WPS-NEW-AP-SETTINGS ');
    const line = newApSettingsLine(cred, 1);
    // A Credential attribute (0x100e) wrapping Network Index, SSID, Auth, Encr, Key, MAC.
    expect(line).toBe(
      'WPS-NEW-AP-SETTINGS 100e0039' + '102600010110450008' + Buffer.from('new-ssid').toString('hex') + '100300020020100f00020008' +
        '1027000e' + Buffer.from('newpassphrase1').toString('hex') + '10200006020000000100',
    );
    expect(newApSettingsLine(cred, 2)).toBe(line);
  });

  it('WPS-SUCCESS and WPS-REG-SUCCESS keep hostapd spelling', () => {
    expect(wpsEventLine({ type: 'success', peerMac: Buffer.alloc(6) }, { credProcessing: 0 })).toBe('WPS-SUCCESS ');
    expect(
      wpsEventLine({ type: 'reg-success', macAddress: Buffer.from('020000000300', 'hex'), uuid: Buffer.from('12345678123412341234123456789abc', 'hex'), password: 'pin' }, { credProcessing: 0 }),
    ).toBe('WPS-REG-SUCCESS 02:00:00:00:03:00 12345678-1234-1234-1234-123456789abc');
    expect(wpsEventLine({ type: 'ap-pin-success', peerMac: Buffer.alloc(6) }, { credProcessing: 0 })).toBeUndefined();
  });
});
