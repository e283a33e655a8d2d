/**
 * What an nl80211 AP hands the kernel, built from ApParams without I/O
 * (hostapd's ieee802_11_build_ap_params / wpa_driver_nl80211_set_ap):
 *
 * - the Beacon template split in two: the head (MAC header, fixed fields,
 *   SSID, Supported Rates, DS Parameter Set) and the tail (Extended Supported
 *   Rates and the daemon's elements); mac80211 puts the TIM between them;
 * - the Probe Response to a Probe Request, which user space answers on
 *   mac80211 drivers without probe-response offload (mac80211_hwsim);
 * - the crypto settings of START_AP, read from the RSN element advertised;
 * - the management frame types the AP registers for.
 */
import { type Element, ElementId, ssidElement, defaultRateElements, dsParameterSetElement, findElement, buildElements } from '../elements.js';
import { type ManagementFrame, managementFrame, buildFrame, ManagementSubtype } from '../frame.js';
import { type MacAddress, BROADCAST_ADDRESS } from '../mac.js';
import { parseRsnElement, RsnError } from '../rsn-ie.js';
import { DriverError, type ApParams } from '../driver.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';
import { answersProbe } from '../probe-answer.js';

/** 802.11 MAC header (24) + Timestamp (8) + Beacon Interval (2) + Capability (2). */
export const BEACON_FIXED_LEN = 36;
/** Beacon interval bounds in TU (hostapd's beacon_int accepts 15..65535). */
export const BEACON_INTERVAL_MIN_TU = 15;
export const BEACON_INTERVAL_MAX_TU = 65535;
/** hostapd's dtim_period default. */
export const DEFAULT_DTIM_PERIOD = 2;

export interface BeaconTemplate {
  head: Uint8Array;
  tail: Uint8Array;
}

/** Rejects parameters the kernel would refuse with a bare EINVAL, in words. */
export function checkApParams(ifname: string, p: ApParams): void {
  if (p.ssid.length === 0 || p.ssid.length > SSID_MAX_LEN) throw new DriverError('BAD_CONFIG', `${ifname}: SSID of ${p.ssid.length} octets (1..${SSID_MAX_LEN})`);
  if (!Number.isInteger(p.beaconInterval) || p.beaconInterval < BEACON_INTERVAL_MIN_TU || p.beaconInterval > BEACON_INTERVAL_MAX_TU) {
    throw new DriverError('BAD_CONFIG', `${ifname}: beacon interval ${p.beaconInterval} TU outside ${BEACON_INTERVAL_MIN_TU}..${BEACON_INTERVAL_MAX_TU}`);
  }
}

/** Standard elements of the head (9.3.3.2 order): SSID, Supported Rates, DS Parameter Set. */
function headElements(p: ApParams, hide: boolean): Element[] {
  const rates = defaultRateElements();
  return [ssidElement(hide ? new Uint8Array(0) : p.ssid), rates[0] as Element, dsParameterSetElement(p.channel)];
}

/** Standard elements of the tail, before the daemon's: Extended Supported Rates. */
function tailElements(): Element[] {
  return defaultRateElements().slice(1);
}

/** The Beacon template of NL80211_ATTR_BEACON_HEAD / _TAIL for `bssid`; `elements` are the daemon's (RSN, WPS, ...). */
export function beaconTemplate(bssid: MacAddress, p: ApParams, elements: readonly Element[]): BeaconTemplate {
  const frame = managementFrame(BROADCAST_ADDRESS, bssid, bssid, {
    subtype: 'beacon',
    timestamp: 0n,
    beaconInterval: p.beaconInterval,
    capability: p.capability,
    elements: headElements(p, p.hideSsid ?? false),
  });
  return { head: buildFrame(frame), tail: buildElements([...tailElements(), ...elements]) };
}

/**
 * The answer to a Probe Request with `probeElements` from `sta`, or undefined
 * when this BSS does not answer it: a directed probe for another SSID, or a
 * wildcard probe while the SSID is hidden (hostapd handle_probe_req).
 */
export function probeResponseFor(bssid: MacAddress, sta: MacAddress, p: ApParams, elements: readonly Element[], probeElements: readonly Element[]): ManagementFrame | undefined {
  if (!answersProbe(p, probeElements)) return undefined;
  return managementFrame(sta, bssid, bssid, {
    subtype: 'probe-response',
    // The driver (mac80211_hwsim) stamps its TSF into Beacons and Probe Responses.
    timestamp: 0n,
    beaconInterval: p.beaconInterval,
    capability: p.capability,
    elements: [...headElements(p, false), ...tailElements(), ...elements],
  });
}

/** NL80211_ATTR_AKM_SUITES, _CIPHER_SUITES_PAIRWISE, _CIPHER_SUITE_GROUP of START_AP (with WPA version 2). */
export interface ApCrypto {
  akmSuite: number;
  pairwiseCipher: number;
  groupCipher: number;
}

/**
 * The crypto settings announced by the RSN element among `elements`, or
 * undefined for an open BSS. The netlink attribute carries one AKM and one
 * pairwise cipher here: wpsd advertises WPA2-PSK with CCMP only.
 */
export function apCrypto(ifname: string, elements: readonly Element[]): ApCrypto | undefined {
  const e = findElement(elements, ElementId.RSN);
  if (e === undefined) return undefined;
  try {
    const rsn = parseRsnElement(e.data);
    const akm = rsn.akmSuites?.[0];
    const pairwise = rsn.pairwiseCiphers?.[0];
    if (akm === undefined || pairwise === undefined || rsn.groupCipher === undefined) {
      throw new DriverError('BAD_CONFIG', `${ifname}: the RSN element names no group cipher, pairwise cipher or AKM`);
    }
    return { akmSuite: akm, pairwiseCipher: pairwise, groupCipher: rsn.groupCipher };
  } catch (err) {
    if (err instanceof RsnError) throw new DriverError('BAD_CONFIG', `${ifname}: invalid RSN element: ${err.message}`);
    throw err;
  }
}

/** What an AP with user-space MLME receives (hostapd nl80211_mgmt_subscribe_ap plus Probe Requests). */
export const AP_RX_SUBTYPES: readonly number[] = [
  ManagementSubtype.PROBE_REQ,
  ManagementSubtype.AUTH,
  ManagementSubtype.ASSOC_REQ,
  ManagementSubtype.REASSOC_REQ,
  ManagementSubtype.DISASSOC,
  ManagementSubtype.DEAUTH,
  ManagementSubtype.ACTION,
];

/** NL80211_STA_FLAG_* bit numbers (linux/nl80211.h). */
export const StaFlag = { AUTHORIZED: 1, SHORT_PREAMBLE: 2, WME: 3, MFP: 4, AUTHENTICATED: 5, TDLS_PEER: 6, ASSOCIATED: 7 } as const;

/** struct nl80211_sta_flag_update (NL80211_ATTR_STA_FLAGS2): mask, then set, both u32 in host order. */
export function staFlagUpdate(mask: readonly number[], set: readonly number[]): Buffer {
  const b = Buffer.alloc(8);
  const bits = (l: readonly number[]): number => l.reduce((acc, f) => (acc | (1 << f)) >>> 0, 0);
  b.writeUInt32LE(bits(mask), 0);
  b.writeUInt32LE(bits(set), 4);
  return b;
}

/** The Supported Rates and Extended Supported Rates of a (Re)Association Request, as NL80211_ATTR_STA_SUPPORTED_RATES. */
export function stationRates(elements: readonly Element[]): Buffer {
  const out: number[] = [];
  for (const e of elements) if (e.id === ElementId.SUPPORTED_RATES || e.id === ElementId.EXTENDED_SUPPORTED_RATES) out.push(...e.data);
  return Buffer.from(out);
}
