/**
 * Device data carried in M1/M2/M2D and probe/beacon WPS IEs (WSC 2.0 section 12:
 * Manufacturer, Model Name/Number, Serial Number, Primary Device Type, Device Name,
 * OS Version, Config Methods, RF Bands), and the text forms hostapd uses for them.
 */
import { createHash } from 'node:crypto';
import { AttributeType, WscParseError, attrBytes, attrString, attrU32, type Attribute } from './attributes.js';

export const UUID_LEN = 16;
export const MAC_LEN = 6;
export const DEVICE_TYPE_LEN = 8;
export const DEV_NAME_MAX_LEN = 32;
export const MANUFACTURER_MAX_LEN = 64;
export const MODEL_NAME_MAX_LEN = 32;
export const MODEL_NUMBER_MAX_LEN = 32;
export const SERIAL_NUMBER_MAX_LEN = 32;
/** hostapd sets the top bit of OS Version on the wire (WSC 2.0: reserved, must be 1). */
export const OS_VERSION_RESERVED_BIT = 0x80000000;

export interface DeviceInfo {
  uuid: Buffer;
  macAddress: Buffer;
  deviceName: string;
  manufacturer: string;
  modelName: string;
  modelNumber: string;
  serialNumber: string;
  /** 8 bytes: category(2) OUI(4) subcategory(2). */
  primaryDeviceType: Buffer;
  /** Without the reserved top bit; builders set it as hostapd does. */
  osVersion: number;
  configMethods: number;
  rfBands: number;
}

export class WscDeviceError extends Error {
  override name = 'WscDeviceError';
  constructor(
    readonly code: 'BAD_DEVICE_TYPE' | 'BAD_UUID' | 'BAD_MAC' | 'TOO_LONG',
    message: string,
  ) {
    super(message);
  }
}

/** "6-0050F204-1" (category-OUI-subcategory, as hostapd's device_type) to 8 bytes. */
export function parseDeviceType(text: string): Buffer {
  const m = /^(\d{1,5})-([0-9a-fA-F]{8})-(\d{1,5})$/.exec(text.trim());
  if (!m) throw new WscDeviceError('BAD_DEVICE_TYPE', `bad device type "${text}": expected <category>-<OUI hex8>-<subcategory>, e.g. 6-0050F204-1`);
  const cat = Number(m[1]);
  const sub = Number(m[3]);
  if (cat > 0xffff || sub > 0xffff) throw new WscDeviceError('BAD_DEVICE_TYPE', `bad device type "${text}": category and subcategory are 16-bit`);
  const b = Buffer.alloc(DEVICE_TYPE_LEN);
  b.writeUInt16BE(cat, 0);
  Buffer.from(m[2] ?? '', 'hex').copy(b, 2);
  b.writeUInt16BE(sub, 6);
  return b;
}

/** 8 bytes to "6-0050F204-1" (hostapd's %u-%08X-%u). */
export function formatDeviceType(buf: Uint8Array): string {
  const b = Buffer.from(buf);
  if (b.length !== DEVICE_TYPE_LEN) throw new WscDeviceError('BAD_DEVICE_TYPE', `device type must be 8 bytes, got ${b.length}`);
  return `${b.readUInt16BE(0)}-${b.readUInt32BE(2).toString(16).toUpperCase().padStart(8, '0')}-${b.readUInt16BE(6)}`;
}

/** 16 bytes to "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case, as hostapd prints). */
export function formatUuid(buf: Uint8Array): string {
  const h = Buffer.from(buf).toString('hex');
  if (h.length !== UUID_LEN * 2) throw new WscDeviceError('BAD_UUID', `UUID must be 16 bytes, got ${h.length / 2}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The dashed text form (either case) to 16 bytes. */
export function parseUuid(text: string): Buffer {
  const m = /^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$/.exec(text.trim());
  if (!m) throw new WscDeviceError('BAD_UUID', `bad UUID "${text}": expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
  return Buffer.from(m.slice(1).join(''), 'hex');
}

/** 6 bytes to "aa:bb:cc:dd:ee:ff". */
export function formatMac(buf: Uint8Array): string {
  return Array.from(buf, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** "aa:bb:cc:dd:ee:ff" (or with '-') to 6 bytes. */
export function parseMac(text: string): Buffer {
  const m = /^([0-9a-fA-F]{2})[:-]?([0-9a-fA-F]{2})[:-]?([0-9a-fA-F]{2})[:-]?([0-9a-fA-F]{2})[:-]?([0-9a-fA-F]{2})[:-]?([0-9a-fA-F]{2})$/.exec(text.trim());
  if (!m) throw new WscDeviceError('BAD_MAC', `bad MAC address "${text}"`);
  return Buffer.from(m.slice(1).join(''), 'hex');
}

/** hostapd's name-based UUID from a MAC address (SHA-1, version 5, RFC 4122 variant). */
export function uuidFromMac(mac: Uint8Array): Buffer {
  const nsid = Buffer.from('526480f8c99b4be5a65558ed5f5d6084', 'hex');
  const uuid = createHash('sha1').update(nsid).update(mac).digest().subarray(0, UUID_LEN);
  uuid[6] = 0x50 | ((uuid[6] ?? 0) & 0x0f);
  uuid[8] = 0x80 | ((uuid[8] ?? 0) & 0x3f);
  return Buffer.from(uuid);
}

function deviceString(type: number, text: string, max: number): Attribute {
  const value = Buffer.from(text, 'utf8');
  if (value.length > max) throw new WscDeviceError('TOO_LONG', `${text.slice(0, 20)}...: ${value.length} bytes exceeds ${max}`);
  // hostapd (without CONFIG_WPS_STRICT) sends a space for an empty string: some peers reject zero-length attributes.
  return value.length === 0 ? attrString(type, ' ') : { type, value };
}

/** Manufacturer, Model Name, Model Number, Serial Number, Primary Device Type, Device Name (hostapd's order). */
export function buildDeviceAttributes(dev: Pick<DeviceInfo, 'manufacturer' | 'modelName' | 'modelNumber' | 'serialNumber' | 'primaryDeviceType' | 'deviceName'>): Attribute[] {
  if (dev.primaryDeviceType.length !== DEVICE_TYPE_LEN) throw new WscDeviceError('BAD_DEVICE_TYPE', `primary device type must be 8 bytes, got ${dev.primaryDeviceType.length}`);
  return [
    deviceString(AttributeType.Manufacturer, dev.manufacturer, MANUFACTURER_MAX_LEN),
    deviceString(AttributeType.ModelName, dev.modelName, MODEL_NAME_MAX_LEN),
    deviceString(AttributeType.ModelNumber, dev.modelNumber, MODEL_NUMBER_MAX_LEN),
    deviceString(AttributeType.SerialNumber, dev.serialNumber, SERIAL_NUMBER_MAX_LEN),
    attrBytes(AttributeType.PrimaryDeviceType, dev.primaryDeviceType),
    deviceString(AttributeType.DeviceName, dev.deviceName, DEV_NAME_MAX_LEN),
  ];
}

export function buildOsVersion(osVersion: number): Attribute {
  return attrU32(AttributeType.OsVersion, (OS_VERSION_RESERVED_BIT | osVersion) >>> 0);
}

/**
 * Device data from a parsed message's attributes (M1, M2, M2D, probe request).
 * Missing attributes give empty strings / zero; a present attribute of the wrong
 * size is a WscParseError.
 */
export function parseDeviceInfo(get: (type: number) => Buffer | undefined): DeviceInfo {
  // Over-long strings are cut to the spec maximum, an over-long Device Name is ignored (hostapd does both).
  const text = (t: number, max: number, dropIfLonger = false): string => {
    const v = get(t);
    if (v === undefined || (dropIfLonger && v.length > max)) return '';
    return v.subarray(0, max).toString('utf8');
  };
  const fixed = (t: number, len: number): Buffer => {
    const v = get(t);
    if (v === undefined) return Buffer.alloc(len);
    if (v.length !== len) throw new WscParseError('BAD_LENGTH', `attribute 0x${t.toString(16)} must be ${len} bytes, got ${v.length}`, 0, t, v.length);
    return Buffer.from(v);
  };
  const uuid = get(AttributeType.UuidE) ?? get(AttributeType.UuidR);
  if (uuid !== undefined && uuid.length !== UUID_LEN) throw new WscParseError('BAD_LENGTH', `UUID must be 16 bytes, got ${uuid.length}`, 0, AttributeType.UuidE, uuid.length);
  return {
    uuid: uuid !== undefined ? Buffer.from(uuid) : Buffer.alloc(UUID_LEN),
    macAddress: fixed(AttributeType.MacAddress, MAC_LEN),
    deviceName: text(AttributeType.DeviceName, DEV_NAME_MAX_LEN, true),
    manufacturer: text(AttributeType.Manufacturer, MANUFACTURER_MAX_LEN),
    modelName: text(AttributeType.ModelName, MODEL_NAME_MAX_LEN),
    modelNumber: text(AttributeType.ModelNumber, MODEL_NUMBER_MAX_LEN),
    serialNumber: text(AttributeType.SerialNumber, SERIAL_NUMBER_MAX_LEN),
    primaryDeviceType: fixed(AttributeType.PrimaryDeviceType, DEVICE_TYPE_LEN),
    osVersion: (fixed(AttributeType.OsVersion, 4).readUInt32BE(0) & ~OS_VERSION_RESERVED_BIT) >>> 0,
    configMethods: fixed(AttributeType.ConfigMethods, 2).readUInt16BE(0),
    rfBands: fixed(AttributeType.RfBands, 1).readUInt8(0),
  };
}
