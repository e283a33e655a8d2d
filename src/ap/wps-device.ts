/**
 * The AP's WPS device data from hostapd.conf, as hostapd_init_wps() builds
 * it: config_methods text to bits (with the WPS 2.0 virtual-method
 * conversions), RF band from hw_mode, defaults for absent strings.
 *
 * API:
 *   configMethodsFromText(text?): number    hostapd wps_config_methods_str2bin + WPS 2.0 conversions
 *   rfBandsFor(config, bss): number
 *   apDeviceInfo(config, bss, uuid, ownAddr): DeviceInfo
 *   DEFAULT_AP_DEVICE_TYPE
 */
import type { DeviceInfo } from '../wps/device.js';
import { ConfigMethods, RfBand } from '../wps/values.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';

/** hostapd's device_type default (Network Infrastructure / AP). */
export const DEFAULT_AP_DEVICE_TYPE = Buffer.from([0x00, 0x06, 0x00, 0x50, 0xf2, 0x04, 0x00, 0x01]);

/** Names matched as substrings, as hostapd's os_strstr does ("virtual_push_button" also sets push_button). */
const METHOD_BITS: ReadonlyArray<[string, number]> = [
  ['ethernet', ConfigMethods.Ethernet],
  ['label', ConfigMethods.Label],
  ['display', ConfigMethods.Display],
  ['ext_nfc_token', ConfigMethods.ExtNfcToken],
  ['int_nfc_token', ConfigMethods.IntNfcToken],
  ['nfc_interface', ConfigMethods.NfcInterface],
  ['push_button', ConfigMethods.PushButton],
  ['keypad', ConfigMethods.Keypad],
  ['virtual_display', ConfigMethods.VirtualDisplay],
  ['physical_display', ConfigMethods.PhysicalDisplay],
  ['virtual_push_button', ConfigMethods.VirtualPushButton],
  ['physical_push_button', ConfigMethods.PhysicalPushButton],
  ['p2ps', ConfigMethods.P2ps],
  ['usba', ConfigMethods.Usba],
];

const DISPLAY_ANY = ConfigMethods.Display | ConfigMethods.VirtualDisplay | ConfigMethods.PhysicalDisplay;
const PUSHBUTTON_ANY = ConfigMethods.PushButton | ConfigMethods.VirtualPushButton | ConfigMethods.PhysicalPushButton;

export function configMethodsFromText(text: string | undefined): number {
  let m = 0;
  if (text === undefined || text === '') {
    // hostapd's build default (Debian: CONFIG_WPS_NFC): display, keypad, virtual display, NFC interface.
    m = ConfigMethods.Display | ConfigMethods.Keypad | ConfigMethods.VirtualDisplay | ConfigMethods.NfcInterface;
  } else {
    for (const [name, bit] of METHOD_BITS) if (text.includes(name)) m |= bit;
  }
  // WPS 2.0: plain display / push_button become their virtual forms (hostapd_init_wps).
  if ((m & DISPLAY_ANY) === ConfigMethods.Display) m |= ConfigMethods.VirtualDisplay;
  if ((m & PUSHBUTTON_ANY) === ConfigMethods.PushButton) m |= ConfigMethods.VirtualPushButton;
  return m;
}

export function rfBandsFor(config: HostapdConfig, bss: HostapdBssConfig): number {
  if (bss.wpsRfBands !== undefined && bss.wpsRfBands !== 0) return bss.wpsRfBands;
  if (config.hwMode === 'a') return RfBand.Band50GHz;
  if (config.hwMode === 'ad') return RfBand.Band60GHz;
  return RfBand.Band24GHz;
}

export function apDeviceInfo(config: HostapdConfig, bss: HostapdBssConfig, uuid: Buffer, ownAddr: Buffer): DeviceInfo {
  return {
    uuid,
    macAddress: ownAddr,
    deviceName: bss.deviceName ?? '',
    manufacturer: bss.manufacturer ?? '',
    modelName: bss.modelName ?? '',
    modelNumber: bss.modelNumber ?? '',
    serialNumber: bss.serialNumber ?? '',
    primaryDeviceType: bss.deviceType ?? DEFAULT_AP_DEVICE_TYPE,
    osVersion: bss.osVersion !== undefined ? bss.osVersion.readUInt32BE(0) & 0x7fffffff : 0,
    configMethods: configMethodsFromText(bss.configMethods),
    rfBands: rfBandsFor(config, bss),
  };
}
