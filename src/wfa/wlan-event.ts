/**
 * The WLANEvent state variable of WFAWLANConfig 1.0, as hostapd's
 * upnp_wps_device_send_wlan_event builds it and wpa_supplicant's ER reads
 * it: base64 of
 *   WLANEventType (1 byte: 1 = Probe Request, 2 = EAP)
 *   WLANEventMAC  (17 characters, "xx:xx:xx:xx:xx:xx")
 *   message       (Probe Request: the WPS element's attributes; EAP: one WSC message)
 *
 * API:
 *   WlanEventType { ProbeRequest: 1, Eap: 2 }
 *   encodeWlanEvent(type, mac, message): Buffer       the bytes
 *   buildWlanEvent(type, mac, message): string        the evented value (72-column base64)
 *   parseWlanEventBytes(raw) / parseWlanEvent(text): WlanEvent   throw WlanEventError
 */
import { Base64Error, decodeBase64 } from '../upnp/base64.js';
import { base64Lines } from './base64-lines.js';
import { WLAN_EVENT_MAC_TEXT_LEN, formatWlanEventMac, parseStrictWlanEventMac } from './wlan-event-mac.js';
import { WpsdError } from '../common/errors.js';

export const WlanEventType = {
  ProbeRequest: 1,
  Eap: 2,
} as const;
export type WlanEventType = (typeof WlanEventType)[keyof typeof WlanEventType];

export const WLAN_EVENT_HEADER_LEN = 1 + WLAN_EVENT_MAC_TEXT_LEN;
/** Largest decoded WLANEvent accepted: a WSC message plus header (EAP messages are far smaller). */
export const WLAN_EVENT_MAX_BYTES = 8192;

export type WlanEventErrorCode = 'BAD_BASE64' | 'TOO_SHORT' | 'TOO_LARGE' | 'BAD_TYPE' | 'BAD_MAC';

export class WlanEventError extends WpsdError<WlanEventErrorCode> {}

export interface WlanEvent {
  type: WlanEventType;
  /** The Enrollee's MAC address (6 bytes). */
  macAddress: Buffer;
  /** The attributes that followed the header (may be empty). */
  message: Buffer;
}

/** Parses the decoded bytes; throws WlanEventError. */
export function parseWlanEventBytes(raw: Uint8Array): WlanEvent {
  if (raw.length > WLAN_EVENT_MAX_BYTES) throw new WlanEventError('TOO_LARGE', `WLANEvent of ${raw.length} bytes exceeds ${WLAN_EVENT_MAX_BYTES}`);
  if (raw.length < WLAN_EVENT_HEADER_LEN) throw new WlanEventError('TOO_SHORT', `WLANEvent of ${raw.length} bytes is shorter than its ${WLAN_EVENT_HEADER_LEN}-byte header`);
  const buf = Buffer.from(raw);
  const type = buf[0];
  if (type !== WlanEventType.ProbeRequest && type !== WlanEventType.Eap) throw new WlanEventError('BAD_TYPE', `unknown WLANEventType ${String(type)}`);
  const mac = parseStrictWlanEventMac(buf.subarray(1, WLAN_EVENT_HEADER_LEN).toString('latin1'));
  if (mac === undefined) throw new WlanEventError('BAD_MAC', 'WLANEventMAC is not xx:xx:xx:xx:xx:xx');
  return { type, macAddress: mac, message: Buffer.from(buf.subarray(WLAN_EVENT_HEADER_LEN)) };
}

/** Parses the base64 text of a WLANEvent property; throws WlanEventError. */
export function parseWlanEvent(text: string): WlanEvent {
  let raw: Uint8Array;
  try {
    raw = decodeBase64(text, WLAN_EVENT_MAX_BYTES);
  } catch (e) {
    if (e instanceof Base64Error) throw new WlanEventError(e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'BAD_BASE64', `WLANEvent: ${e.message}`);
    throw e;
  }
  return parseWlanEventBytes(raw);
}

/** The bytes of a WLANEvent. */
export function encodeWlanEvent(type: WlanEventType, macAddress: Uint8Array, message: Uint8Array): Buffer {
  if (macAddress.length !== 6) throw new WlanEventError('BAD_MAC', 'MAC address must be 6 bytes');
  return Buffer.concat([Buffer.from([type]), Buffer.from(formatWlanEventMac(macAddress), 'latin1'), Buffer.from(message)]);
}

/** The evented value of a WLANEvent, laid out as hostapd sends it. */
export function buildWlanEvent(type: WlanEventType, macAddress: Uint8Array, message: Uint8Array): string {
  return base64Lines(encodeWlanEvent(type, macAddress, message));
}
