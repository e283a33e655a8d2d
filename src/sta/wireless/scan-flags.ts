/**
 * A station's reading of an AP's WPS element (Beacon / Probe Response), as
 * wpa_supplicant does it (src/wps/wps.c, wpa_supplicant/ctrl_iface.c,
 * wps_supplicant.c):
 *
 * - scan_results flag: "[WPS-PBC]" when a PBC Registrar is selected (Selected
 *   Registrar and Device Password ID PushButton), else "[WPS-AUTH]" when our
 *   address (or broadcast) is among the Authorized MACs, else "[WPS-PIN]"
 *   when a PIN Registrar is selected, else "[WPS]".
 * - after a scan, one event for all BSSes: WPS-AP-AVAILABLE-PBC if any AP has
 *   PBC, else -AUTH, else -PIN, else WPS-AP-AVAILABLE if any AP has WPS.
 *
 * Parsing is total: a malformed element is reported as a WscProtocolError; as
 * in wpa_supplicant (whose parse failure makes every check false) a BSS
 * with a malformed WPS element shows just "[WPS]".
 */
import { BROADCAST_MAC } from '../../wfa/set-selected-registrar.js';
import { CtrlEvent } from '../../ctrl/event-names.js';
import { AttributeType } from '../../wps/attributes.js';
import { parseWscTlvs, WscProtocolError } from '../../wps/message.js';
import { DevicePasswordId } from '../../wps/values.js';
import { joinWpsIe, WpsIeError } from '../../radio/wps-ie.js';
import type { Element } from '../../radio/elements.js';
import type { ScanResult } from '../../radio/driver.js';
import { macToBytes, type MacAddress } from '../../radio/mac.js';


/** The attributes of an AP's WPS element that station-side decisions use. */
export interface ApWpsInfo {
  wpsState?: number;
  apSetupLocked: boolean;
  selectedRegistrar: boolean;
  devicePasswordId?: number;
  selectedRegistrarConfigMethods?: number;
  responseType?: number;
  uuidE?: Buffer;
  configMethods?: number;
  deviceName?: string;
  /** WFA Version2 present: a WPS 2.0 AP. */
  version2: boolean;
  authorizedMacs: Buffer[];
}

/** Parses the joined WSC attributes of an AP's WPS element (wps_parse_msg, src/wps); throws WscProtocolError. */
export function parseApWpsIe(attributes: Uint8Array): ApWpsInfo {
  const tlvs = parseWscTlvs(attributes);
  const attrs = tlvs.attrs;
  const info: ApWpsInfo = { apSetupLocked: false, selectedRegistrar: false, version2: false, authorizedMacs: [] };
  if (tlvs.wfa?.version2 !== undefined) info.version2 = true;
  if (tlvs.wfa?.authorizedMacs !== undefined) info.authorizedMacs = tlvs.wfa.authorizedMacs.map((m) => Buffer.from(m));
  for (const a of attrs) {
    // A repeated attribute overrides the earlier one, as hostapd's wps_parse_msg() keeps the last pointer.
    switch (a.type) {
      case AttributeType.WifiProtectedSetupState:
        info.wpsState = a.value.readUInt8(0);
        break;
      case AttributeType.ApSetupLocked:
        info.apSetupLocked = a.value.readUInt8(0) !== 0;
        break;
      case AttributeType.SelectedRegistrar:
        info.selectedRegistrar = a.value.readUInt8(0) !== 0;
        break;
      case AttributeType.DevicePasswordId:
        info.devicePasswordId = a.value.readUInt16BE(0);
        break;
      case AttributeType.SelectedRegistrarConfigMethods:
        info.selectedRegistrarConfigMethods = a.value.readUInt16BE(0);
        break;
      case AttributeType.ResponseType:
        info.responseType = a.value.readUInt8(0);
        break;
      case AttributeType.UuidE:
        info.uuidE = Buffer.from(a.value);
        break;
      case AttributeType.ConfigMethods:
        info.configMethods = a.value.readUInt16BE(0);
        break;
      case AttributeType.DeviceName:
        info.deviceName = a.value.toString('utf8');
        break;
      default:
        break;
    }
  }
  return info;
}

/** wps_is_selected_pbc_registrar(): Selected Registrar with Device Password ID PushButton. */
export function isSelectedPbcRegistrar(info: ApWpsInfo): boolean {
  return info.selectedRegistrar && info.devicePasswordId === DevicePasswordId.PushButton;
}

/** wps_is_selected_pin_registrar(): Selected Registrar with any Device Password ID but PushButton. */
export function isSelectedPinRegistrar(info: ApWpsInfo): boolean {
  return info.selectedRegistrar && info.devicePasswordId !== DevicePasswordId.PushButton;
}

/**
 * wps_is_addr_authorized(): 2 when `addr` is listed, 1 when broadcast is,
 * 0 otherwise. With `ver1Compat` a WPS 1.0 AP (no Version2) falls back to
 * "a PIN Registrar is selected".
 */
export function addrAuthorization(info: ApWpsInfo, addr: MacAddress, ver1Compat: boolean): 0 | 1 | 2 {
  if (!info.version2 && ver1Compat) return isSelectedPinRegistrar(info) ? 1 : 0;
  const own = Buffer.from(macToBytes(addr));
  for (const m of info.authorizedMacs) {
    if (m.equals(own)) return 2;
    if (m.equals(BROADCAST_MAC)) return 1;
  }
  return 0;
}

export type WpsScanFlag = '[WPS-PBC]' | '[WPS-AUTH]' | '[WPS-PIN]' | '[WPS]';

/** The WPS flag of scan_results for a BSS with this WPS element. */
export function wpsScanFlag(info: ApWpsInfo, ownAddr: MacAddress): WpsScanFlag {
  if (isSelectedPbcRegistrar(info)) return '[WPS-PBC]';
  if (addrAuthorization(info, ownAddr, false) !== 0) return '[WPS-AUTH]';
  if (isSelectedPinRegistrar(info)) return '[WPS-PIN]';
  return '[WPS]';
}

/** The WPS element of a scan result, parsed; undefined without one; 'malformed' when it cannot be read. */
export function scanResultWps(elements: readonly Element[]): ApWpsInfo | 'malformed' | undefined {
  try {
    const joined = joinWpsIe(elements);
    return joined === undefined ? undefined : parseApWpsIe(joined);
  } catch (e) {
    if (e instanceof WscProtocolError || e instanceof WpsIeError) return 'malformed';
    throw e;
  }
}

/** The flag for a scan result, undefined for a BSS without WPS. */
export function scanResultFlag(result: Pick<ScanResult, 'elements'>, ownAddr: MacAddress): WpsScanFlag | undefined {
  const wps = scanResultWps(result.elements);
  if (wps === undefined) return undefined;
  return wps === 'malformed' ? '[WPS]' : wpsScanFlag(wps, ownAddr);
}

export type WpsApAvailableEvent =
  | typeof CtrlEvent.WpsApAvailablePbc
  | typeof CtrlEvent.WpsApAvailableAuth
  | typeof CtrlEvent.WpsApAvailablePin
  | typeof CtrlEvent.WpsApAvailable;

/** wpas_wps_notify_scan_results(): the one event a scan gives, or undefined when no BSS has WPS. */
export function wpsApAvailableEvent(results: readonly Pick<ScanResult, 'elements'>[], ownAddr: MacAddress): WpsApAvailableEvent | undefined {
  let pbc = 0;
  let auth = 0;
  let pin = 0;
  let wps = 0;
  for (const r of results) {
    const flag = scanResultFlag(r, ownAddr);
    if (flag === '[WPS-PBC]') pbc++;
    else if (flag === '[WPS-AUTH]') auth++;
    else if (flag === '[WPS-PIN]') pin++;
    else if (flag === '[WPS]') wps++;
  }
  if (pbc > 0) return CtrlEvent.WpsApAvailablePbc;
  if (auth > 0) return CtrlEvent.WpsApAvailableAuth;
  if (pin > 0) return CtrlEvent.WpsApAvailablePin;
  if (wps > 0) return CtrlEvent.WpsApAvailable;
  return undefined;
}
