import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeviceType, parseUuid } from '../wps/device.js';
import { AuthType, EncrType } from '../wps/values.js';
import { apAddLine, apRemoveLine, apSettingsLine, enrolleeAddLine, enrolleeRemoveLine, setSelRegLine, wpsFailLine } from './events.js';

const mac = (s: string): Buffer => Buffer.from(s.replace(/:/g, ''), 'hex');

describe('WPS-ER-* event lines', () => {
  it('WPS-ER-AP-ADD / -REMOVE as in the README-WPS seed', () => {
    const uuid = parseUuid('87654321-9abc-def0-1234-56789abc0002');
    expect(
      apAddLine({
        uuid,
        macAddress: mac('02:11:22:33:44:55'),
        primaryDeviceType: parseDeviceType('6-0050F204-1'),
        wpsState: 1,
        friendlyName: 'Very friendly name',
        manufacturer: 'Company',
        modelDescription: 'Long description of the model',
        modelName: 'WAP',
        manufacturerUrl: 'http://w1.fi/',
        modelUrl: 'http://w1.fi/hostapd/',
      }).text,
    ).toBe(
      'WPS-ER-AP-ADD 87654321-9abc-def0-1234-56789abc0002 02:11:22:33:44:55 pri_dev_type=6-0050F204-1 wps_state=1 |Very friendly name|Company|Long description of the model|WAP|http://w1.fi/|http://w1.fi/hostapd/|',
    );
    expect(apRemoveLine(uuid)).toEqual({ level: 3, text: 'WPS-ER-AP-REMOVE 87654321-9abc-def0-1234-56789abc0002' });
    // Missing description fields print empty, as wpa_supplicant's "" for NULL.
    expect(apAddLine({ uuid, macAddress: Buffer.alloc(6), primaryDeviceType: undefined, wpsState: 0 }).text).toBe(
      'WPS-ER-AP-ADD 87654321-9abc-def0-1234-56789abc0002 00:00:00:00:00:00 pri_dev_type= wps_state=0 |||||||',
    );
  });

  it('WPS-ER-ENROLLEE-ADD / -REMOVE as in the seed', () => {
    const e = {
      uuid: parseUuid('2b7093f1-d6fb-5108-adbb-bea66bb87333'),
      macAddress: mac('02:66:a0:ee:17:27'),
      m1Received: true,
      configMethods: 0x14d,
      devicePasswordId: 0,
      primaryDeviceType: parseDeviceType('1-0050F204-1'),
      deviceName: 'Wireless Client',
      manufacturer: 'Company',
      modelName: 'cmodel',
      modelNumber: '123',
      serialNumber: '12345',
    };
    expect(enrolleeAddLine(e).text).toBe(
      'WPS-ER-ENROLLEE-ADD 2b7093f1-d6fb-5108-adbb-bea66bb87333 02:66:a0:ee:17:27 M1=1 config_methods=0x14d dev_passwd_id=0 pri_dev_type=1-0050F204-1 |Wireless Client|Company|cmodel|123|12345|',
    );
    expect(enrolleeRemoveLine(e).text).toBe('WPS-ER-ENROLLEE-REMOVE 2b7093f1-d6fb-5108-adbb-bea66bb87333 02:66:a0:ee:17:27');
  });

  it('WPS-ER-AP-SETTINGS shows a WPA key of 8..64 bytes only, and the SSID printf-escaped', () => {
    const uuid = parseUuid('fd91b4ec-e3fa-5891-a57d-8c59efeed1d2');
    const cred = { ssid: Buffer.from('test-wps'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('12345678') };
    expect(apSettingsLine(uuid, cred).text).toBe('WPS-ER-AP-SETTINGS uuid=fd91b4ec-e3fa-5891-a57d-8c59efeed1d2 ssid=test-wps auth_type=0x0020 encr_type=0x0008 key=12345678');
    expect(apSettingsLine(uuid, { ...cred, authType: AuthType.Open, encrType: EncrType.None }).text).toMatch(/auth_type=0x0001 encr_type=0x0001 key=$/);
    expect(apSettingsLine(uuid, { ...cred, networkKey: Buffer.from('short') }).text).toMatch(/ key=$/);
    expect(apSettingsLine(uuid, { ...cred, ssid: Buffer.from('a"b\n\x01') }).text).toContain('ssid=a\\"b\\n\\x01 ');
  });

  it('WPS-FAIL with and without an error indication; SET-SEL-REG states at their levels', () => {
    expect(wpsFailLine({ msg: 11, configError: 0, errorIndication: 0 }).text).toBe('WPS-FAIL msg=11 config_error=0');
    expect(wpsFailLine({ msg: 8, configError: 18, errorIndication: 3 }).text).toBe('WPS-FAIL msg=8 config_error=18 reason=3 (Authentication Failure)');
    const u = parseUuid('12345678-9abc-def0-1234-56789abcdef0');
    expect(setSelRegLine(u, { state: 'START', selReg: true, devicePasswordId: 4, selRegConfigMethods: 0x680 })).toEqual({
      level: 2,
      text: 'WPS-ER-AP-SET-SEL-REG uuid=12345678-9abc-def0-1234-56789abcdef0 state=START sel_reg=1 dev_passwd_id=4 sel_reg_config_methods=0x680',
    });
    expect(setSelRegLine(u, { state: 'DONE' }).level).toBe(2);
    expect(setSelRegLine(u, { state: 'FAILED' })).toEqual({ level: 3, text: 'WPS-ER-AP-SET-SEL-REG uuid=12345678-9abc-def0-1234-56789abcdef0 state=FAILED' });
  });

  it('text from the network never puts a control character or line break into a line', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (s, bytes) => {
        const uuid = Buffer.alloc(16);
        const lines = [
          apAddLine({ uuid, macAddress: Buffer.alloc(6), primaryDeviceType: undefined, wpsState: 2, friendlyName: s, modelUrl: s }).text,
          enrolleeAddLine({ uuid, macAddress: Buffer.alloc(6), m1Received: false, configMethods: 0, devicePasswordId: 0, primaryDeviceType: Buffer.alloc(8), deviceName: s }).text,
          apSettingsLine(uuid, { ssid: Buffer.from(bytes), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from(bytes) }).text,
        ];
        // eslint-disable-next-line no-control-regex
        for (const l of lines) expect(l).not.toMatch(/[\x00-\x1f\x7f]/);
      }),
    );
  });
});
