/**
 * The radio driver interface the AP and station daemons use.
 *
 * AP side follows hostapd with mac80211 drivers: the daemon owns the MLME.
 * The driver reports every management frame for its BSS (rx-mgmt) and the
 * daemon answers Authentication and (Re)Association Requests itself with
 * frames built by frame.ts, then installs the station with addStation().
 * One exception, like drivers with probe-response offload: the driver answers
 * Probe Requests from the probe-response elements it was given, and still
 * reports each Probe Request so the daemon can read its WPS element.
 * Class 3 data (EAPOL) is exchanged only with stations that were added.
 *
 * Station side follows wpa_supplicant over cfg80211's CONNECT command
 * (SME in the driver): connect() performs Open System authentication and
 * association with the elements the daemon supplies (RSN, WPS, Multi-AP) and
 * resolves with the outcome; scan() sends Probe Requests and collects
 * Beacons and Probe Responses for a dwell time per channel.
 *
 * 4-address mode (Multi-AP backhaul STA) is a flag of addStation() on the AP
 * and of connect() on the station; it changes how data frames are addressed.
 *
 * Keys and the controlled port follow nl80211 (hostapd/wpa_supplicant's
 * driver_nl80211.c): the daemon runs the 4-way and group key handshakes over
 * EAPOL and installs the resulting keys with installKey() (NL80211_CMD_NEW_KEY,
 * then NL80211_CMD_SET_KEY for a default group key); the AP opens a station's
 * port with setStationAuthorized() (NL80211_CMD_SET_STATION, flag
 * NL80211_STA_FLAG_AUTHORIZED) and the station opens its own with
 * setPortAuthorized() (the same flag on the AP's entry, wpa_supplicant's
 * set_supp_port). Until the port is open, a driver carries only EAPOL to and
 * from that peer; a new association starts closed, without keys.
 */
import type { Element } from './elements.js';
import type { MacAddress } from './mac.js';
import type { ManagementFrame } from './frame.js';
import { WpsdError } from '../common/errors.js';

export type DriverName = 'sim' | 'nl80211' | 'none' | 'wired';

export type DriverEvent =
  /** A management frame for this radio (or broadcast), already parsed; `raw` is the frame as received. */
  | { type: 'rx-mgmt'; frame: ManagementFrame; raw: Uint8Array }
  /** An EAPOL PDU from `src`; `fourAddr` tells whether it came in a 4-address data frame. */
  | { type: 'rx-eapol'; src: MacAddress; eapol: Uint8Array; fourAddr: boolean }
  /**
   * AP side, driver=wired: the first EAPOL frame from a source not in the
   * station table (hostapd EVENT_NEW_STA); its 'rx-eapol' follows.
   */
  | { type: 'new-sta'; addr: MacAddress }
  /** AP side: the driver's station table gained `addr` (after addStation()). */
  | { type: 'station-associated'; addr: MacAddress; aid: number; fourAddr: boolean }
  /**
   * AP side: `addr` left the station table, by removeStation() (`byPeer` false)
   * or because it sent Deauthentication/Disassociation (`byPeer` true).
   */
  | { type: 'station-disassociated'; addr: MacAddress; reason: number; byPeer: boolean }
  /** Station side: connect() succeeded. */
  | { type: 'associated'; bssid: MacAddress; aid: number; elements: Element[] }
  /** Station side: the association ended, by the AP (`locallyGenerated` false) or by disconnect(). */
  | { type: 'disconnected'; bssid: MacAddress; reason: number; locallyGenerated: boolean }
  /**
   * Class 3 data other than EAPOL from an authorized peer. Only drivers
   * without a kernel network interface report it (sim); with nl80211 data
   * goes to the netdev and never reaches the daemon.
   */
  | { type: 'rx-data'; src: MacAddress; dst: MacAddress; etherType: number; payload: Uint8Array };

export type DriverListener = (event: DriverEvent) => void;

export type DriverErrorCode =
  | 'NOT_AVAILABLE'
  | 'NOT_SUPPORTED'
  | 'BAD_CONFIG'
  | 'NOT_STARTED'
  | 'NOT_CONNECTED'
  | 'UNKNOWN_STATION'
  | 'LINK_DOWN'
  | 'BUSY'
  /** Data other than EAPOL to or from a peer whose port is not authorized. */
  | 'NOT_AUTHORIZED';

export class DriverError extends WpsdError<DriverErrorCode> {}

/** What the AP advertises. SSID, rates and DS Parameter Set elements are added by the driver. */
export interface ApParams {
  ssid: Uint8Array;
  channel: number;
  /** In TU (1.024 ms); hostapd's beacon_int, default 100. */
  beaconInterval: number;
  capability: number;
  /** Elements after the standard ones in Beacons (RSN, WPS, Multi-AP, ...). */
  beaconElements: Element[];
  /** Elements after the standard ones in Probe Responses. */
  probeResponseElements: Element[];
  /** ignore_broadcast_ssid: beacons carry an empty SSID and wildcard probes get no answer. */
  hideSsid?: boolean;
}

export interface AddStationParams {
  aid: number;
  capability: number;
  listenInterval: number;
  /** Multi-AP backhaul STA: exchange data in 4-address frames. */
  fourAddr?: boolean;
}

export interface StationInfo extends AddStationParams {
  addr: MacAddress;
  /** The station's port is open (NL80211_STA_FLAG_AUTHORIZED). */
  authorized: boolean;
}

/** Octets of a Receive Sequence Counter (802.11 12.7.2 Key RSC; NL80211_ATTR_KEY_SEQ for CCMP). */
export const KEY_RSC_LEN = 6;
/** Group key indexes; 0 is the pairwise key's (802.11 12.7.2, hostapd uses 1 and 2 alternately). */
export const GROUP_KEY_INDEX_MIN = 1;
export const GROUP_KEY_INDEX_MAX = 3;

/** A temporal key for the driver (NL80211_CMD_NEW_KEY). */
export interface KeyInstall {
  /** Pairwise (NL80211_KEYTYPE_PAIRWISE, with the peer's address) or group (NL80211_KEYTYPE_GROUP). */
  type: 'pairwise' | 'group';
  /** Cipher suite selector as in the RSN element, e.g. RsnCipher.CCMP_128 (NL80211_ATTR_KEY_CIPHER). */
  cipher: number;
  /** 0 for a pairwise key; GROUP_KEY_INDEX_MIN..MAX for a group key (NL80211_ATTR_KEY_IDX). */
  keyIndex: number;
  /** The temporal key (NL80211_ATTR_KEY_DATA): 16 octets for CCMP-128. */
  key: Uint8Array;
  /**
   * KEY_RSC_LEN octets, least significant first (NL80211_ATTR_KEY_SEQ): the
   * first packet number to accept. A station sets the group RSC from the key
   * frame that carried the GTK; absent means zero.
   */
  rsc?: Uint8Array;
  /** Pairwise: the peer (the station on an AP, the AP on a station). A group key has none. */
  addr?: MacAddress;
  /** Group key on an AP: make it the default transmit key (NL80211_CMD_SET_KEY, NL80211_ATTR_KEY_DEFAULT). */
  defaultTx?: boolean;
}

/** A key as the driver holds it, for inspection (the sim backend; nl80211 GET_KEY returns no key data). */
export interface InstalledKey {
  type: 'pairwise' | 'group';
  cipher: number;
  keyIndex: number;
  addr?: MacAddress;
  defaultTx: boolean;
}

export interface ScanParams {
  /** Channels to visit; default: the radio's current channel. */
  channels?: number[];
  /** Directed probe for this SSID; default: wildcard SSID. */
  ssid?: Uint8Array;
  /** Extra elements in Probe Requests, e.g. the WPS element. */
  elements?: Element[];
  /** How long to listen on each channel after probing, in ms. */
  dwellMs?: number;
}

export interface ScanResult {
  bssid: MacAddress;
  channel: number;
  ssid: Uint8Array;
  capability: number;
  beaconInterval: number;
  /** Elements of the latest Probe Response, else of the latest Beacon. */
  elements: Element[];
  /** Elements of the latest Beacon, when one was seen. */
  beaconElements?: Element[];
  fromProbeResponse: boolean;
}

export interface ConnectParams {
  bssid: MacAddress;
  ssid: Uint8Array;
  channel: number;
  /** Extra elements in the Association Request (RSN, WPS, Multi-AP). */
  elements?: Element[];
  capability?: number;
  listenInterval?: number;
  /** Multi-AP backhaul STA. */
  fourAddr?: boolean;
}

export type ConnectResult =
  | { ok: true; bssid: MacAddress; aid: number; elements: Element[] }
  /** `status` is the 802.11 status code when the AP refused; absent on timeout. */
  | { ok: false; bssid: MacAddress; stage: 'authentication' | 'association'; status?: number; reason: string };

export interface RadioDriver {
  readonly driverName: DriverName;
  /** This radio's MAC address (the BSSID on an AP). */
  readonly address: MacAddress;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: DriverListener): () => void;
  /** Transmits a management frame; addr2 should be this radio's address. */
  sendMgmt(frame: ManagementFrame | Uint8Array): Promise<void>;
  /** Sends an EAPOL PDU to `dst` (a station on an AP, the AP on a station). */
  sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void>;
  /**
   * Installs (or replaces) a pairwise or group key. Throws DriverError
   * BAD_CONFIG for a cipher the driver lacks or a key of the wrong length,
   * UNKNOWN_STATION / NOT_CONNECTED for a pairwise key of an unknown peer.
   */
  installKey(key: KeyInstall): Promise<void>;
  close(): Promise<void>;
}

export interface ApDriver extends RadioDriver {
  startAp(params: ApParams): Promise<void>;
  /** Replaces the extra elements of Beacons and/or Probe Responses (e.g. a new WPS element). */
  setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void>;
  stopAp(): Promise<void>;
  addStation(addr: MacAddress, params: AddStationParams): Promise<void>;
  /** Drops the station (and its keys) from the driver; sending Deauthentication first is the daemon's choice. */
  removeStation(addr: MacAddress, reason?: number): Promise<void>;
  stations(): StationInfo[];
  /**
   * Opens or closes a station's port (NL80211_CMD_SET_STATION with
   * NL80211_STA_FLAG_AUTHORIZED): data other than EAPOL flows only while open.
   * An open network authorizes at association, an RSN one after the 4-way handshake.
   */
  setStationAuthorized(addr: MacAddress, authorized: boolean): Promise<void>;
  /**
   * The transmit sequence counter of group key `keyIndex`, KEY_RSC_LEN octets
   * least significant first (NL80211_CMD_GET_KEY, NL80211_ATTR_KEY_SEQ): the
   * RSC an AP announces with the GTK (hostapd wpa_auth_get_seqnum).
   */
  groupKeySequence(keyIndex: number): Promise<Uint8Array>;
}

export interface StationDriver extends RadioDriver {
  scan(params?: ScanParams): Promise<ScanResult[]>;
  connect(params: ConnectParams): Promise<ConnectResult>;
  /** Sends Deauthentication to the current AP and forgets the association. */
  disconnect(reason?: number): Promise<void>;
  /** The current association, if any; `authorized` tells whether the port is open. */
  connection(): { bssid: MacAddress; aid: number; fourAddr: boolean; authorized: boolean } | undefined;
  /**
   * Opens or closes this station's port towards the AP (wpa_supplicant
   * set_supp_port: NL80211_CMD_SET_STATION on the BSSID with
   * NL80211_STA_FLAG_AUTHORIZED). Throws NOT_CONNECTED without an association.
   */
  setPortAuthorized(authorized: boolean): Promise<void>;
}

/** The driver-related keys of the AP's and station's configuration (`driver=`, `sim_medium=`). */
export interface DriverConfig {
  driver: string;
  /** Path of the `wpsd medium` socket, for driver=sim. */
  simMedium?: string;
  ifname: string;
  address: MacAddress;
  channel: number;
  /** nl80211 AP: when `ifname` does not exist, create it on this interface's wiphy, with `address` (a bss= section). */
  parentIfname?: string;
  /** nl80211 AP: hostapd's bridge= and wds_bridge=. */
  bridge?: string;
  wdsBridge?: string;
  /** driver=wired: hostapd's use_pae_group_addr. */
  usePaeGroupAddr?: boolean;
}

/** A small fan-out for driver events that isolates a throwing listener from the driver. */
export class DriverEvents {
  private readonly listeners = new Set<DriverListener>();
  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  on(listener: DriverListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener; a throw or an async listener's rejection goes to onListenerError, never to the frame path. */
  emit(event: DriverEvent): void {
    for (const l of [...this.listeners]) {
      try {
        const r: unknown = l(event);
        if (r instanceof Promise) r.catch((err: unknown) => this.onListenerError(err));
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

/** Temporal key length per cipher suite (802.11-2020 12.7.2 Table 12-8). */
export const CIPHER_KEY_LEN: ReadonlyMap<number, number> = new Map([
  [0x000fac02, 32], // TKIP
  [0x000fac04, 16], // CCMP-128
  [0x000fac08, 16], // GCMP-128
  [0x000fac09, 32], // GCMP-256
  [0x000fac0a, 32], // CCMP-256
]);

/** Checks a KeyInstall against the rules every backend shares; throws DriverError BAD_CONFIG. */
export function checkKeyInstall(k: KeyInstall, ciphers: readonly number[]): void {
  const hex = `00-0f-ac:${k.cipher & 0xff}`;
  if (!ciphers.includes(k.cipher)) throw new DriverError('BAD_CONFIG', `cipher ${hex} is not supported by this driver`);
  const len = CIPHER_KEY_LEN.get(k.cipher);
  if (len === undefined || k.key.length !== len) throw new DriverError('BAD_CONFIG', `a ${hex} key has ${len ?? '?'} octets, not ${k.key.length}`);
  if (k.rsc !== undefined && k.rsc.length !== KEY_RSC_LEN) throw new DriverError('BAD_CONFIG', `key RSC of ${k.rsc.length} octets, not ${KEY_RSC_LEN}`);
  if (k.type === 'pairwise') {
    if (k.keyIndex !== 0) throw new DriverError('BAD_CONFIG', `pairwise key index ${k.keyIndex}, not 0`);
    if (k.addr === undefined) throw new DriverError('BAD_CONFIG', 'a pairwise key needs the peer address');
    if (k.defaultTx === true) throw new DriverError('BAD_CONFIG', 'only a group key is a default transmit key');
  } else {
    if (!Number.isInteger(k.keyIndex) || k.keyIndex < GROUP_KEY_INDEX_MIN || k.keyIndex > GROUP_KEY_INDEX_MAX) {
      throw new DriverError('BAD_CONFIG', `group key index ${k.keyIndex} outside ${GROUP_KEY_INDEX_MIN}..${GROUP_KEY_INDEX_MAX}`);
    }
  }
}
