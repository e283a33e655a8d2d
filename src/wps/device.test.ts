import { describe, expect, it } from 'vitest';
import { parseMac } from '../common/mac.js';
import { AttributeType, encodeAttributes, parseAttributes } from './attributes.js';
import {
  WscDeviceError,
  buildDeviceAttributes,
  buildOsVersion,
  formatDeviceType,
  formatUuid,
  parseDeviceInfo,
  parseDeviceType,
  parseUuid,
  uuidFromMac,
  deviceTypeFromText,
  uuidFromText,
} from './device.js';
import { formatMac } from '../common/mac.js';

describe('device data', () => {
  it('reads and prints device_type=6-0050F204-1 (an AP) as hostapd does', () => {
    const b = parseDeviceType('6-0050F204-1');
    expect(b.toString('hex')).toBe('00060050f2040001');
    expect(formatDeviceType(b)).toBe('6-0050F204-1');
    expect(formatDeviceType(parseDeviceType('1-0050f204-1'))).toBe('1-0050F204-1');
    expect(() => parseDeviceType('6-0050F204')).toThrow(WscDeviceError);
    expect(() => parseDeviceType('70000-0050F204-1')).toThrow(WscDeviceError);
  });

  it('prints and reads UUIDs and MAC addresses', () => {
    const u = Buffer.from('12345678123456781234567812345678', 'hex');
    expect(formatUuid(u)).toBe('12345678-1234-5678-1234-567812345678');
    expect(parseUuid('12345678-1234-5678-1234-567812345678')).toEqual(u);
    expect(() => parseUuid('12345678123456781234567812345678')).toThrow(WscDeviceError);
    expect(formatMac(Buffer.from('0266a0ee1727', 'hex'))).toBe('02:66:a0:ee:17:27');
    expect(parseMac('02:66:A0:ee:17:27')).toEqual(Buffer.from('0266a0ee1727', 'hex'));
    expect(parseMac('02:66:a0:ee:17')).toBeUndefined();
    expect(parseMac('02-66-a0-ee-17-27')).toBeUndefined();
    expect(parseMac(' 02:66:a0:ee:17:27')).toBeUndefined();
  });

  it('derives the MAC-based UUID like hostapd (SHA-1 name-based, version 5)', () => {
    // Independently computed: SHA-1(526480f8c99b4be5a65558ed5f5d6084 || 020000000000), version/variant bits set.
    expect(uuidFromMac(Buffer.from('020000000000', 'hex')).toString('hex')).toBe('362db47ba53a519188fb5458b986b2e4');
  });

  it('refuses to derive a UUID from anything but a 6-byte MAC address', () => {
    expect(() => uuidFromMac(new Uint8Array(5))).toThrow(WscDeviceError);
    expect(() => uuidFromMac(new Uint8Array(7))).toThrow(/6 bytes/);
  });

  it('config-file forms answer null for what the throwing forms refuse, and allow no surrounding space', () => {
    expect(deviceTypeFromText('6-0050F204-1')?.toString('hex')).toBe('00060050f2040001');
    expect(deviceTypeFromText(' 6-0050F204-1')).toBeNull();
    expect(deviceTypeFromText('65536-0050F204-1')).toBeNull();
    expect(parseDeviceType(' 6-0050F204-1 ').toString('hex')).toBe('00060050f2040001');
    expect(uuidFromText('12345678-1234-5678-1234-567812345678')?.toString('hex')).toBe('12345678123456781234567812345678');
    expect(uuidFromText('12345678-1234-5678-1234-56781234567')).toBeNull();
    expect(uuidFromText(' 12345678-1234-5678-1234-567812345678')).toBeNull();
  });

  it('builds device attributes in hostapd order and sends a space for an empty string', () => {
    const attrs = buildDeviceAttributes({
      manufacturer: 'Company',
      modelName: '',
      modelNumber: '123',
      serialNumber: '12345',
      primaryDeviceType: parseDeviceType('6-0050F204-1'),
      deviceName: 'Wireless AP',
    });
    expect(attrs.map((a) => a.type)).toEqual([
      AttributeType.Manufacturer,
      AttributeType.ModelName,
      AttributeType.ModelNumber,
      AttributeType.SerialNumber,
      AttributeType.PrimaryDeviceType,
      AttributeType.DeviceName,
    ]);
    expect(attrs[1]?.value.toString()).toBe(' ');
    expect(buildOsVersion(0x01020304).value.toString('hex')).toBe('81020304');
  });

  it('reads device data back, cutting over-long strings and ignoring an over-long Device Name (hostapd)', () => {
    const attrs = parseAttributes(
      encodeAttributes([
        ...buildDeviceAttributes({
          manufacturer: 'M',
          modelName: 'N',
          modelNumber: '1',
          serialNumber: '2',
          primaryDeviceType: parseDeviceType('10-0050F204-5'),
          deviceName: 'phone',
        }),
        buildOsVersion(0x10000),
      ]),
    );
    const get = (t: number) => attrs.find((a) => a.type === t)?.value;
    const dev = parseDeviceInfo(get);
    expect(dev).toMatchObject({ manufacturer: 'M', modelName: 'N', modelNumber: '1', serialNumber: '2', deviceName: 'phone', osVersion: 0x10000 });
    expect(formatDeviceType(dev.primaryDeviceType)).toBe('10-0050F204-5');
    const long = parseDeviceInfo((t) => (t === AttributeType.DeviceName || t === AttributeType.Manufacturer ? Buffer.alloc(70, 0x41) : undefined));
    expect(long.deviceName).toBe('');
    expect(long.manufacturer).toBe('A'.repeat(64));
  });
});
