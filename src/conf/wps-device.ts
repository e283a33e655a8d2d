/**
 * The WPS device keys hostapd.conf and wpa_supplicant.conf share, with the
 * same names and syntax in both (hostapd_config_fill() and wpa_supplicant's
 * global fields): uuid, device_name, manufacturer, model_name, model_number,
 * serial_number, device_type, os_version, config_methods. One parser serves
 * both files; each keeps its own wording for an over-long string and its own
 * device_type example.
 */
import {
  WPS_DEVICE_NAME_MAX_LEN,
  WPS_MANUFACTURER_MAX_LEN,
  WPS_MODEL_NAME_MAX_LEN,
  WPS_MODEL_NUMBER_MAX_LEN,
  WPS_SERIAL_NUMBER_MAX_LEN,
  parseDeviceType,
  parseHex,
  parseUuid,
  unknownConfigMethods,
  utf8Of,
} from './values.js';

/** The settings those keys fill, as both configurations hold them. */
export interface WpsDeviceSettings {
  uuid?: Buffer;
  deviceName?: string;
  manufacturer?: string;
  modelName?: string;
  modelNumber?: string;
  serialNumber?: string;
  /** 8-byte Primary Device Type. */
  deviceType?: Buffer;
  /** 4-byte OS Version. */
  osVersion?: Buffer;
  /** The config_methods text as written (names separated by spaces). */
  configMethods?: string;
}

/** Parses one value into `into` (only on success); returns an error text, which never echoes a secret. */
export type WpsDeviceKeyParser = (into: WpsDeviceSettings, value: string) => string | undefined;

export interface WpsDeviceKeyWording {
  /** The device_type example in its error text: an AP's (6-0050F204-1) or a station's (1-0050F204-1). */
  deviceTypeExample: string;
  /** The error text for a string longer than its WPS limit (`len` and `max` in bytes). */
  tooLong: (key: string, len: number, max: number) => string;
}

export type WpsDeviceKey =
  | 'uuid'
  | 'device_name'
  | 'manufacturer'
  | 'model_name'
  | 'model_number'
  | 'serial_number'
  | 'device_type'
  | 'os_version'
  | 'config_methods';

/** The parsers of the shared keys, by key name, with the calling file's wording. */
export function wpsDeviceKeyParsers(wording: WpsDeviceKeyWording): Readonly<Record<WpsDeviceKey, WpsDeviceKeyParser>> {
  const text =
    (key: string, max: number, set: (into: WpsDeviceSettings, v: string) => void): WpsDeviceKeyParser =>
    (into, value) => {
      if (value.length > max) return wording.tooLong(key, value.length, max);
      set(into, utf8Of(value));
      return undefined;
    };
  return {
    uuid: (into, value) => {
      const u = parseUuid(value);
      if (!u) return `invalid uuid '${value}' (must be xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in hex)`;
      into.uuid = u;
      return undefined;
    },
    device_name: text('device_name', WPS_DEVICE_NAME_MAX_LEN, (c, v) => (c.deviceName = v)),
    manufacturer: text('manufacturer', WPS_MANUFACTURER_MAX_LEN, (c, v) => (c.manufacturer = v)),
    model_name: text('model_name', WPS_MODEL_NAME_MAX_LEN, (c, v) => (c.modelName = v)),
    model_number: text('model_number', WPS_MODEL_NUMBER_MAX_LEN, (c, v) => (c.modelNumber = v)),
    serial_number: text('serial_number', WPS_SERIAL_NUMBER_MAX_LEN, (c, v) => (c.serialNumber = v)),
    device_type: (into, value) => {
      const t = parseDeviceType(value);
      if (!t) return `invalid device_type '${value}' (must be <category>-<OUI>-<subcategory>, e.g. ${wording.deviceTypeExample})`;
      into.deviceType = t;
      return undefined;
    },
    os_version: (into, value) => {
      const v = parseHex(value, 4);
      if (!v) return `invalid os_version '${value}' (must be 8 hex digits)`;
      into.osVersion = v;
      return undefined;
    },
    config_methods: (into, value) => {
      const bad = unknownConfigMethods(value);
      if (bad.length > 0) return `invalid config_methods: unknown method${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')}`;
      into.configMethods = value;
      return undefined;
    },
  };
}
