/**
 * What an AP reads from the WPS element of a station's Probe Request
 * (hostapd wps_registrar_probe_req_rx): Request Type, UUID-E, Device
 * Password ID (PushButton = the station is in PBC mode), config methods,
 * device name, Version2 / Request to Enroll; and the PBC session it implies.
 * Parsing is total: a malformed element gives a ProbeRequestWpsError.
 */
import { AttributeType } from '../../wps/attributes.js';
import { parseWscTlvs, WscProtocolError, type WscTlvs } from '../../wps/message.js';
import { DevicePasswordId } from '../../wps/values.js';
import { joinWpsIe, WpsIeError } from '../../radio/wps-ie.js';
import type { Element } from '../../radio/elements.js';
import type { PbcSessions } from '../../wps/pbc.js';
import { macToBytes, type MacAddress } from '../../radio/mac.js';
import { WpsdError } from '../../common/errors.js';

/** Device Name is at most 32 octets (WSC 2.0); longer ones are ignored, as hostapd does. */
export const PROBE_DEVICE_NAME_MAX = 32;

export class ProbeRequestWpsError extends WpsdError<'MALFORMED' | 'BAD_ATTRIBUTE'> {}

export interface ProbeRequestWps {
  requestType?: number;
  configMethods?: number;
  uuidE?: Buffer;
  primaryDeviceType?: Buffer;
  devicePasswordId?: number;
  deviceName?: string;
  version2: boolean;
  requestToEnroll: boolean;
  /** Device Password ID PushButton: the station has its button pressed. */
  pbc: boolean;
}

/** Parses the joined WSC attributes of a Probe Request's WPS element. */
export function parseProbeRequestWps(attributes: Uint8Array): ProbeRequestWps {
  let tlvs: WscTlvs;
  try {
    tlvs = parseWscTlvs(attributes);
  } catch (e) {
    if (e instanceof WscProtocolError) throw new ProbeRequestWpsError(e.code === 'MALFORMED' ? 'MALFORMED' : 'BAD_ATTRIBUTE', e.message);
    throw e;
  }
  const out: ProbeRequestWps = { version2: tlvs.wfa?.version2 !== undefined, requestToEnroll: tlvs.wfa?.requestToEnroll === true, pbc: false };
  for (const a of tlvs.attrs) {
    switch (a.type) {
      case AttributeType.RequestType:
        out.requestType ??= a.value.readUInt8(0);
        break;
      case AttributeType.ConfigMethods:
        out.configMethods ??= a.value.readUInt16BE(0);
        break;
      case AttributeType.UuidE:
        out.uuidE ??= Buffer.from(a.value);
        break;
      case AttributeType.PrimaryDeviceType:
        out.primaryDeviceType ??= Buffer.from(a.value);
        break;
      case AttributeType.DevicePasswordId:
        out.devicePasswordId ??= a.value.readUInt16BE(0);
        break;
      case AttributeType.DeviceName:
        if (a.value.length <= PROBE_DEVICE_NAME_MAX) out.deviceName ??= a.value.toString('utf8');
        break;
      default:
        break;
    }
  }
  out.pbc = out.devicePasswordId === DevicePasswordId.PushButton;
  return out;
}

/** The WPS part of a Probe Request's elements, or undefined when it carries none. */
export function probeRequestWps(elements: readonly Element[]): ProbeRequestWps | undefined {
  let joined;
  try {
    joined = joinWpsIe(elements);
  } catch (e) {
    if (e instanceof WpsIeError) throw new ProbeRequestWpsError('MALFORMED', e.message);
    throw e;
  }
  return joined === undefined ? undefined : parseProbeRequestWps(joined);
}

/**
 * hostapd's PBC bookkeeping for a Probe Request: a PBC Enrollee with a
 * UUID-E adds (or refreshes) its session; returns whether this shows an
 * overlap (more than one Enrollee in PBC mode within the monitor time).
 */
export function notePbcProbe(pbc: PbcSessions, sta: MacAddress, wps: ProbeRequestWps): { recorded: boolean; overlap: boolean } | undefined {
  if (!wps.pbc || wps.uuidE === undefined) return undefined;
  return pbc.probeRequest(macToBytes(sta), wps.uuidE);
}
