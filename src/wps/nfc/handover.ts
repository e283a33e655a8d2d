/**
 * NFC connection handover as the daemons report it (nfc_report_handover
 * <INIT|RESP> WPS <request> <select>): the Enrollee (a station) always
 * initiates with a handover request holding its public key hash and UUID-E;
 * the Registrar (an AP, or an External Registrar) answers with a handover
 * select holding its public key hash and where the AP is. Both carrier
 * records travel as NDEF messages. Each side then runs the registration with
 * Device Password ID 0x0007, its own committed DH key, no device password,
 * and checks the peer's public key against the hash it was given.
 */
import { RfBand } from '../values.js';
import { looksLikeNdef } from './ndef.js';
import { NfcTokenError, readHandoverCarrier } from './nfc-token.js';
import { DEV_PW_NFC_CONNECTION_HANDOVER, type OobDevicePassword } from './oob-device-password.js';
import type { NfcPasswordToken } from './password-tokens.js';

export type HandoverRole = 'INIT' | 'RESP';

export interface HandoverReport {
  role: HandoverRole;
  /** The carrier type: WPS is the one this project handles (P2P is not supported). */
  type: string;
  request: Buffer;
  select: Buffer;
}

function hexMessage(what: string, hex: string): Buffer {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new NfcTokenError('BAD_NDEF', `the ${what} message is not an even number of hex digits`);
  return Buffer.from(hex, 'hex');
}

/** The four words of nfc_report_handover; throws NfcTokenError for a bad role or hex. */
export function parseHandoverReport(args: readonly string[]): HandoverReport {
  const [role, type, req, sel] = args;
  if (role === undefined || type === undefined || req === undefined || sel === undefined) {
    throw new NfcTokenError('BAD_CARRIER', 'nfc_report_handover takes <INIT|RESP> <type> <request hex> <select hex>');
  }
  if (role !== 'INIT' && role !== 'RESP') throw new NfcTokenError('BAD_CARRIER', `unsupported connection handover role ${role}`);
  return { role, type, request: hexMessage('request', req), select: hexMessage('select', sel) };
}

function ndefCarrier(what: string, bytes: Buffer): ReturnType<typeof readHandoverCarrier> {
  // hostapd and wpa_supplicant read both records with ndef_parse_wifi: raw attributes are no handover message.
  if (!looksLikeNdef(bytes)) throw new NfcTokenError('BAD_NDEF', `the handover ${what} is not an NDEF message`);
  const c = readHandoverCarrier(bytes);
  if (c.oob.passwordId !== DEV_PW_NFC_CONNECTION_HANDOVER) {
    throw new NfcTokenError('BAD_CARRIER', `unexpected OOB Device Password ID ${c.oob.passwordId} in the handover ${what}`);
  }
  return c;
}

/** What a Registrar learns from the Enrollee's handover request (hostapd_wps_nfc_report_handover). */
export interface HandoverRequestInfo {
  /** The Enrollee's public key hash: its M1 key must match it. */
  publicKeyHash: Buffer;
  uuidE: Buffer;
}

/** What the Registrar keeps of a handover request: a token of ID 0x0007 with the Enrollee's key hash and no password. */
export function handoverRequestToken(req: HandoverRequestInfo): NfcPasswordToken & OobDevicePassword {
  return { publicKeyHash: req.publicKeyHash, passwordId: DEV_PW_NFC_CONNECTION_HANDOVER, password: Buffer.alloc(0) };
}

export function readHandoverRequest(bytes: Buffer): HandoverRequestInfo {
  const c = ndefCarrier('request', bytes);
  if (c.uuidE === undefined) throw new NfcTokenError('BAD_CARRIER', 'no UUID-E in the handover request');
  return { publicKeyHash: c.oob.publicKeyHash, uuidE: c.uuidE };
}

/** What an Enrollee learns from the Registrar's handover select (wpas_wps_nfc_rx_handover_sel). */
export interface HandoverSelectInfo {
  /** The Registrar's public key hash: M2's key must match it. */
  publicKeyHash: Buffer;
  ssid: Buffer;
  bssid?: Buffer;
  /** MHz, from AP Channel and RF Bands when they name a channel wpa_supplicant knows. */
  freq?: number;
}

/** wpa_supplicant's channel-to-frequency rule for a handover select, each band only when RF Bands (if given) names it. */
function channelFreq(chan: number, bands: number | undefined): number | undefined {
  const band = (bit: number): boolean => bands === undefined || (bands & bit) !== 0;
  if (chan >= 1 && chan <= 13 && band(RfBand.Band24GHz)) return 2407 + 5 * chan;
  if (chan === 14 && band(RfBand.Band24GHz)) return 2484;
  if (chan >= 30 && band(RfBand.Band50GHz)) return 5000 + 5 * chan;
  if (chan >= 1 && chan <= 6 && band(RfBand.Band60GHz)) return 56160 + 2160 * chan;
  return undefined;
}

export function readHandoverSelect(bytes: Buffer): HandoverSelectInfo {
  const c = ndefCarrier('select', bytes);
  if (c.ssid === undefined) throw new NfcTokenError('BAD_CARRIER', 'no SSID in the handover select');
  const out: HandoverSelectInfo = { publicKeyHash: c.oob.publicKeyHash, ssid: c.ssid };
  if (c.location.macAddress !== undefined) out.bssid = c.location.macAddress;
  const freq = c.location.apChannel === undefined ? undefined : channelFreq(c.location.apChannel, c.location.rfBands);
  if (freq !== undefined) out.freq = freq;
  return out;
}
