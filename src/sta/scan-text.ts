/**
 * SCAN_RESULTS and BSS replies spelled as wpa_supplicant's ctrl_iface.c
 * prints them: flags "[WPA2-PSK-CCMP][WPS-PBC][ESS]", SSIDs printf-encoded,
 * the WPS attributes of a BSS as wps_attr_text() lists them.
 */
import { printfEncode } from '../conf/values.js';
import { buildElements, ElementId, findElement, type Element } from '../radio/elements.js';
import { CapabilityInfo } from '../radio/frame.js';
import type { MacAddress } from '../radio/mac.js';
import { parseRsnElement, RsnAkm, RsnCapability, RsnCipher, RsnError } from '../radio/rsn-ie.js';
import { joinWpsIe, WpsIeError } from '../radio/wps-ie.js';
import { AttributeType } from '../wps/attributes.js';
import { parseWscTlvs, WscProtocolError } from '../wps/message.js';
import { formatDeviceType } from '../wps/device.js';
import { WpsState } from '../wps/values.js';
import { scanResultFlag } from './wireless/scan-flags.js';
import type { BssEntry, BssTable } from './bss-table.js';

export const SCAN_RESULTS_HEADER = 'bssid / frequency / signal level / flags / ssid\n';

const AKM_TEXT: [number, string][] = [
  [RsnAkm.IEEE8021X, 'EAP'],
  [RsnAkm.PSK, 'PSK'],
  [RsnAkm.SAE, 'SAE'],
  [RsnAkm.FT_IEEE8021X, 'FT/EAP'],
  [RsnAkm.FT_PSK, 'FT/PSK'],
  [RsnAkm.FT_SAE, 'FT/SAE'],
  [RsnAkm.IEEE8021X_SHA256, 'EAP-SHA256'],
  [RsnAkm.PSK_SHA256, 'PSK-SHA256'],
];

/** wpa_write_ciphers() order. */
const CIPHER_TEXT: [number, string][] = [
  [RsnCipher.CCMP_256, 'CCMP-256'],
  [RsnCipher.GCMP_256, 'GCMP-256'],
  [RsnCipher.CCMP_128, 'CCMP'],
  [RsnCipher.GCMP_128, 'GCMP'],
  [RsnCipher.TKIP, 'TKIP'],
];

/** "[WPA2-PSK-CCMP]" for an RSN element (wpa_supplicant_ie_txt); "[WPA2-?]" when it cannot be parsed. */
export function rsnFlagText(data: Uint8Array): string {
  let rsn;
  try {
    rsn = parseRsnElement(data);
  } catch (e) {
    if (e instanceof RsnError) return '[WPA2-?]';
    throw e;
  }
  // wpa_parse_wpa_ie's defaults for absent fields: 802.1X and CCMP.
  const akms = rsn.akmSuites ?? [RsnAkm.IEEE8021X];
  const pairwise = rsn.pairwiseCiphers ?? [RsnCipher.CCMP_128];
  const akmText = AKM_TEXT.filter(([s]) => akms.includes(s)).map(([, t]) => t);
  const cipherText = CIPHER_TEXT.filter(([s]) => pairwise.includes(s)).map(([, t]) => t);
  let s = `[WPA2-${akmText.join('+')}`;
  if (cipherText.length > 0) s += `-${cipherText.join('+')}`;
  if (((rsn.capabilities ?? 0) & RsnCapability.PREAUTH) !== 0) s += '-preauth';
  return `${s}]`;
}

/** The flags column of SCAN_RESULTS and the flags= line of BSS. */
export function bssFlags(e: Pick<BssEntry, 'elements' | 'capability'>, ownAddr: MacAddress): string {
  let s = '';
  const rsn = findElement(e.elements, ElementId.RSN);
  if (rsn !== undefined) s += rsnFlagText(rsn.data);
  s += scanResultFlag(e, ownAddr) ?? '';
  if (rsn === undefined && (e.capability & CapabilityInfo.PRIVACY) !== 0) s += '[WEP]';
  if ((e.capability & CapabilityInfo.IBSS) !== 0) s += '[IBSS]';
  if ((e.capability & CapabilityInfo.ESS) !== 0) s += '[ESS]';
  return s;
}

export function scanResultsReply(table: BssTable, ownAddr: MacAddress): string {
  let s = SCAN_RESULTS_HEADER;
  for (const e of table.list()) s += `${e.bssid}\t${e.freq}\t${e.level}\t${bssFlags(e, ownAddr)}\t${printfEncode(e.ssid)}\n`;
  return s;
}

/** wps_attr_text(): the WPS lines of a BSS reply; '' without a (readable) WPS element. */
export function wpsAttrText(elements: readonly Element[]): string {
  let attrs;
  try {
    const joined = joinWpsIe(elements);
    if (joined === undefined) return '';
    attrs = parseWscTlvs(joined).attrs;
  } catch (e) {
    if (e instanceof WpsIeError || e instanceof WscProtocolError) return '';
    throw e;
  }
  // The last of a repeated attribute counts, as wps_parse_msg keeps the last pointer.
  const get = (t: number): Buffer | undefined => {
    let v: Buffer | undefined;
    for (const a of attrs) if (a.type === t) v = a.value;
    return v;
  };
  let s = '';
  const state = get(AttributeType.WifiProtectedSetupState);
  if (state?.length === 1) {
    if (state[0] === WpsState.NotConfigured) s += 'wps_state=unconfigured\n';
    else if (state[0] === WpsState.Configured) s += 'wps_state=configured\n';
  }
  const locked = get(AttributeType.ApSetupLocked);
  if (locked?.length === 1 && locked[0] !== 0) s += 'wps_ap_setup_locked=1\n';
  const sel = get(AttributeType.SelectedRegistrar);
  if (sel?.length === 1 && sel[0] !== 0) s += 'wps_selected_registrar=1\n';
  const pw = get(AttributeType.DevicePasswordId);
  if (pw?.length === 2) s += `wps_device_password_id=${pw.readUInt16BE(0)}\n`;
  const selMethods = get(AttributeType.SelectedRegistrarConfigMethods);
  if (selMethods?.length === 2) s += `wps_selected_registrar_config_methods=0x${selMethods.readUInt16BE(0).toString(16).padStart(4, '0')}\n`;
  const devType = get(AttributeType.PrimaryDeviceType);
  if (devType?.length === 8) s += `wps_primary_device_type=${formatDeviceType(devType)}\n`;
  const name = get(AttributeType.DeviceName);
  if (name !== undefined) {
    // wps_attr_text replaces NUL and control characters by '_'.
    const text = [...name].map((c) => (c === 0 || c < 32 || c === 127 ? 0x5f : c));
    s += `wps_device_name=${Buffer.from(text).toString('latin1')}\n`;
  }
  const methods = get(AttributeType.ConfigMethods);
  if (methods?.length === 2) s += `wps_config_methods=0x${methods.readUInt16BE(0).toString(16).padStart(4, '0')}\n`;
  return s;
}

/** print_bss_info() with the default mask, as far as a sim BSS has the values. */
export function bssReply(table: BssTable, e: BssEntry, ownAddr: MacAddress): string {
  const hex = (els: readonly Element[]): string => Buffer.from(buildElements(els)).toString('hex');
  let s =
    `id=${e.id}\nbssid=${e.bssid}\nfreq=${e.freq}\nbeacon_int=${e.beaconInterval}\n` +
    `capabilities=0x${e.capability.toString(16).padStart(4, '0')}\nqual=0\nnoise=0\nlevel=${e.level}\n` +
    `tsf=${'0'.repeat(16)}\nage=${table.age(e)}\nie=${hex(e.elements)}\nflags=${bssFlags(e, ownAddr)}\n` +
    `ssid=${printfEncode(e.ssid)}\n`;
  s += wpsAttrText(e.elements);
  s += `update_idx=${e.updateIdx}\n`;
  if (e.beaconElements !== undefined && e.beaconElements.length > 0) s += `beacon_ie=${hex(e.beaconElements)}\n`;
  return s;
}

/**
 * BSS <id|bssid|FIRST|LAST|NEXT-<id>|PREV-<id>>: the entry or undefined
 * (wpa_supplicant then answers with an empty reply).
 */
export function selectBss(table: BssTable, arg: string): BssEntry | undefined {
  const list = table.list();
  if (arg === 'FIRST') return list[0];
  if (arg === 'LAST') return list[list.length - 1];
  const step = /^(NEXT|PREV)-(\d{1,9})$/.exec(arg);
  if (step) {
    const id = Number(step[2]);
    const i = list.findIndex((e) => e.id === id);
    if (i < 0) return undefined;
    return step[1] === 'NEXT' ? list[i + 1] : list[i - 1];
  }
  if (/^\d{1,9}$/.test(arg)) return table.byId(Number(arg));
  if (/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(arg)) return table.byBssid(arg.toLowerCase());
  return undefined;
}
