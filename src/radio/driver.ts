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
 */
import type { Element } from './elements.js';
import type { MacAddress } from './mac.js';
import type { ManagementFrame } from './frame.js';

export type DriverName = 'sim' | 'nl80211' | 'none';

export type DriverEvent =
  /** A management frame for this radio (or broadcast), already parsed; `raw` is the frame as received. */
  | { type: 'rx-mgmt'; frame: ManagementFrame; raw: Uint8Array }
  /** An EAPOL PDU from `src`; `fourAddr` tells whether it came in a 4-address data frame. */
  | { type: 'rx-eapol'; src: MacAddress; eapol: Uint8Array; fourAddr: boolean }
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
  | { type: 'disconnected'; bssid: MacAddress; reason: number; locallyGenerated: boolean };

export type DriverListener = (event: DriverEvent) => void;

export type DriverErrorCode =
  | 'NOT_AVAILABLE'
  | 'NOT_SUPPORTED'
  | 'BAD_CONFIG'
  | 'NOT_STARTED'
  | 'NOT_CONNECTED'
  | 'UNKNOWN_STATION'
  | 'LINK_DOWN'
  | 'BUSY';

export class DriverError extends Error {
  constructor(
    readonly code: DriverErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}

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
  close(): Promise<void>;
}

export interface ApDriver extends RadioDriver {
  startAp(params: ApParams): Promise<void>;
  /** Replaces the extra elements of Beacons and/or Probe Responses (e.g. a new WPS element). */
  setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void>;
  stopAp(): Promise<void>;
  addStation(addr: MacAddress, params: AddStationParams): Promise<void>;
  /** Drops the station from the driver; sending Deauthentication first is the daemon's choice. */
  removeStation(addr: MacAddress, reason?: number): Promise<void>;
  stations(): StationInfo[];
}

export interface StationDriver extends RadioDriver {
  scan(params?: ScanParams): Promise<ScanResult[]>;
  connect(params: ConnectParams): Promise<ConnectResult>;
  /** Sends Deauthentication to the current AP and forgets the association. */
  disconnect(reason?: number): Promise<void>;
  /** The current association, if any. */
  connection(): { bssid: MacAddress; aid: number; fourAddr: boolean } | undefined;
}

/** The driver-related keys of the AP's and station's configuration (`driver=`, `sim_medium=`). */
export interface DriverConfig {
  driver: string;
  /** Path of the `wpsd medium` socket, for driver=sim. */
  simMedium?: string;
  ifname: string;
  address: MacAddress;
  channel: number;
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
