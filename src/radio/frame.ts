/**
 * IEEE 802.11 MAC frames (802.11-2020 9.2-9.3): the MAC header and the
 * management frame bodies the WPS daemons use, plus data frames carrying
 * LLC/SNAP-encapsulated EAPOL. Frames are handled without FCS, as nl80211
 * management TX/RX and the sim medium carry them.
 */
import { type Element, parseElements, buildElements, ElementError } from './elements.js';
import { type MacAddress, MAC_LEN, macFromBytes, macToBytes } from './mac.js';
import { ETHERTYPE_EAPOL } from './eapol.js';
import { WpsdError } from '../common/errors.js';

export const MGMT_HEADER_LEN = 24;
export const ADDR4_LEN = MAC_LEN;
export const QOS_CONTROL_LEN = 2;

export const FrameType = { MANAGEMENT: 0, CONTROL: 1, DATA: 2, EXTENSION: 3 } as const;

export const ManagementSubtype = {
  ASSOC_REQ: 0,
  ASSOC_RESP: 1,
  REASSOC_REQ: 2,
  REASSOC_RESP: 3,
  PROBE_REQ: 4,
  PROBE_RESP: 5,
  BEACON: 8,
  DISASSOC: 10,
  AUTH: 11,
  DEAUTH: 12,
  ACTION: 13,
} as const;

/** Second octet of Frame Control. */
export const FcFlag = {
  TO_DS: 0x01,
  FROM_DS: 0x02,
  MORE_FRAGMENTS: 0x04,
  RETRY: 0x08,
  POWER_MANAGEMENT: 0x10,
  MORE_DATA: 0x20,
  PROTECTED: 0x40,
  ORDER: 0x80,
} as const;

/** Capability Information bits (9.4.1.4). */
export const CapabilityInfo = {
  ESS: 0x0001,
  IBSS: 0x0002,
  PRIVACY: 0x0010,
  SHORT_PREAMBLE: 0x0020,
  SHORT_SLOT_TIME: 0x0400,
} as const;

/** Status codes (9.4.1.9) the daemons use. */
export const StatusCode = {
  SUCCESS: 0,
  UNSPECIFIED_FAILURE: 1,
  CAPS_UNSUPPORTED: 10,
  REASSOC_NO_ASSOC: 11,
  ASSOC_DENIED_UNSPEC: 12,
  NOT_SUPPORTED_AUTH_ALG: 13,
  UNKNOWN_AUTH_TRANSACTION: 14,
  AP_UNABLE_TO_HANDLE_NEW_STA: 17,
  INVALID_IE: 40,
  INVALID_RSN_IE_CAPAB: 45,
} as const;

/** Reason codes (9.4.1.7) the daemons use. */
export const ReasonCode = {
  UNSPECIFIED: 1,
  PREV_AUTH_NOT_VALID: 2,
  DEAUTH_LEAVING: 3,
  DISASSOC_DUE_TO_INACTIVITY: 4,
  DISASSOC_AP_BUSY: 5,
  CLASS2_FRAME_FROM_NONAUTH_STA: 6,
  CLASS3_FRAME_FROM_NONASSOC_STA: 7,
  DISASSOC_STA_HAS_LEFT: 8,
  MICHAEL_MIC_FAILURE: 14,
  FOURWAY_HANDSHAKE_TIMEOUT: 15,
  GROUP_KEY_UPDATE_TIMEOUT: 16,
  IE_IN_4WAY_DIFFERS: 17,
  IEEE_802_1X_AUTH_FAILED: 23,
} as const;

export const AuthAlgorithm = { OPEN_SYSTEM: 0, SHARED_KEY: 1, FT: 2, SAE: 3 } as const;

/** The AID field of (Re)Association Response frames has its two top bits set (9.4.1.8). */
export const AID_FIELD_BITS = 0xc000;
export const AID_MAX = 2007;

export interface MacHeader {
  /** The Frame Control flags octet (FcFlag bits). */
  flags: number;
  duration: number;
  addr1: MacAddress;
  addr2: MacAddress;
  addr3: MacAddress;
  sequenceControl: number;
}

export type ManagementBody =
  | { subtype: 'beacon' | 'probe-response'; timestamp: bigint; beaconInterval: number; capability: number; elements: Element[] }
  | { subtype: 'probe-request'; elements: Element[] }
  /** `rest` is whatever follows the fixed fields: elements for Open System, SAE fields for SAE. */
  | { subtype: 'authentication'; algorithm: number; transaction: number; status: number; rest: Uint8Array }
  | { subtype: 'association-request'; capability: number; listenInterval: number; elements: Element[] }
  | { subtype: 'reassociation-request'; capability: number; listenInterval: number; currentAp: MacAddress; elements: Element[] }
  /** `aid` is the raw AID field, AID | AID_FIELD_BITS when the status is success. */
  | { subtype: 'association-response' | 'reassociation-response'; capability: number; status: number; aid: number; elements: Element[] }
  | { subtype: 'deauthentication' | 'disassociation'; reason: number; elements: Element[] }
  /** Category and action details, uninterpreted. */
  | { subtype: 'action'; body: Uint8Array };

export type ManagementSubtypeName = ManagementBody['subtype'];

export interface ManagementFrame {
  kind: 'management';
  header: MacHeader;
  body: ManagementBody;
}

export interface DataFrame {
  kind: 'data';
  /** Data subtype 0..15; bit 3 marks QoS subtypes, which carry QoS Control. */
  subtype: number;
  header: MacHeader;
  /** Present exactly when both To DS and From DS are set (4-address frames). */
  addr4?: MacAddress;
  qosControl?: number;
  payload: Uint8Array;
}

export type Frame = ManagementFrame | DataFrame;

export type FrameErrorCode = 'TRUNCATED' | 'BAD_VERSION' | 'UNSUPPORTED' | 'BAD_ELEMENTS' | 'BAD_FIELD';

export class FrameError extends WpsdError<FrameErrorCode> {}

const SUBTYPE_BY_NUMBER = new Map<number, ManagementSubtypeName>([
  [ManagementSubtype.ASSOC_REQ, 'association-request'],
  [ManagementSubtype.ASSOC_RESP, 'association-response'],
  [ManagementSubtype.REASSOC_REQ, 'reassociation-request'],
  [ManagementSubtype.REASSOC_RESP, 'reassociation-response'],
  [ManagementSubtype.PROBE_REQ, 'probe-request'],
  [ManagementSubtype.PROBE_RESP, 'probe-response'],
  [ManagementSubtype.BEACON, 'beacon'],
  [ManagementSubtype.DISASSOC, 'disassociation'],
  [ManagementSubtype.AUTH, 'authentication'],
  [ManagementSubtype.DEAUTH, 'deauthentication'],
  [ManagementSubtype.ACTION, 'action'],
]);
const NUMBER_BY_SUBTYPE = new Map<ManagementSubtypeName, number>([...SUBTYPE_BY_NUMBER].map(([n, s]) => [s, n]));

const le16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);

function elementsAt(buf: Uint8Array, offset: number, what: string): Element[] {
  try {
    return parseElements(buf.subarray(offset));
  } catch (e) {
    if (e instanceof ElementError) throw new FrameError('BAD_ELEMENTS', `${what}: ${e.message}`);
    throw e;
  }
}

function need(body: Uint8Array, len: number, what: string): void {
  if (body.length < len) throw new FrameError('TRUNCATED', `${what} body of ${body.length} octets is shorter than its ${len} octets of fixed fields`);
}

function parseManagementBody(subtype: number, body: Uint8Array): ManagementBody {
  const name = SUBTYPE_BY_NUMBER.get(subtype);
  switch (name) {
    case 'beacon':
    case 'probe-response': {
      need(body, 12, name);
      let timestamp = 0n;
      for (let i = 7; i >= 0; i--) timestamp = (timestamp << 8n) | BigInt(body[i] ?? 0);
      return { subtype: name, timestamp, beaconInterval: le16(body, 8), capability: le16(body, 10), elements: elementsAt(body, 12, name) };
    }
    case 'probe-request':
      return { subtype: name, elements: elementsAt(body, 0, name) };
    case 'authentication':
      need(body, 6, name);
      return { subtype: name, algorithm: le16(body, 0), transaction: le16(body, 2), status: le16(body, 4), rest: body.slice(6) };
    case 'association-request':
      need(body, 4, name);
      return { subtype: name, capability: le16(body, 0), listenInterval: le16(body, 2), elements: elementsAt(body, 4, name) };
    case 'reassociation-request':
      need(body, 10, name);
      return { subtype: name, capability: le16(body, 0), listenInterval: le16(body, 2), currentAp: macFromBytes(body, 4), elements: elementsAt(body, 10, name) };
    case 'association-response':
    case 'reassociation-response':
      need(body, 6, name);
      return { subtype: name, capability: le16(body, 0), status: le16(body, 2), aid: le16(body, 4), elements: elementsAt(body, 6, name) };
    case 'deauthentication':
    case 'disassociation':
      need(body, 2, name);
      return { subtype: name, reason: le16(body, 0), elements: elementsAt(body, 2, name) };
    case 'action':
      need(body, 1, name);
      return { subtype: name, body: body.slice() };
    default:
      throw new FrameError('UNSUPPORTED', `management subtype ${subtype} is not handled`);
  }
}

function parseHeader(buf: Uint8Array): MacHeader {
  return {
    flags: buf[1] ?? 0,
    duration: le16(buf, 2),
    addr1: macFromBytes(buf, 4),
    addr2: macFromBytes(buf, 10),
    addr3: macFromBytes(buf, 16),
    sequenceControl: le16(buf, 22),
  };
}

/** Parses an 802.11 frame (no FCS). Control and extension frames, and protected management frames, are refused. */
export function parseFrame(buf: Uint8Array): Frame {
  if (buf.length < 2) throw new FrameError('TRUNCATED', 'frame shorter than Frame Control');
  const fc0 = buf[0] ?? 0;
  const version = fc0 & 0x03;
  const type = (fc0 >> 2) & 0x03;
  const subtype = fc0 >> 4;
  const flags = buf[1] ?? 0;
  if (version !== 0) throw new FrameError('BAD_VERSION', `protocol version ${version}`);
  if (type !== FrameType.MANAGEMENT && type !== FrameType.DATA) throw new FrameError('UNSUPPORTED', `frame type ${type} is not handled`);
  if (buf.length < MGMT_HEADER_LEN) throw new FrameError('TRUNCATED', `frame of ${buf.length} octets is shorter than the MAC header`);
  const header = parseHeader(buf);
  if (type === FrameType.MANAGEMENT) {
    // A set Order bit adds an HT Control field; Protected means an encrypted body (PMF). Neither is used here.
    if (flags & FcFlag.ORDER) throw new FrameError('UNSUPPORTED', 'management frame with HT Control field');
    if (flags & FcFlag.PROTECTED) throw new FrameError('UNSUPPORTED', 'protected management frame');
    return { kind: 'management', header, body: parseManagementBody(subtype, buf.subarray(MGMT_HEADER_LEN)) };
  }
  let pos = MGMT_HEADER_LEN;
  const frame: DataFrame = { kind: 'data', subtype, header, payload: new Uint8Array(0) };
  if ((flags & (FcFlag.TO_DS | FcFlag.FROM_DS)) === (FcFlag.TO_DS | FcFlag.FROM_DS)) {
    if (buf.length < pos + ADDR4_LEN) throw new FrameError('TRUNCATED', '4-address data frame without Address 4');
    frame.addr4 = macFromBytes(buf, pos);
    pos += ADDR4_LEN;
  }
  if (subtype & 0x08) {
    if (flags & FcFlag.ORDER) throw new FrameError('UNSUPPORTED', 'QoS data frame with HT Control field');
    if (buf.length < pos + QOS_CONTROL_LEN) throw new FrameError('TRUNCATED', 'QoS data frame without QoS Control');
    frame.qosControl = le16(buf, pos);
    pos += QOS_CONTROL_LEN;
  }
  frame.payload = buf.slice(pos);
  return frame;
}

class Writer {
  private readonly bytes: number[] = [];
  u8(v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new FrameError('BAD_FIELD', `${what} ${v} is not an octet`);
    this.bytes.push(v);
  }
  u16(v: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new FrameError('BAD_FIELD', `${what} ${v} is not 16 bits`);
    this.bytes.push(v & 0xff, v >> 8);
  }
  mac(m: MacAddress): void {
    this.bytes.push(...macToBytes(m));
  }
  raw(b: Uint8Array): void {
    for (const x of b) this.bytes.push(x);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function writeHeader(w: Writer, fc0: number, h: MacHeader): void {
  w.u8(fc0, 'frame control');
  w.u8(h.flags, 'frame control flags');
  w.u16(h.duration, 'duration');
  w.mac(h.addr1);
  w.mac(h.addr2);
  w.mac(h.addr3);
  w.u16(h.sequenceControl, 'sequence control');
}

/** Encodes a frame parsed by parseFrame() or built by the helpers below. */
export function buildFrame(frame: Frame): Uint8Array {
  const w = new Writer();
  if (frame.kind === 'data') {
    if (!Number.isInteger(frame.subtype) || frame.subtype < 0 || frame.subtype > 15) throw new FrameError('BAD_FIELD', `data subtype ${frame.subtype}`);
    const fourAddr = (frame.header.flags & (FcFlag.TO_DS | FcFlag.FROM_DS)) === (FcFlag.TO_DS | FcFlag.FROM_DS);
    if (fourAddr !== (frame.addr4 !== undefined)) throw new FrameError('BAD_FIELD', 'Address 4 is present exactly when To DS and From DS are both set');
    const qos = (frame.subtype & 0x08) !== 0;
    if (qos !== (frame.qosControl !== undefined)) throw new FrameError('BAD_FIELD', 'QoS Control is present exactly for QoS subtypes');
    writeHeader(w, (FrameType.DATA << 2) | (frame.subtype << 4), frame.header);
    if (frame.addr4 !== undefined) w.mac(frame.addr4);
    if (frame.qosControl !== undefined) w.u16(frame.qosControl, 'QoS control');
    w.raw(frame.payload);
    return w.done();
  }
  const b = frame.body;
  const subtype = NUMBER_BY_SUBTYPE.get(b.subtype);
  if (subtype === undefined) throw new FrameError('BAD_FIELD', `unknown management subtype ${String(b.subtype)}`);
  writeHeader(w, (FrameType.MANAGEMENT << 2) | (subtype << 4), frame.header);
  const elements = (list: Element[]): void => {
    try {
      w.raw(buildElements(list));
    } catch (e) {
      if (e instanceof ElementError) throw new FrameError('BAD_ELEMENTS', e.message);
      throw e;
    }
  };
  switch (b.subtype) {
    case 'beacon':
    case 'probe-response':
      if (b.timestamp < 0n || b.timestamp > 0xffffffffffffffffn) throw new FrameError('BAD_FIELD', 'timestamp is not 64 bits');
      for (let i = 0n; i < 8n; i++) w.u8(Number((b.timestamp >> (8n * i)) & 0xffn), 'timestamp');
      w.u16(b.beaconInterval, 'beacon interval');
      w.u16(b.capability, 'capability');
      elements(b.elements);
      break;
    case 'probe-request':
      elements(b.elements);
      break;
    case 'authentication':
      w.u16(b.algorithm, 'algorithm');
      w.u16(b.transaction, 'transaction');
      w.u16(b.status, 'status');
      w.raw(b.rest);
      break;
    case 'association-request':
      w.u16(b.capability, 'capability');
      w.u16(b.listenInterval, 'listen interval');
      elements(b.elements);
      break;
    case 'reassociation-request':
      w.u16(b.capability, 'capability');
      w.u16(b.listenInterval, 'listen interval');
      w.mac(b.currentAp);
      elements(b.elements);
      break;
    case 'association-response':
    case 'reassociation-response':
      w.u16(b.capability, 'capability');
      w.u16(b.status, 'status');
      w.u16(b.aid, 'AID');
      elements(b.elements);
      break;
    case 'deauthentication':
    case 'disassociation':
      w.u16(b.reason, 'reason');
      elements(b.elements);
      break;
    case 'action':
      if (b.body.length < 1) throw new FrameError('BAD_FIELD', 'action frame without category');
      w.raw(b.body);
      break;
  }
  return w.done();
}

/** A management frame from `sa` to `da` in BSS `bssid`; sequence numbers are the transmitter's business. */
export function managementFrame(da: MacAddress, sa: MacAddress, bssid: MacAddress, body: ManagementBody, sequenceControl = 0): ManagementFrame {
  return { kind: 'management', header: { flags: 0, duration: 0, addr1: da, addr2: sa, addr3: bssid, sequenceControl }, body };
}

/** LLC/SNAP header (RFC 1042) in front of an EtherType, as 802.11 data frames carry EAPOL. */
export const LLC_SNAP_HEADER = Uint8Array.of(0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00);
export const LLC_SNAP_LEN = LLC_SNAP_HEADER.length + 2;

/** Who sent and who receives a data frame, from its DS bits (9.3.2.1 Table 9-30). */
export interface DataAddressing {
  ra: MacAddress;
  ta: MacAddress;
  da: MacAddress;
  sa: MacAddress;
  bssid?: MacAddress;
  toDs: boolean;
  fromDs: boolean;
}

export function dataAddressing(f: DataFrame): DataAddressing {
  const toDs = (f.header.flags & FcFlag.TO_DS) !== 0;
  const fromDs = (f.header.flags & FcFlag.FROM_DS) !== 0;
  const { addr1, addr2, addr3 } = f.header;
  if (toDs && fromDs) return { ra: addr1, ta: addr2, da: addr3, sa: f.addr4 ?? addr2, toDs, fromDs };
  if (toDs) return { ra: addr1, ta: addr2, da: addr3, sa: addr2, bssid: addr1, toDs, fromDs };
  if (fromDs) return { ra: addr1, ta: addr2, da: addr1, sa: addr3, bssid: addr2, toDs, fromDs };
  return { ra: addr1, ta: addr2, da: addr1, sa: addr2, bssid: addr3, toDs, fromDs };
}

/**
 * A data frame carrying EAPOL between an AP (`bssid`) and one of its stations.
 * `fourAddr` is the Multi-AP backhaul link: To DS and From DS set, RA/TA/DA/SA.
 */
export function eapolDataFrame(p: {
  direction: 'to-ap' | 'from-ap';
  bssid: MacAddress;
  station: MacAddress;
  fourAddr: boolean;
  eapol: Uint8Array;
  sequenceControl?: number;
}): DataFrame {
  const { eapol, ...rest } = p;
  return llcDataFrame({ ...rest, etherType: ETHERTYPE_EAPOL, payload: eapol });
}

/** A data frame between an AP and one of its stations carrying `payload` behind LLC/SNAP with `etherType`. */
export function llcDataFrame(p: {
  direction: 'to-ap' | 'from-ap';
  bssid: MacAddress;
  station: MacAddress;
  fourAddr: boolean;
  etherType: number;
  payload: Uint8Array;
  sequenceControl?: number;
}): DataFrame {
  if (!Number.isInteger(p.etherType) || p.etherType < 0 || p.etherType > 0xffff) throw new FrameError('BAD_FIELD', `EtherType ${p.etherType} is not 16 bits`);
  const payload = new Uint8Array(LLC_SNAP_LEN + p.payload.length);
  payload.set(LLC_SNAP_HEADER, 0);
  payload[6] = p.etherType >> 8;
  payload[7] = p.etherType & 0xff;
  payload.set(p.payload, LLC_SNAP_LEN);
  const seq = p.sequenceControl ?? 0;
  const [ra, ta] = p.direction === 'to-ap' ? [p.bssid, p.station] : [p.station, p.bssid];
  if (p.fourAddr) {
    return {
      kind: 'data',
      subtype: 0,
      header: { flags: FcFlag.TO_DS | FcFlag.FROM_DS, duration: 0, addr1: ra, addr2: ta, addr3: ra, sequenceControl: seq },
      addr4: ta,
      payload,
    };
  }
  const header: MacHeader =
    p.direction === 'to-ap'
      ? { flags: FcFlag.TO_DS, duration: 0, addr1: p.bssid, addr2: p.station, addr3: p.bssid, sequenceControl: seq }
      : { flags: FcFlag.FROM_DS, duration: 0, addr1: p.station, addr2: p.bssid, addr3: p.bssid, sequenceControl: seq };
  return { kind: 'data', subtype: 0, header, payload };
}

/** The EtherType and payload behind a data frame's LLC/SNAP header, or undefined for anything else. */
export function llcFromDataFrame(f: DataFrame): { etherType: number; payload: Uint8Array } | undefined {
  // An encrypted body cannot be read here; the sim medium never encrypts.
  if (f.header.flags & FcFlag.PROTECTED) return undefined;
  const p = f.payload;
  if (p.length < LLC_SNAP_LEN) return undefined;
  for (let i = 0; i < LLC_SNAP_HEADER.length; i++) if (p[i] !== LLC_SNAP_HEADER[i]) return undefined;
  return { etherType: ((p[6] ?? 0) << 8) | (p[7] ?? 0), payload: p.slice(LLC_SNAP_LEN) };
}

/** The EAPOL PDU inside a data frame's LLC/SNAP payload, or undefined when it carries something else. */
export function eapolFromDataFrame(f: DataFrame): Uint8Array | undefined {
  const llc = llcFromDataFrame(f);
  return llc?.etherType === ETHERTYPE_EAPOL ? llc.payload : undefined;
}
