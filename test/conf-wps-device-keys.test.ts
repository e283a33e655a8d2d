import { describe, expect, it } from 'vitest';
import { ConfigFileError } from '../src/conf/diagnostic.js';
import { parseHostapdConfig } from '../src/ap/config.js';
import { wpsDeviceKeyParsers, type WpsDeviceSettings } from '../src/conf/wps-device.js';
import { parseWpaSupplicantConfig } from '../src/sta/config.js';

const DEVICE_LINES = [
  'uuid=12345678-9abc-def0-1234-56789abcdef0',
  'device_name=Wireless AP',
  'manufacturer=Company',
  'model_name=WAP',
  'model_number=123',
  'serial_number=12345',
  'device_type=6-0050F204-1',
  'os_version=01020304',
  'config_methods=label display push_button keypad',
];

function pick(c: WpsDeviceSettings): WpsDeviceSettings {
  const { uuid, deviceName, manufacturer, modelName, modelNumber, serialNumber, deviceType, osVersion, configMethods } = c;
  return { uuid, deviceName, manufacturer, modelName, modelNumber, serialNumber, deviceType, osVersion, configMethods };
}

function errorsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigFileError) return e.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    throw e;
  }
  return [];
}

describe('WPS device keys shared by hostapd.conf and wpa_supplicant.conf', () => {
  it('reads the same device settings from both files', () => {
    const ap = parseHostapdConfig(['interface=wlan0', 'ssid=x', ...DEVICE_LINES].join('\n') + '\n', '/h.conf').config.bss[0];
    const sta = parseWpaSupplicantConfig(DEVICE_LINES.join('\n') + '\n', '/w.conf').config;
    expect(ap).toBeDefined();
    expect(pick(ap as WpsDeviceSettings)).toEqual(pick(sta));
    expect(sta.deviceType?.toString('hex')).toBe('00060050f2040001');
    expect(sta.osVersion?.toString('hex')).toBe('01020304');
  });

  it("refuses bad values with each daemon's wording for an over-long name", () => {
    const long = 'device_name=' + 'n'.repeat(33);
    expect(errorsOf(() => parseHostapdConfig(`interface=wlan0\nssid=x\n${long}\ndevice_type=6-0050F204\n`, '/h.conf'))).toEqual([
      'invalid device_name (too long: 33 bytes, at most 32)',
      "invalid device_type '6-0050F204' (must be <category>-<OUI>-<subcategory>, e.g. 6-0050F204-1)",
    ]);
    expect(errorsOf(() => parseWpaSupplicantConfig(`${long}\ndevice_type=6-0050F204\n`, '/w.conf'))).toEqual([
      'too long device_name (len=33 max_len=32)',
      "invalid device_type '6-0050F204' (must be <category>-<OUI>-<subcategory>, e.g. 1-0050F204-1)",
    ]);
  });

  it('changes nothing when a value is refused', () => {
    const parsers = wpsDeviceKeyParsers({ deviceTypeExample: '1-0050F204-1', tooLong: () => 'too long' });
    const into: WpsDeviceSettings = { deviceName: 'kept' };
    expect(parsers.device_name(into, 'x'.repeat(40))).toBe('too long');
    expect(parsers.uuid(into, 'not-a-uuid')).toMatch(/^invalid uuid/);
    expect(parsers.config_methods(into, 'keypad nonsense')).toBe("invalid config_methods: unknown method 'nonsense'");
    expect(into).toEqual({ deviceName: 'kept' });
  });
});
