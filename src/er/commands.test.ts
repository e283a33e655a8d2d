import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandRegistry } from '../ctrl/registry.js';
import { parseRequest } from '../ctrl/request.js';
import { parseDeviceType } from '../wps/device.js';
import { AuthType, EncrType } from '../wps/values.js';
import { parseErConfigArgs, registerErCommands } from './commands.js';
import { ExternalRegistrar, parseSelector, uuidOfUsn } from './external-registrar.js';

const hex = (s: string): string => Buffer.from(s).toString('hex');

function notStartedEr(): ExternalRegistrar {
  return new ExternalRegistrar({
    iface: () => {
      throw new Error('no address');
    },
    device: {
      uuid: Buffer.alloc(16, 7),
      macAddress: Buffer.alloc(6),
      deviceName: 'ER',
      manufacturer: 'm',
      modelName: 'n',
      modelNumber: '1',
      serialNumber: '1',
      primaryDeviceType: parseDeviceType('1-0050F204-1'),
      osVersion: 0,
      configMethods: 0x100,
      rfBands: 1,
    },
  });
}

describe('ER command arguments', () => {
  it('WPS_ER_CONFIG: hex SSID and key as wpa_cli sends them, auth/encr names as wpa_supplicant accepts', () => {
    const c = parseErConfigArgs(`87654321-9abc-def0-1234-56789abc0002 12345670 ${hex('testing')} WPA2PSK CCMP ${hex('12345678')}`);
    expect(c?.selector).toBe('87654321-9abc-def0-1234-56789abc0002');
    expect(c?.pin).toBe('12345670');
    expect(c?.settings).toMatchObject({ ssid: Buffer.from('testing'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('12345678') });
    // wpa_cli sends an empty key for "clear OPEN NONE": six fields, the last empty.
    expect(parseErConfigArgs(`u 1 ${hex('clear')} OPEN NONE `)?.settings).toMatchObject({ authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0) });
    expect(parseErConfigArgs(`u 1 ${hex('x')} OPEN NONE`)).toBeUndefined();
    expect(parseErConfigArgs(`u 1 ${hex('x')} WPA2 CCMP 00`)).toBeUndefined();
    expect(parseErConfigArgs(`u 1 ${hex('x')} WPA2PSK WEP 00`)).toBeUndefined();
    expect(parseErConfigArgs('u 1 abc WPA2PSK CCMP 00')).toBeUndefined();
    expect(parseErConfigArgs(`u 1 ${'41'.repeat(33)} WPA2PSK CCMP 00`)).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (s) => {
        const r = parseErConfigArgs(s);
        if (r !== undefined) expect(r.settings.ssid.length).toBeLessThanOrEqual(32);
      }),
    );
  });

  it('<UUID|BSSID> selectors and USN UUIDs', () => {
    expect(parseSelector('12345678-9abc-def0-1234-56789abcdef0')).toEqual({ uuid: Buffer.from('123456789abcdef0123456789abcdef0', 'hex') });
    expect(parseSelector('02:11:22:33:44:55')).toEqual({ mac: Buffer.from('021122334455', 'hex') });
    expect(parseSelector('any')).toBeUndefined();
    expect(uuidOfUsn('uuid:12345678-9abc-def0-1234-56789abcdef0::urn:schemas-wifialliance-org:device:WFADevice:1')?.toString('hex')).toBe('123456789abcdef0123456789abcdef0');
    expect(uuidOfUsn('uuid:12345678-9abc-def0-1234-56789abcdef0')).toBeDefined();
    expect(uuidOfUsn('uuid:12345678-9abc-def0-1234-56789abcdef0x')).toBeUndefined();
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => void uuidOfUsn(s)));
    fc.assert(
      fc.property(fc.uuid(), fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.string({ maxLength: 40 }), (u, m, junk) => {
        expect(parseSelector(u)).toEqual({ uuid: Buffer.from(u.replace(/-/g, ''), 'hex') });
        const macText = Array.from(m, (x) => x.toString(16).padStart(2, '0')).join(':');
        expect(parseSelector(macText)).toEqual({ mac: Buffer.from(m) });
        const r = parseSelector(junk);
        if (r !== undefined) expect('uuid' in r ? r.uuid.length : r.mac.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe('ER commands before wps_er_start', () => {
  it('answer FAIL (and WPS_ER_START FAIL without an IPv4 address), never throw', async () => {
    const reg = new CommandRegistry();
    const er = notStartedEr();
    registerErCommands(reg, er, { networkCredential: () => undefined });
    const ask = (text: string): Promise<string> => reg.dispatch(parseRequest(Buffer.from(text)), '/tmp/x');
    expect(await ask('WPS_ER_START')).toBe('FAIL\n');
    expect(await ask('WPS_ER_START 999.1')).toBe('FAIL\n');
    expect(await ask('WPS_ER_LEARN 12345678-9abc-def0-1234-56789abcdef0 12345670')).toBe('FAIL\n');
    expect(await ask('WPS_ER_LEARN 12345678-9abc-def0-1234-56789abcdef0')).toBe('FAIL\n');
    expect(await ask('WPS_ER_PIN any 12345670')).toBe('FAIL\n');
    expect(await ask('WPS_ER_PBC 02:11:22:33:44:55')).toBe('FAIL\n');
    expect(await ask('WPS_ER_SET_CONFIG 12345678-9abc-def0-1234-56789abcdef0 0')).toBe('FAIL\n');
    expect(await ask(`WPS_ER_CONFIG 12345678-9abc-def0-1234-56789abcdef0 12345670 ${hex('s')} WPA2PSK CCMP ${hex('12345678')}`)).toBe('FAIL\n');
    expect(await ask('WPS_ER_STOP')).toBe('OK\n');
  });
});
