/**
 * The station's WPS elements, attribute for attribute as wpa_supplicant
 * builds them (src/wps/wps.c):
 *
 * - Probe Request (wps_build_probe_req_ie): Version, Request Type, Config
 *   Methods, UUID-E, Primary Device Type, RF Bands, Association State (not
 *   associated), Configuration Error (no error), Device Password ID,
 *   Manufacturer, Model Name, Model Number, Device Name, WFA extension
 *   (Version2, Request to Enroll for an Enrollee).
 * - (Re)Association Request (wps_build_assoc_req_ie): Version, Request
 *   Type, WFA extension (Version2).
 * Plus the Multi-AP element (Backhaul STA) of a Multi-AP backhaul station.
 */
import { AttributeType, attrBytes, attrU16, attrU8, encodeAttributes, type Attribute } from '../../wps/attributes.js';
import type { DeviceInfo } from '../../wps/device.js';
import { AssociationState, ConfigError, DevicePasswordId, RequestType, WPS_VERSION, WPS_VERSION2 } from '../../wps/values.js';
import { buildWfaExtension } from '../../wps/vendor-ext.js';
import { fragmentWpsIe } from '../../radio/wps-ie.js';
import type { Element } from '../../radio/elements.js';
import { backhaulStaElement } from './multi-ap-sta.js';

/** A string attribute, a space when empty (hostapd without CONFIG_WPS_STRICT does so). */
function text(type: number, value: string): Attribute {
  return { type, value: Buffer.from(value.length === 0 ? ' ' : value, 'utf8') };
}

export interface ProbeWpsOptions {
  device: Pick<DeviceInfo, 'uuid' | 'configMethods' | 'primaryDeviceType' | 'rfBands' | 'manufacturer' | 'modelName' | 'modelNumber' | 'deviceName'>;
  /** PushButton while PBC is active, else Default (a PIN, or just looking). */
  devicePasswordId?: number;
  /** WPS_REQ_ENROLLEE (1) while enrolling, Registrar (2) for wps_reg, EnrolleeInfo (0) when just scanning. */
  requestType?: number;
  version2?: boolean;
}

/** The WSC attributes of the Probe Request WPS element. */
export function buildProbeRequestWpsAttributes(o: ProbeWpsOptions): Buffer {
  const d = o.device;
  const requestType = o.requestType ?? RequestType.EnrolleeOpen8021X;
  const attrs: Attribute[] = [
    attrU8(AttributeType.Version, WPS_VERSION),
    attrU8(AttributeType.RequestType, requestType),
    attrU16(AttributeType.ConfigMethods, d.configMethods),
    attrBytes(AttributeType.UuidE, d.uuid),
    attrBytes(AttributeType.PrimaryDeviceType, d.primaryDeviceType),
    attrU8(AttributeType.RfBands, d.rfBands),
    attrU16(AttributeType.AssociationState, AssociationState.NotAssociated),
    attrU16(AttributeType.ConfigurationError, ConfigError.NoError),
    attrU16(AttributeType.DevicePasswordId, o.devicePasswordId ?? DevicePasswordId.Default),
    text(AttributeType.Manufacturer, d.manufacturer),
    text(AttributeType.ModelName, d.modelName),
    text(AttributeType.ModelNumber, d.modelNumber),
    text(AttributeType.DeviceName, d.deviceName),
  ];
  if (o.version2 !== false) {
    // wpa_supplicant: Request to Enroll when the Request Type is Enrollee (WPS_REQ_ENROLLEE, 1).
    const enroll = requestType === RequestType.EnrolleeOpen8021X;
    attrs.push(buildWfaExtension(enroll ? { version2: WPS_VERSION2, requestToEnroll: true } : { version2: WPS_VERSION2 }));
  }
  return encodeAttributes(attrs);
}

export function buildProbeRequestWpsElements(o: ProbeWpsOptions): Element[] {
  return fragmentWpsIe(buildProbeRequestWpsAttributes(o));
}

/** The WSC attributes of the (Re)Association Request WPS element. */
export function buildAssocRequestWpsAttributes(requestType: number = RequestType.EnrolleeOpen8021X, version2 = true): Buffer {
  const attrs: Attribute[] = [attrU8(AttributeType.Version, WPS_VERSION), attrU8(AttributeType.RequestType, requestType)];
  if (version2) attrs.push(buildWfaExtension({ version2: WPS_VERSION2 }));
  return encodeAttributes(attrs);
}

/**
 * The extra elements of a WPS (Re)Association Request: the WPS element, and
 * for a Multi-AP backhaul STA the Multi-AP element with Backhaul STA set.
 */
export function buildAssocRequestElements(o: { requestType?: number; version2?: boolean; multiApBackhaulSta?: boolean } = {}): Element[] {
  const out = fragmentWpsIe(buildAssocRequestWpsAttributes(o.requestType ?? RequestType.EnrolleeOpen8021X, o.version2 ?? true));
  if (o.multiApBackhaulSta === true) out.push(backhaulStaElement());
  return out;
}
