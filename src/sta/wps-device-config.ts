/**
 * The station's WPS device data from wpa_supplicant.conf (wpas_wps_init):
 * UUID (uuid= or derived from the interface MAC), names, device type,
 * OS version, and config_methods as bits, with WSC 2.0's fix-up that a
 * plain display / push_button counts as the virtual one.
 */
import { ConfigMethods, RfBand } from '../wps/values.js';
import type { DeviceInfo } from '../wps/device.js';
import { stationWpsUuid, type WpaSupplicantConfig } from './config.js';

export const CONFIG_METHOD_BITS: Readonly<Record<string, number>> = {
  usba: ConfigMethods.Usba,
  ethernet: ConfigMethods.Ethernet,
  label: ConfigMethods.Label,
  display: ConfigMethods.Display,
  ext_nfc_token: ConfigMethods.ExtNfcToken,
  int_nfc_token: ConfigMethods.IntNfcToken,
  nfc_interface: ConfigMethods.NfcInterface,
  push_button: ConfigMethods.PushButton,
  keypad: ConfigMethods.Keypad,
  virtual_display: ConfigMethods.VirtualDisplay,
  physical_display: ConfigMethods.PhysicalDisplay,
  virtual_push_button: ConfigMethods.VirtualPushButton,
  physical_push_button: ConfigMethods.PhysicalPushButton,
  p2ps: ConfigMethods.P2ps,
};

/** wpa_supplicant's CONFIG_METHODS default for WPS 2.0 builds when config_methods is unset. */
export const DEFAULT_STA_CONFIG_METHODS = 'display virtual_display virtual_push_button keypad';

/** wps_config_methods_str2bin: each name found anywhere in the text counts (so quotes do not matter). */
export function configMethodsBits(text: string): number {
  let bits = 0;
  for (const [name, bit] of Object.entries(CONFIG_METHOD_BITS)) if (text.includes(name)) bits |= bit;
  return bits;
}

/** wps_fix_config_methods: WSC 2.0 wants the virtual/physical flavour of display and push button. */
export function fixConfigMethods(bits: number): number {
  let m = bits;
  if ((m & ConfigMethods.Display) !== 0 && (m & (ConfigMethods.VirtualDisplay | ConfigMethods.PhysicalDisplay) & ~ConfigMethods.Display) === 0) {
    m |= ConfigMethods.VirtualDisplay;
  }
  if ((m & ConfigMethods.PushButton) !== 0 && (m & (ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton) & ~ConfigMethods.PushButton) === 0) {
    m |= ConfigMethods.VirtualPushButton;
  }
  return m;
}

export function stationWpsDevice(config: WpaSupplicantConfig, ownMac: Buffer): DeviceInfo {
  return {
    uuid: stationWpsUuid(config, ownMac),
    macAddress: Buffer.from(ownMac),
    deviceName: config.deviceName ?? '',
    manufacturer: config.manufacturer ?? '',
    modelName: config.modelName ?? '',
    modelNumber: config.modelNumber ?? '',
    serialNumber: config.serialNumber ?? '',
    primaryDeviceType: config.deviceType ? Buffer.from(config.deviceType) : Buffer.alloc(8),
    osVersion: config.osVersion && config.osVersion.length === 4 ? config.osVersion.readUInt32BE(0) : 0,
    configMethods: fixConfigMethods(configMethodsBits(config.configMethods ?? DEFAULT_STA_CONFIG_METHODS)),
    rfBands: RfBand.Band24GHz | RfBand.Band50GHz,
  };
}

