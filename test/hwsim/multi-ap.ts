// The README-MULTI-AP network both Multi-AP cases of the hwsim group run (the
// AP being Debian hostapd or wpsd): on the AP host's radio a fronthaul BSS
// (multi_ap=2, WPS, the backhaul credentials) and a backhaul BSS (bss=
// `<ifname>_1`, multi_ap=1), both with bridge=br0; br0 holds the AP host's
// air address, so a ping from a station to it crosses the bridge.
import { REFERENCE_AP } from '../../harness/hostapd.js';
import { buildElements, findVendorElements, parseElements } from '../../src/radio/elements.js';
import { MULTI_AP_VENDOR_TYPE } from '../../src/radio/multi-ap-ie.js';
import { airAddress, type AirHost } from './air.js';
import { AIR_CHANNEL } from '../../harness/air-daemons.js';

export const FRONT_SSID = 'hwsim-front';
export const FRONT_PASS = 'fronthaul passphrase';
export const BACK_SSID = 'hwsim-back';
export const BACK_PASS = 'backhaul passphrase';

/** The backhaul BSS's interface name. */
export const backhaulIfname = (host: AirHost): string => `${host.ifname}_1`;

/** br0 with the AP host's air address (taken off the radio's interface), up. */
export async function addBridge(host: AirHost): Promise<void> {
  await host.exec('ip', ['addr', 'flush', 'dev', host.ifname]);
  await host.exec('ip', ['link', 'add', 'br0', 'type', 'bridge']);
  await host.exec('ip', ['addr', 'add', `${airAddress(0)}/24`, 'dev', 'br0']);
  await host.exec('ip', ['link', 'set', 'br0', 'up']);
}

/** hostapd.conf of the two BSSes; without `backhaulBssid` the AP picks the backhaul BSS's address. */
export function multiApConf(o: { host: AirHost; ctrlDir: string; backhaulBssid?: string }): string {
  return [
    'driver=nl80211',
    `interface=${o.host.ifname}`,
    'bridge=br0',
    `ctrl_interface=${o.ctrlDir}`,
    'hw_mode=g',
    `channel=${AIR_CHANNEL}`,
    `ssid=${FRONT_SSID}`,
    'wpa=2',
    'wpa_key_mgmt=WPA-PSK',
    'rsn_pairwise=CCMP',
    `wpa_passphrase=${FRONT_PASS}`,
    'multi_ap=2',
    'eap_server=1',
    'wps_state=2',
    `uuid=${REFERENCE_AP.uuid}`,
    'config_methods=virtual_push_button keypad',
    `multi_ap_backhaul_ssid="${BACK_SSID}"`,
    `multi_ap_backhaul_wpa_passphrase=${BACK_PASS}`,
    `bss=${backhaulIfname(o.host)}`,
    ...(o.backhaulBssid !== undefined ? [`bssid=${o.backhaulBssid}`] : []),
    // A bss= section inherits nothing: its own bridge= (which its AP/VLAN interfaces join too).
    'bridge=br0',
    `ctrl_interface=${o.ctrlDir}`,
    `ssid=${BACK_SSID}`,
    'wpa=2',
    'wpa_key_mgmt=WPA-PSK',
    'rsn_pairwise=CCMP',
    `wpa_passphrase=${BACK_PASS}`,
    'multi_ap=1',
    '',
  ].join('\n');
}

/** The Multi-AP element (hex) in an element stream (hex, as wpa_cli's `bss` prints ie=), or undefined. */
export function multiApElementHex(ies: string): string | undefined {
  const found = findVendorElements(parseElements(Buffer.from(ies, 'hex')), MULTI_AP_VENDOR_TYPE);
  return found.length === 0 ? undefined : Buffer.from(buildElements(found.slice(0, 1))).toString('hex');
}
