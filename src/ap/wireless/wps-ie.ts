/**
 * The AP's WPS element for Beacons and Probe Responses, attribute for
 * attribute in hostapd's order (wps_registrar.c wps_set_ie):
 *
 *   Beacon:         Version, WPS State, [AP Setup Locked], [Selected Registrar,
 *                   Device Password ID, Selected Registrar Config Methods],
 *                   [UUID-E: PBC on a dual-band AP], [RF Bands: dual-band],
 *                   WFA extension (Version2, AuthorizedMACs)
 *   Probe Response: Version, WPS State, [AP Setup Locked], [Selected Registrar,
 *                   Device Password ID, Selected Registrar Config Methods],
 *                   Response Type, UUID-E, Manufacturer, Model Name, Model
 *                   Number, Serial Number, Primary Device Type, Device Name,
 *                   Config Methods (without push button bits),
 *                   [RF Bands: dual-band], WFA extension
 *
 * The selected-registrar part comes from RegistrarContext.view (src/wps).
 */
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes, type Attribute } from '../../wps/attributes.js';
import { buildDeviceAttributes, type DeviceInfo } from '../../wps/device.js';
import { DevicePasswordId, ResponseType, WPS_VERSION, WPS_VERSION2 } from '../../wps/values.js';
import { buildWfaExtension, MAX_AUTHORIZED_MACS } from '../../wps/vendor-ext.js';
import { fragmentWpsIe } from '../../radio/wps-ie.js';
import { PUSHBUTTON_METHODS, type SelectedRegistrarView } from '../../wps/registrar-context.js';
import type { Element } from '../../radio/elements.js';

export interface ApWpsIeConfig {
  /** WPS State: 1 not configured, 2 configured (hostapd wps_state). */
  wpsState: number;
  /** hostapd advertises AP Setup Locked only for ap_setup_locked=1 (not 2, "learn only"). */
  apSetupLocked: boolean;
  /** The AP's device data; `uuid` is UUID-E, `configMethods` the AP's config_methods. */
  device: Pick<DeviceInfo, 'uuid' | 'manufacturer' | 'modelName' | 'modelNumber' | 'serialNumber' | 'primaryDeviceType' | 'deviceName' | 'configMethods' | 'rfBands'>;
  /** hostapd adds RF Bands (and UUID-E for PBC in beacons) only on a dual-band AP. */
  dualBand?: boolean;
  /** Response Type in Probe Responses; AP (3) unless the device is a plain Registrar. */
  responseType?: number;
  /** Send the WFA extension (WPS 2.0); default true. */
  version2?: boolean;
}

export const NOT_SELECTED: SelectedRegistrarView = { selected: false, devicePasswordId: 0, configMethods: 0, authorizedMacs: [], pbc: false };

function head(cfg: ApWpsIeConfig, sel: SelectedRegistrarView): Attribute[] {
  const out: Attribute[] = [attrU8(AttributeType.Version, WPS_VERSION), attrU8(AttributeType.WifiProtectedSetupState, cfg.wpsState)];
  if (cfg.apSetupLocked) out.push(attrU8(AttributeType.ApSetupLocked, 1));
  if (sel.selected) {
    out.push(
      attrU8(AttributeType.SelectedRegistrar, 1),
      attrU16(AttributeType.DevicePasswordId, sel.devicePasswordId),
      attrU16(AttributeType.SelectedRegistrarConfigMethods, sel.configMethods),
    );
  }
  return out;
}

function wfa(cfg: ApWpsIeConfig, sel: SelectedRegistrarView): Attribute[] {
  if (cfg.version2 === false) return [];
  const macs = sel.authorizedMacs.slice(0, MAX_AUTHORIZED_MACS);
  return [buildWfaExtension(macs.length > 0 ? { version2: WPS_VERSION2, authorizedMacs: macs } : { version2: WPS_VERSION2 })];
}

/** The WSC attributes of the Beacon WPS element. */
export function buildBeaconWpsAttributes(cfg: ApWpsIeConfig, sel: SelectedRegistrarView): Buffer {
  const attrs = head(cfg, sel);
  if (sel.selected && sel.devicePasswordId === DevicePasswordId.PushButton && cfg.dualBand === true) attrs.push(attrBytes(AttributeType.UuidE, cfg.device.uuid));
  if (cfg.dualBand === true) attrs.push(attrU8(AttributeType.RfBands, cfg.device.rfBands));
  attrs.push(...wfa(cfg, sel));
  return encodeAttributes(attrs);
}

/** The WSC attributes of the Probe Response WPS element. */
export function buildProbeResponseWpsAttributes(cfg: ApWpsIeConfig, sel: SelectedRegistrarView): Buffer {
  const attrs = head(cfg, sel);
  attrs.push(attrU8(AttributeType.ResponseType, cfg.responseType ?? ResponseType.Ap), attrBytes(AttributeType.UuidE, cfg.device.uuid));
  attrs.push(...buildDeviceAttributes(cfg.device));
  // The methods the AP offers as an Enrollee to external Registrars: never push button (hostapd).
  attrs.push(attrU16(AttributeType.ConfigMethods, cfg.device.configMethods & ~PUSHBUTTON_METHODS & 0xffff));
  if (cfg.dualBand === true) attrs.push(attrU8(AttributeType.RfBands, cfg.device.rfBands));
  attrs.push(...wfa(cfg, sel));
  return encodeAttributes(attrs);
}

/** Both elements, split into 251-octet WPS elements as hostapd's wps_ie_encapsulate() does. */
export function buildApWpsElements(cfg: ApWpsIeConfig, sel: SelectedRegistrarView): { beaconElements: Element[]; probeResponseElements: Element[] } {
  return {
    beaconElements: fragmentWpsIe(buildBeaconWpsAttributes(cfg, sel)),
    probeResponseElements: fragmentWpsIe(buildProbeResponseWpsAttributes(cfg, sel)),
  };
}

/** The WPS element of a (Re)Association Response to a WPS station: Version, Response Type AP, WFA extension (hostapd wps_build_assoc_resp_ie). */
export function buildAssocResponseWpsElements(version2 = true): Element[] {
  const attrs: Attribute[] = [attrU8(AttributeType.Version, WPS_VERSION), attrU8(AttributeType.ResponseType, ResponseType.Ap)];
  if (version2) attrs.push(buildWfaExtension({ version2: WPS_VERSION2 }));
  return fragmentWpsIe(encodeAttributes(attrs));
}
