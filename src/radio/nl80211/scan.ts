/**
 * Scanning over nl80211 as wpa_supplicant does: TRIGGER_SCAN with the SSIDs
 * to probe for, the frequencies, and extra Probe Request elements (the WPS
 * element); the kernel answers NEW_SCAN_RESULTS (or SCAN_ABORTED) on the
 * "scan" multicast group, and GET_SCAN dumps its BSS table. The FLUSH flag
 * drops BSSes this scan did not see, so a result list is this scan's.
 */
import { type Element, ElementId, buildElements, findElement, parseElements, ElementError } from '../elements.js';
import { macFromBytes } from '../mac.js';
import type { ScanResult } from '../driver.js';
import { buildAttribute, parseAttributes, attrU16, attrU32, NetlinkError, type NetlinkAttribute } from './netlink-message.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';

/** enum nl80211_bss. */
export const BssAttr = {
  BSSID: 1,
  FREQUENCY: 2,
  TSF: 3,
  BEACON_INTERVAL: 4,
  CAPABILITY: 5,
  INFORMATION_ELEMENTS: 6,
  SIGNAL_MBM: 7,
  STATUS: 9,
  SEEN_MS_AGO: 10,
  BEACON_IES: 11,
  PRESP_DATA: 14,
} as const;
/** NL80211_SCAN_FLAG_FLUSH. */
export const SCAN_FLAG_FLUSH = 1 << 1;
/** Extra Probe Request elements the kernel accepts (max_scan_ie_len of mac80211_hwsim is larger; hostapd's WPS IE is ~100). */
export const MAX_SCAN_IE_LEN = 1024;

/** MHz of a 2.4 / 5 GHz channel number, 0 when it is neither. */
export function channelFreq(channel: number): number {
  if (channel === 14) return 2484;
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return 0;
}

/** Channel number of a 2.4 / 5 GHz frequency, 0 when it is neither. */
export function freqChannel(freq: number): number {
  if (freq === 2484) return 14;
  if (freq >= 2412 && freq <= 2472) return (freq - 2407) / 5;
  if (freq >= 5160 && freq <= 5885) return (freq - 5000) / 5;
  return 0;
}

/** NL80211_ATTR_SCAN_SSIDS / SCAN_FREQUENCIES are lists of attributes numbered from 1. */
function list(items: Uint8Array[]): Buffer {
  return Buffer.concat(items.map((p, i) => buildAttribute(i + 1, p)));
}

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export interface TriggerScanAttrs {
  scanSsids: Buffer;
  scanFrequencies?: Buffer;
  ie?: Buffer;
  scanFlags: number;
}

/** The attributes of TRIGGER_SCAN: a wildcard or directed SSID, the channels, the extra elements. */
export function triggerScanAttrs(p: { ssid?: Uint8Array; channels?: readonly number[]; elements?: readonly Element[] }): TriggerScanAttrs {
  if (p.ssid !== undefined && p.ssid.length > SSID_MAX_LEN) throw new RangeError(`SSID of ${p.ssid.length} octets exceeds ${SSID_MAX_LEN}`);
  const out: TriggerScanAttrs = { scanSsids: list([p.ssid ?? new Uint8Array(0)]), scanFlags: SCAN_FLAG_FLUSH };
  if (p.channels !== undefined && p.channels.length > 0) {
    const freqs = p.channels.map((c) => channelFreq(c));
    const bad = p.channels.find((_c, i) => freqs[i] === 0);
    if (bad !== undefined) throw new RangeError(`channel ${bad} is not a 2.4 or 5 GHz channel`);
    out.scanFrequencies = list(freqs.map(u32));
  }
  if (p.elements !== undefined && p.elements.length > 0) {
    const ie = Buffer.from(buildElements(p.elements));
    if (ie.length > MAX_SCAN_IE_LEN) throw new RangeError(`${ie.length} octets of Probe Request elements exceed ${MAX_SCAN_IE_LEN}`);
    out.ie = ie;
  }
  return out;
}

/**
 * One BSS of a GET_SCAN dump (NL80211_ATTR_BSS, nested). Returns undefined
 * for an entry without BSSID or frequency; a malformed element list keeps
 * the BSS with no elements rather than failing the whole scan.
 */
export function parseBss(nested: Uint8Array): ScanResult | undefined {
  let attrs: NetlinkAttribute[];
  try {
    attrs = parseAttributes(nested);
  } catch (err) {
    if (err instanceof NetlinkError) return undefined;
    throw err;
  }
  const get = (t: number): NetlinkAttribute | undefined => attrs.find((a) => a.type === t);
  const bssid = get(BssAttr.BSSID);
  const freq = get(BssAttr.FREQUENCY);
  if (bssid === undefined || bssid.payload.length !== 6 || freq === undefined || freq.payload.length < 4) return undefined;
  const ies = get(BssAttr.INFORMATION_ELEMENTS);
  const beaconIes = get(BssAttr.BEACON_IES);
  const elements = safeElements(ies?.payload);
  const capability = get(BssAttr.CAPABILITY);
  const interval = get(BssAttr.BEACON_INTERVAL);
  const ds = findElement(elements, ElementId.DS_PARAMETER_SET)?.data;
  const r: ScanResult = {
    bssid: macFromBytes(bssid.payload),
    channel: ds !== undefined && ds.length === 1 && (ds[0] ?? 0) !== 0 ? (ds[0] as number) : freqChannel(attrU32(freq)),
    ssid: findElement(elements, ElementId.SSID)?.data ?? new Uint8Array(0),
    capability: capability !== undefined && capability.payload.length >= 2 ? attrU16(capability) : 0,
    beaconInterval: interval !== undefined && interval.payload.length >= 2 ? attrU16(interval) : 0,
    elements,
    fromProbeResponse: get(BssAttr.PRESP_DATA) !== undefined,
  };
  if (beaconIes !== undefined) r.beaconElements = safeElements(beaconIes.payload);
  return r;
}

function safeElements(b: Uint8Array | undefined): Element[] {
  if (b === undefined) return [];
  try {
    return parseElements(b);
  } catch (err) {
    if (err instanceof ElementError) return [];
    throw err;
  }
}
