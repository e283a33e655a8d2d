/**
 * The AP's MLME on an ApDriver, hostapd style (ieee802_11.c): answers Open
 * System Authentication and (Re)Association Requests, installs stations,
 * and keeps a bounded station table with timeouts.
 *
 * - WPS association: a station with a WPS element in its (Re)Association
 *   Request is a WPS station and needs no RSN element; one with neither WPS
 *   nor RSN on a WPS-enabled AP is "maybe WPS" (hostapd WLAN_STA_MAYBE_WPS);
 *   without WPS on the AP, an RSN BSS refuses it (status 40).
 * - Multi-AP (hostapd check_multi_ap, multi-ap-bss.ts): a backhaul-only BSS
 *   refuses stations without the Multi-AP element; a backhaul STA gets the
 *   element back, and 4-address mode on a backhaul BSS except during WPS.
 * - Deauthentication/Disassociation from a station drop it.
 * - driver=wired (hostapd hostapd_event_new_sta): no 802.11 frames at all; a
 *   station is whoever sent the port an EAPOL frame, added at once as
 *   associated with no WPS or RSN flags, forgotten after
 *   WIRED_MAX_INACTIVITY_MS without a frame or when deauthenticated (which
 *   sends nothing on a wire).
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { type ApDriver, DriverError, type DriverEvent } from '../../radio/driver.js';
import { buildElements, ElementId, findElement, defaultRateElements, type Element } from '../../radio/elements.js';
import { wpa2PskAssocStatus } from '../../radio/wpa/rsn-assoc.js';
import {
  AID_FIELD_BITS,
  AID_MAX,
  AuthAlgorithm,
  CapabilityInfo,
  managementFrame,
  ReasonCode,
  StatusCode,
  type ManagementFrame,
} from '../../radio/frame.js';
import { isGroupAddress, type MacAddress } from '../../radio/mac.js';
import { findMultiApElement, MultiApError, type MultiApElement } from '../../radio/multi-ap-ie.js';
import { joinWpsIe, WpsIeError } from '../../radio/wps-ie.js';
import { parseWscTlvs, WscProtocolError } from '../../wps/message.js';
import { checkMultiAp, MultiApConfig, multiApBssElement } from './multi-ap-bss.js';
import { buildAssocResponseWpsElements } from './wps-ie.js';

/** hostapd's max_num_sta default is 2007; a sim AP needs far fewer. */
export const DEFAULT_MAX_STATIONS = 64;
/** An authenticated station that does not associate is forgotten after this (hostapd: ap_max_inactivity-like cleanup). */
export const DEFAULT_AUTH_TIMEOUT_MS = 30_000;
export const PRUNE_INTERVAL_MS = 1_000;
/** hostapd ap_max_inactivity default (300 s): a wired station silent this long is forgotten. */
export const WIRED_MAX_INACTIVITY_MS = 300_000;
/** Rates kept per station (hostapd WLAN_SUPP_RATES_MAX); the rest of a longer list is dropped. */
export const SUPPORTED_RATES_MAX = 32;

export interface ApMlmeOptions {
  driver: ApDriver;
  /** wps_state != 0. */
  wpsEnabled: boolean;
  /** wpa=2 (RSN): non-WPS stations must send an RSN element. */
  rsn: boolean;
  /** hostapd's multi_ap: 0 off, 1 backhaul BSS, 2 fronthaul BSS, 3 both (MultiApConfig). */
  multiAp?: number;
  /** hostapd max_num_sta: Authentication (and a new wired station) beyond it is refused. */
  maxStations?: number;
  /** hostapd's MAC address filter (macaddr_acl), asked at Authentication and for a new wired station. */
  allowed?: (addr: MacAddress) => boolean;
  authTimeoutMs?: number;
  now?: () => number;
  logger?: Logger;
}

export interface StationEntry {
  addr: MacAddress;
  state: 'authenticated' | 'associated';
  aid?: number;
  /** The station sent a WPS element (hostapd WLAN_STA_WPS). */
  wps: boolean;
  /** ... with the WFA Version2 subelement (WLAN_STA_WPS2). */
  wps2: boolean;
  /** No WPS and no RSN element on a WPS AP (WLAN_STA_MAYBE_WPS). */
  maybeWps: boolean;
  /** The joined WSC attributes of its association WPS element. */
  wpsIe?: Buffer;
  rsn: boolean;
  /** The RSN element of a non-WPS association, whole (ID, Length, data), for the 4-way handshake. */
  rsnIe?: Uint8Array;
  multiAp?: MultiApElement;
  fourAddr: boolean;
  lastSeen: number;
  /** From the (Re)Association Request: Capability Information, Listen Interval, Supported + Extended Supported Rates. */
  capability?: number;
  listenInterval?: number;
  supportedRates?: Buffer;
  /** The data port is open (hostapd WLAN_STA_AUTHORIZED): set by whoever completes the station's key setup. */
  authorized?: boolean;
  /** Came in on a wired port (an EAPOL frame), not by association. */
  wired?: boolean;
}

export type MlmeEvent =
  | { type: 'associated'; station: StationEntry; reassociation: boolean }
  | { type: 'disassociated'; addr: MacAddress; reason: number; byPeer: boolean };

/**
 * Reads the WPS element of an association request through wps_parse_msg
 * (src/wps, with hostapd's workarounds as its parser has them);
 * undefined when absent, throws WpsIeError / WscProtocolError on a
 * malformed one.
 */
function assocWps(elements: readonly Element[]): { ie: Buffer; version2: boolean } | undefined {
  const joined = joinWpsIe(elements);
  if (joined === undefined) return undefined;
  const tlvs = parseWscTlvs(joined, { workarounds: true });
  return { ie: tlvs.raw, version2: tlvs.wfa?.version2 !== undefined };
}

export class ApMlme {
  private readonly table = new Map<MacAddress, StationEntry>();
  /** The (Re)Association Request each station has being answered now (stations of the table only). */
  private readonly assocInFlight = new Map<MacAddress, string>();
  /** The request that made an association and its answer, until the station sends a frame of its own after it. */
  private readonly answered = new WeakMap<StationEntry, { request: string; response: ManagementFrame }>();
  private readonly listeners = new Set<(e: MlmeEvent) => void>();
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxStations: number;
  private readonly authTimeoutMs: number;
  private readonly unsubscribe: () => void;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(private readonly opts: ApMlmeOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.logger ?? silentLogger;
    this.maxStations = opts.maxStations ?? DEFAULT_MAX_STATIONS;
    this.authTimeoutMs = opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
    this.unsubscribe = opts.driver.onEvent((e) => this.onDriverEvent(e));
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  get bssid(): MacAddress {
    return this.opts.driver.address;
  }

  onEvent(listener: (e: MlmeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  station(addr: MacAddress): StationEntry | undefined {
    const s = this.table.get(addr);
    return s ? { ...s } : undefined;
  }

  stations(): StationEntry[] {
    return [...this.table.values()].map((s) => ({ ...s }));
  }

  /** Records that the station's port opened or closed (the driver was told by the caller). */
  setAuthorized(addr: MacAddress, authorized: boolean): void {
    const s = this.table.get(addr);
    if (s !== undefined) s.authorized = authorized;
  }

  /** Sends Deauthentication and drops the station (hostapd ap_sta_disconnect / deauth after WPS). */
  async deauthenticate(addr: MacAddress, reason: number = ReasonCode.PREV_AUTH_NOT_VALID): Promise<void> {
    const s = this.table.get(addr);
    this.table.delete(addr);
    if (s?.wired !== true) await this.send(managementFrame(addr, this.bssid, this.bssid, { subtype: 'deauthentication', reason, elements: [] }));
    if (s?.state === 'associated') {
      try {
        await this.opts.driver.removeStation(addr, reason);
      } catch (e) {
        if (!(e instanceof DriverError)) throw e;
      }
      this.emit({ type: 'disassociated', addr, reason, byPeer: false });
    }
  }

  close(): void {
    clearInterval(this.pruneTimer);
    this.unsubscribe();
    this.listeners.clear();
    this.table.clear();
  }

  /** Forgets authenticated stations that never associated. */
  prune(): void {
    const now = this.now();
    for (const [addr, s] of this.table) {
      if (s.state === 'authenticated' && now - s.lastSeen > this.authTimeoutMs) this.table.delete(addr);
      if (s.wired === true && now - s.lastSeen > WIRED_MAX_INACTIVITY_MS) {
        this.log.debug(`mlme: ${addr}: wired station inactive for ${Math.round((now - s.lastSeen) / 1000)} s; removed`);
        void this.deauthenticate(addr, ReasonCode.PREV_AUTH_NOT_VALID).catch((e: unknown) => this.log.warn(`mlme: ${(e as Error).message}`));
      }
    }
  }

  private emit(e: MlmeEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`mlme: listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async send(frame: ManagementFrame): Promise<void> {
    try {
      await this.opts.driver.sendMgmt(frame);
    } catch (e) {
      this.log.warn(`mlme: cannot send ${frame.body.subtype}: ${(e as Error).message}`);
    }
  }

  private onDriverEvent(e: DriverEvent): void {
    if (e.type === 'station-disassociated') {
      const had = this.table.delete(e.addr);
      if (had || e.byPeer) this.emit({ type: 'disassociated', addr: e.addr, reason: e.reason, byPeer: e.byPeer });
      return;
    }
    if (e.type === 'new-sta') return this.onNewWiredStation(e.addr);
    if (e.type === 'rx-eapol') {
      const s = this.table.get(e.src);
      if (s?.wired === true) s.lastSeen = this.now();
      // The station has its Association Response: a request from it now is a new one.
      if (s !== undefined) this.answered.delete(s);
      return;
    }
    if (e.type !== 'rx-mgmt') return;
    const f = e.frame;
    if (f.header.addr1 !== this.bssid || isGroupAddress(f.header.addr2)) return;
    void this.handle(f).catch((err: unknown) => this.log.error(`mlme: ${(err as Error).message}`));
  }

  private async handle(f: ManagementFrame): Promise<void> {
    const sta = f.header.addr2;
    const b = f.body;
    switch (b.subtype) {
      case 'authentication':
        if (b.transaction !== 1) return;
        return this.onAuth(sta, b.algorithm);
      case 'association-request':
      case 'reassociation-request':
        return this.onAssocRequest(sta, b.subtype === 'reassociation-request', b.capability, b.listenInterval, b.elements);
      case 'deauthentication':
      case 'disassociation': {
        const s = this.table.get(sta);
        if (s === undefined) return;
        this.table.delete(sta);
        // The driver reports the station's departure itself when it had it installed.
        if (s.state !== 'associated') this.emit({ type: 'disassociated', addr: sta, reason: b.reason, byPeer: true });
        return;
      }
      default:
        return;
    }
  }

  /** hostapd_event_new_sta on a wired port: the station is added at once, without WPS or RSN flags. */
  private onNewWiredStation(addr: MacAddress): void {
    if (this.table.has(addr) || isGroupAddress(addr)) return;
    if (this.opts.allowed?.(addr) === false) {
      this.log.debug(`mlme: ${addr}: Station not allowed by the MAC address filter (macaddr_acl); wired station ignored`);
      return;
    }
    if (this.table.size >= this.maxStations) {
      this.log.debug(`mlme: ${addr}: station table full (${this.table.size}); wired station ignored`);
      return;
    }
    const aid = this.freeAid();
    if (aid === undefined) return;
    this.log.debug(`mlme: Data frame from unknown STA ${addr} - adding a new STA`);
    const entry: StationEntry = { addr, state: 'associated', aid, wps: false, wps2: false, maybeWps: false, rsn: false, fourAddr: false, lastSeen: this.now(), wired: true };
    this.table.set(addr, entry);
    // The wired driver records the station synchronously; the EAPOL frame that made it new follows this event.
    void this.opts.driver.addStation(addr, { aid, capability: 0, listenInterval: 0 }).catch((e: unknown) => {
      this.log.warn(`mlme: ${addr}: ${(e as Error).message}`);
      this.table.delete(addr);
    });
    this.emit({ type: 'associated', station: { ...entry }, reassociation: false });
  }

  private async onAuth(sta: MacAddress, algorithm: number): Promise<void> {
    let status: number = StatusCode.SUCCESS;
    if (algorithm !== AuthAlgorithm.OPEN_SYSTEM) status = StatusCode.NOT_SUPPORTED_AUTH_ALG;
    else if (this.opts.allowed?.(sta) === false) {
      // hostapd handle_auth: "Station ... not allowed to authenticate", status 1.
      this.log.info(`mlme: ${sta}: Station not allowed to authenticate (macaddr_acl)`);
      status = StatusCode.UNSPECIFIED_FAILURE;
    } else if (!this.table.has(sta)) {
      this.prune();
      if (this.table.size >= this.maxStations) status = StatusCode.AP_UNABLE_TO_HANDLE_NEW_STA;
    }
    if (status === StatusCode.SUCCESS) {
      const prev = this.table.get(sta);
      if (prev?.state === 'associated') {
        // A new authentication drops the old association (802.11 state 1).
        try {
          await this.opts.driver.removeStation(sta, ReasonCode.PREV_AUTH_NOT_VALID);
        } catch (e) {
          if (!(e instanceof DriverError)) throw e;
        }
      }
      this.table.set(sta, { addr: sta, state: 'authenticated', wps: false, wps2: false, maybeWps: false, rsn: false, fourAddr: false, lastSeen: this.now() });
    }
    await this.send(
      managementFrame(sta, this.bssid, this.bssid, { subtype: 'authentication', algorithm, transaction: 2, status, rest: new Uint8Array(0) }),
    );
  }

  private freeAid(): number | undefined {
    const used = new Set([...this.table.values()].map((s) => s.aid));
    for (let aid = 1; aid <= AID_MAX; aid++) if (!used.has(aid)) return aid;
    return undefined;
  }

  /**
   * A station's MLME sends its (Re)Association Request again when no answer
   * came within ~100 ms (mac80211: "associate with ... (try 2/3)"), a new
   * frame, not a MAC retry. Taken as a new association, the repeat would
   * remove and re-add the station, and with it its keys, after it may have
   * finished the 4-way handshake on the first answer (a loaded AP saw the
   * station time out). So the same request is not a new association: while
   * the first is being answered it is dropped (that answer serves both), and
   * once answered it gets the same answer again and changes nothing, until
   * the station sends a frame of its own (EAPOL) or authenticates again.
   * hostapd answers frames one at a time, as they come, so a repeat reaches
   * it before the handshake starts; it drops only MAC retries (Retry bit
   * with the last sequence control).
   */
  private async onAssocRequest(sta: MacAddress, reassoc: boolean, capability: number, listenInterval: number, elements: Element[]): Promise<void> {
    const entry = this.table.get(sta);
    if (entry === undefined) return this.onAssoc(sta, reassoc, capability, listenInterval, elements);
    const request = `${reassoc ? 'r' : 'a'} ${capability} ${listenInterval} ${Buffer.from(buildElements(elements)).toString('hex')}`;
    if (this.assocInFlight.get(sta) === request) {
      this.log.debug(`mlme: ${sta}: repeated association request dropped (the first is being answered)`);
      return;
    }
    const done = this.answered.get(entry);
    if (entry.state === 'associated' && done?.request === request) {
      this.log.debug(`mlme: ${sta}: repeated association request answered again`);
      return this.send(done.response);
    }
    this.assocInFlight.set(sta, request);
    try {
      await this.onAssoc(sta, reassoc, capability, listenInterval, elements, request);
    } finally {
      if (this.assocInFlight.get(sta) === request) this.assocInFlight.delete(sta);
    }
  }

  private async onAssoc(sta: MacAddress, reassoc: boolean, capability: number, listenInterval: number, elements: Element[], request?: string): Promise<void> {
    const subtype = reassoc ? ('reassociation-response' as const) : ('association-response' as const);
    const refuse = (status: number, why: string): Promise<void> => {
      this.log.debug(`mlme: ${sta}: association refused (${status}): ${why}`);
      return this.send(managementFrame(sta, this.bssid, this.bssid, { subtype, capability: CapabilityInfo.ESS, status, aid: 0, elements: [] }));
    };
    const entry = this.table.get(sta);
    if (entry === undefined) {
      // Class 2 frame from a station that is not authenticated.
      return this.send(managementFrame(sta, this.bssid, this.bssid, { subtype: 'deauthentication', reason: ReasonCode.CLASS2_FRAME_FROM_NONAUTH_STA, elements: [] }));
    }
    let wps: { ie: Buffer; version2: boolean } | undefined;
    try {
      wps = this.opts.wpsEnabled ? assocWps(elements) : undefined;
    } catch (e) {
      if (e instanceof WscProtocolError || e instanceof WpsIeError) return refuse(StatusCode.INVALID_IE, `invalid WPS element: ${e.message}`);
      throw e;
    }
    const rsnEl = findElement(elements, ElementId.RSN);
    const rsn = rsnEl !== undefined;
    const maybeWps = this.opts.wpsEnabled && wps === undefined && !rsn;
    if (this.opts.rsn && wps === undefined && !rsn && !maybeWps) return refuse(StatusCode.INVALID_IE, 'no RSN element');
    // hostapd: a WPS association ignores the RSN element; otherwise it must name what the BSS offers.
    if (this.opts.rsn && wps === undefined && rsnEl !== undefined) {
      const status = wpa2PskAssocStatus(rsnEl.data);
      if (status !== StatusCode.SUCCESS) return refuse(status, 'RSN element does not match the BSS');
    }

    const bss = this.opts.multiAp ?? 0;
    let multiAp: MultiApElement | undefined;
    try {
      // multi_ap=0 ignores the element, a malformed one included (hostapd parses it only on a Multi-AP BSS).
      multiAp = bss !== 0 ? findMultiApElement(elements) : undefined;
    } catch (e) {
      if (e instanceof MultiApError) return refuse(StatusCode.INVALID_IE, `invalid Multi-AP element: ${e.message}`);
      throw e;
    }
    const verdict = checkMultiAp(bss, multiAp);
    if (!verdict.ok) return refuse(verdict.status, verdict.why);
    if (verdict.note !== undefined) this.log.info(`mlme: ${sta}: ${verdict.note}`);
    const multiApSta = verdict.multiApSta;
    const aid = entry.aid ?? this.freeAid();
    if (aid === undefined) return refuse(StatusCode.AP_UNABLE_TO_HANDLE_NEW_STA, 'no free AID');
    // A backhaul STA on a backhaul BSS exchanges data in 4-address frames; a WPS association never does (hostapd).
    const fourAddr = multiApSta && (bss & MultiApConfig.BACKHAUL_BSS) !== 0 && wps === undefined;
    const next: StationEntry = {
      addr: sta,
      state: 'associated',
      aid,
      wps: wps !== undefined,
      wps2: wps?.version2 ?? false,
      maybeWps,
      rsn,
      fourAddr,
      lastSeen: this.now(),
      capability,
      listenInterval,
      supportedRates: Buffer.concat(
        [ElementId.SUPPORTED_RATES, ElementId.EXTENDED_SUPPORTED_RATES].map((id) => Buffer.from(findElement(elements, id)?.data ?? new Uint8Array(0))),
      ).subarray(0, SUPPORTED_RATES_MAX),
    };
    if (wps !== undefined) next.wpsIe = wps.ie;
    if (this.opts.rsn && wps === undefined && rsnEl !== undefined) next.rsnIe = buildElements([rsnEl]);
    if (multiApSta && multiAp !== undefined) next.multiAp = multiAp;
    try {
      await this.opts.driver.addStation(sta, { aid, capability, listenInterval, fourAddr });
    } catch (e) {
      if (e instanceof DriverError) return refuse(StatusCode.AP_UNABLE_TO_HANDLE_NEW_STA, e.message);
      throw e;
    }
    this.table.set(sta, next);
    // Supported Rates first (9.3.3.6): mac80211 stations drop a response without them.
    const respElements: Element[] = defaultRateElements();
    if (next.wps || (next.maybeWps && this.opts.rsn)) respElements.push(...buildAssocResponseWpsElements());
    const multiApIe = multiApSta ? multiApBssElement(bss) : undefined;
    if (multiApIe !== undefined) respElements.push(multiApIe);
    const response = managementFrame(sta, this.bssid, this.bssid, {
      subtype,
      capability: CapabilityInfo.ESS,
      status: StatusCode.SUCCESS,
      aid: aid | AID_FIELD_BITS,
      elements: respElements,
    });
    if (request !== undefined) this.answered.set(next, { request, response });
    await this.send(response);
    this.emit({ type: 'associated', station: { ...next }, reassociation: reassoc });
  }
}
