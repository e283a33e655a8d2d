/**
 * Device data carried in M1/M2/M2D and probe/beacon WPS IEs (WSC 2.0 section 12:
 * Manufacturer, Model Name/Number, Serial Number, Primary Device Type, Device Name,
 * OS Version, Config Methods, RF Bands), and the text forms hostapd uses for them.
 */
import { MAC_LEN } from '../common/mac.js';
import { createHash } from 'node:crypto';
import { AttributeType, WscParseError, attrBytes, attrString, attrU32, type Attribute } from './attributes.js';
import { WpsdError } from '../common/errors.js';

export const UUID_LEN = 16;
export { MAC_LEN };
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

export class WscDeviceError extends WpsdError<'BAD_DEVICE_TYPE' | 'BAD_UUID' | 'BAD_MAC' | 'TOO_LONG'> {}

const DEVICE_TYPE_RE = /^(\d{1,5})-([0-9a-fA-F]{8})-(\d{1,5})$/;

/**
 * "6-0050F204-1" (category-OUI-subcategory) to 8 bytes, or null: the exact
 * syntax of hostapd's wps_dev_type_str2bin(), no surrounding space allowed.
 * Config parsers use this; parseDeviceType() is the throwing form.
 */
export function deviceTypeFromText(text: string): Buffer | null {
  const m = DEVICE_TYPE_RE.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
  const cat = Number(m[1]);
  const sub = Number(m[3]);
  if (cat > 0xffff || sub > 0xffff) return null;
  const b = Buffer.alloc(DEVICE_TYPE_LEN);
  b.writeUInt16BE(cat, 0);
  Buffer.from(m[2], 'hex').copy(b, 2);
  b.writeUInt16BE(sub, 6);
  return b;
}

/** "6-0050F204-1" (as hostapd's device_type, surrounding space ignored) to 8 bytes. */
export function parseDeviceType(text: string): Buffer {
  const b = deviceTypeFromText(text.trim());
  if (b === null) {
    throw new WscDeviceError('BAD_DEVICE_TYPE', `bad device type "${text}": expected <category>-<OUI hex8>-<subcategory> with 16-bit category and subcategory, e.g. 6-0050F204-1`);
  }
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

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The dashed text form (either case) to 16 bytes, or null: hostapd's uuid_str2bin() syntax, no surrounding space. */
export function uuidFromText(text: string): Buffer | null {
  return UUID_RE.test(text) ? Buffer.from(text.replace(/-/g, ''), 'hex') : null;
}

/** The dashed text form (either case, surrounding space ignored) to 16 bytes. */
export function parseUuid(text: string): Buffer {
  const b = uuidFromText(text.trim());
  if (b === null) throw new WscDeviceError('BAD_UUID', `bad UUID "${text}": expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
  return b;
}

/** Name space ID hostapd hashes with a MAC address for its default UUID (uuid_gen_mac_addr(), src/wps/wps_common.c). */
export const WPS_UUID_MAC_NAMESPACE: Readonly<Uint8Array> = Uint8Array.from([
  0x52, 0x64, 0x80, 0xf8, 0xc9, 0x9b, 0x4b, 0xe5, 0xa6, 0x55, 0x58, 0xed, 0x5f, 0x5d, 0x60, 0x84,
]);

/**
 * The UUID hostapd and wpa_supplicant use when none is configured: an
 * RFC 4122 version-5 (SHA-1, name based) UUID over WPS_UUID_MAC_NAMESPACE and
 * the 6-byte MAC. Anything but 6 bytes is a WscDeviceError (BAD_MAC).
 */
export function uuidFromMac(mac: Uint8Array): Buffer {
  if (mac.length !== MAC_LEN) throw new WscDeviceError('BAD_MAC', `MAC address must be ${MAC_LEN} bytes, got ${mac.length}`);
  const uuid = Buffer.from(createHash('sha1').update(WPS_UUID_MAC_NAMESPACE).update(mac).digest().subarray(0, UUID_LEN));
  uuid[6] = 0x50 | ((uuid[6] ?? 0) & 0x0f);
  uuid[8] = 0x80 | ((uuid[8] ?? 0) & 0x3f);
  return uuid;
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
  const uuid = get(AttributeType.UuidE) ?? get(AttributeType.UuidR);
  if (uuid !== undefined && uuid.length !== UUID_LEN) throw new WscParseError('BAD_LENGTH', `UUID must be 16 bytes, got ${uuid.length}`, 0, AttributeType.UuidE, uuid.length);
  // Checked in the order of the fields below: of several bad sizes, the first field's is reported.
  const mac = fixedValue(get, AttributeType.MacAddress, MAC_LEN);
  const primaryDeviceType = fixedValue(get, AttributeType.PrimaryDeviceType, DEVICE_TYPE_LEN);
  const osVersion = fixedValue(get, AttributeType.OsVersion, 4);
  const configMethods = fixedValue(get, AttributeType.ConfigMethods, 2);
  const rfBands = fixedValue(get, AttributeType.RfBands, 1);
  return {
    uuid: uuid !== undefined ? Buffer.from(uuid) : Buffer.alloc(UUID_LEN),
    macAddress: mac !== undefined ? Buffer.from(mac) : Buffer.alloc(MAC_LEN),
    // Over-long strings are cut to the spec maximum, an over-long Device Name is ignored (hostapd does both).
    deviceName: deviceText(get(AttributeType.DeviceName), DEV_NAME_MAX_LEN, true),
    manufacturer: deviceText(get(AttributeType.Manufacturer), MANUFACTURER_MAX_LEN),
    modelName: deviceText(get(AttributeType.ModelName), MODEL_NAME_MAX_LEN),
    modelNumber: deviceText(get(AttributeType.ModelNumber), MODEL_NUMBER_MAX_LEN),
    serialNumber: deviceText(get(AttributeType.SerialNumber), SERIAL_NUMBER_MAX_LEN),
    primaryDeviceType: primaryDeviceType !== undefined ? Buffer.from(primaryDeviceType) : Buffer.alloc(DEVICE_TYPE_LEN),
    osVersion: osVersion === undefined ? 0 : (osVersion.readUInt32BE(0) & ~OS_VERSION_RESERVED_BIT) >>> 0,
    configMethods: configMethods === undefined ? 0 : configMethods.readUInt16BE(0),
    rfBands: rfBands === undefined ? 0 : (rfBands[0] as number),
  };
}

/** A device string attribute's text: '' when absent (or, with dropIfLonger, over `max`), else cut to `max` bytes. */
function deviceText(v: Buffer | undefined, max: number, dropIfLonger = false): string {
  if (v === undefined || (dropIfLonger && v.length > max)) return '';
  return (v.length > max ? v.subarray(0, max) : v).toString('utf8');
}

/** A fixed-size attribute's value, undefined when absent; a WscParseError when present with another size. */
function fixedValue(get: (type: number) => Buffer | undefined, t: number, len: number): Buffer | undefined {
  const v = get(t);
  if (v !== undefined && v.length !== len) throw new WscParseError('BAD_LENGTH', `attribute 0x${t.toString(16)} must be ${len} bytes, got ${v.length}`, 0, t, v.length);
  return v;
}
