/**
 * The sim backend of ApDriver: beacons on a timer, answers Probe Requests from
 * the probe-response elements, reports management frames to the AP daemon and
 * carries EAPOL to and from the stations the daemon added.
 */
import { type MacAddress, macAddress, isGroupAddress, BROADCAST_ADDRESS } from '../mac.js';
import { type Element, ssidElement, defaultRateElements, dsParameterSetElement } from '../elements.js';
import {
  type ManagementFrame,
  type DataFrame,
  managementFrame,
  eapolDataFrame,
  llcDataFrame,
  llcFromDataFrame,
  dataAddressing,
  ReasonCode,
  AID_MAX,
  FcFlag,
} from '../frame.js';
import { DriverError, type ApDriver, type ApParams, type AddStationParams, type StationInfo, type KeyInstall, type InstalledKey } from '../driver.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { SimKeyStore } from './keys.js';
import { SimRadio, type SimRadioOptions } from './radio-base.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';
import { answersProbe } from '../probe-answer.js';

/** One TU is 1024 microseconds (802.11 3.1). */
export const TU_MS = 1.024;
export const BEACON_INTERVAL_MIN_TU = 15;
export const BEACON_INTERVAL_MAX_TU = 65535;
/** The number of stations one sim AP keeps, like hostapd's max_num_sta default. */
export const MAX_STATIONS = 2007;

export class SimApDriver extends SimRadio implements ApDriver {
  private params: ApParams | undefined;
  private beaconTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = process.hrtime.bigint();
  private readonly table = new Map<MacAddress, StationInfo>();
  private readonly keys = new SimKeyStore();

  static async open(opts: SimRadioOptions): Promise<SimApDriver> {
    const { link, address, logger } = await SimRadio.attach(opts);
    return new SimApDriver(link, address, logger.child('sim-ap'));
  }

  async startAp(params: ApParams): Promise<void> {
    this.requireLink();
    if (params.ssid.length > SSID_MAX_LEN) throw new DriverError('BAD_CONFIG', `SSID of ${params.ssid.length} octets exceeds ${SSID_MAX_LEN}`);
    if (!Number.isInteger(params.beaconInterval) || params.beaconInterval < BEACON_INTERVAL_MIN_TU || params.beaconInterval > BEACON_INTERVAL_MAX_TU) {
      throw new DriverError('BAD_CONFIG', `beacon interval ${params.beaconInterval} TU outside ${BEACON_INTERVAL_MIN_TU}..${BEACON_INTERVAL_MAX_TU}`);
    }
    if (this.params) throw new DriverError('BUSY', 'the AP is already started');
    this.link.setChannel(params.channel);
    this.params = { ...params, beaconElements: [...params.beaconElements], probeResponseElements: [...params.probeResponseElements] };
    this.sendBeacon();
    this.beaconTimer = setInterval(() => this.sendBeacon(), Math.round(params.beaconInterval * TU_MS));
    this.log.debug(`AP started on channel ${params.channel} as ${this.address}`);
  }

  async setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void> {
    if (!this.params) throw new DriverError('NOT_STARTED', 'the AP is not started');
    if (update.beaconElements) this.params.beaconElements = [...update.beaconElements];
    if (update.probeResponseElements) this.params.probeResponseElements = [...update.probeResponseElements];
  }

  async stopAp(): Promise<void> {
    this.stopBeacons();
    this.params = undefined;
    this.table.clear();
    this.keys.clear();
  }

  async addStation(addr: MacAddress, p: AddStationParams): Promise<void> {
    if (!this.params) throw new DriverError('NOT_STARTED', 'the AP is not started');
    const sta = macAddress(addr);
    if (isGroupAddress(sta)) throw new DriverError('BAD_CONFIG', `${sta} is a group address`);
    if (!Number.isInteger(p.aid) || p.aid < 1 || p.aid > AID_MAX) throw new DriverError('BAD_CONFIG', `AID ${p.aid} outside 1..${AID_MAX}`);
    if (!this.table.has(sta) && this.table.size >= MAX_STATIONS) throw new DriverError('BUSY', `station table full (${MAX_STATIONS})`);
    // A (re)association starts with a closed port and no pairwise key (mac80211 sta_info_alloc).
    const info: StationInfo = { addr: sta, aid: p.aid, capability: p.capability, listenInterval: p.listenInterval, fourAddr: p.fourAddr ?? false, authorized: false };
    this.table.set(sta, info);
    this.keys.forgetPeer(sta);
    this.emit({ type: 'station-associated', addr: sta, aid: info.aid, fourAddr: info.fourAddr ?? false });
  }

  async removeStation(addr: MacAddress, reason: number = ReasonCode.UNSPECIFIED): Promise<void> {
    const sta = macAddress(addr);
    if (!this.table.delete(sta)) throw new DriverError('UNKNOWN_STATION', `station ${sta} is not in the table`);
    this.keys.forgetPeer(sta);
    this.emit({ type: 'station-disassociated', addr: sta, reason, byPeer: false });
  }

  stations(): StationInfo[] {
    return [...this.table.values()].map((s) => ({ ...s }));
  }

  async setStationAuthorized(addr: MacAddress, authorized: boolean): Promise<void> {
    const sta = this.table.get(macAddress(addr));
    if (!sta) throw new DriverError('UNKNOWN_STATION', `station ${addr} is not associated`);
    sta.authorized = authorized;
  }

  async installKey(k: KeyInstall): Promise<void> {
    if (!this.params) throw new DriverError('NOT_STARTED', 'the AP is not started');
    let peer: MacAddress | undefined;
    if (k.type === 'pairwise' && k.addr !== undefined) {
      peer = macAddress(k.addr);
      if (!this.table.has(peer)) throw new DriverError('UNKNOWN_STATION', `station ${peer} is not associated`);
    }
    this.keys.install(k, peer);
  }

  async groupKeySequence(keyIndex: number): Promise<Uint8Array> {
    return this.keys.groupSequence(keyIndex);
  }

  /** The keys installed for `addr` (pairwise) and the group keys, without key material. */
  installedKeys(addr?: MacAddress): InstalledKey[] {
    return this.keys.list(addr === undefined ? undefined : macAddress(addr));
  }

  /** Key material, for tests comparing what both ends derived. */
  keyData(type: 'pairwise' | 'group', ref: MacAddress | number): Uint8Array | undefined {
    return this.keys.keyData(type, typeof ref === 'number' ? ref : macAddress(ref));
  }

  /**
   * Sends data other than EAPOL: to an authorized station, or group-addressed
   * to every station (counted against the default group key, which must exist).
   */
  async sendData(dst: MacAddress, etherType: number, payload: Uint8Array): Promise<void> {
    this.requireLink();
    if (etherType === ETHERTYPE_EAPOL) throw new DriverError('BAD_CONFIG', 'EAPOL goes through sendEapol()');
    const to = macAddress(dst);
    if (isGroupAddress(to)) {
      if (!this.keys.countGroupTx()) throw new DriverError('NOT_AUTHORIZED', 'no default group key for group-addressed data');
      this.transmit(llcDataFrame({ direction: 'from-ap', bssid: this.address, station: to, fourAddr: false, etherType, payload }));
      return;
    }
    const sta = this.table.get(to);
    if (!sta) throw new DriverError('UNKNOWN_STATION', `station ${to} is not associated`);
    if (!sta.authorized) throw new DriverError('NOT_AUTHORIZED', `station ${to} is not authorized`);
    this.transmit(llcDataFrame({ direction: 'from-ap', bssid: this.address, station: sta.addr, fourAddr: sta.fourAddr ?? false, etherType, payload }));
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    this.requireLink();
    const sta = this.table.get(macAddress(dst));
    if (!sta) throw new DriverError('UNKNOWN_STATION', `station ${dst} is not associated`);
    this.transmit(eapolDataFrame({ direction: 'from-ap', bssid: this.address, station: sta.addr, fourAddr: sta.fourAddr ?? false, eapol }));
  }

  /** Standard elements first (SSID, rates, DS Parameter Set), then the daemon's (9.3.3.2 order). */
  private advertisedElements(extra: Element[], hide: boolean): Element[] {
    const p = this.params as ApParams;
    const rates = defaultRateElements();
    return [ssidElement(hide ? new Uint8Array(0) : p.ssid), rates[0] as Element, dsParameterSetElement(p.channel), ...rates.slice(1), ...extra];
  }

  private tsf(): bigint {
    return (process.hrtime.bigint() - this.startedAt) / 1000n;
  }

  private sendBeacon(): void {
    const p = this.params;
    if (!p || !this.link.isOpen) return;
    const body = {
      subtype: 'beacon' as const,
      timestamp: this.tsf(),
      beaconInterval: p.beaconInterval,
      capability: p.capability,
      elements: this.advertisedElements(p.beaconElements, p.hideSsid ?? false),
    };
    try {
      this.transmit(managementFrame(BROADCAST_ADDRESS, this.address, this.address, body));
    } catch (err) {
      this.log.error(`beacon not sent: ${(err as Error).message}`);
    }
  }

  private stopBeacons(): void {
    if (this.beaconTimer) clearInterval(this.beaconTimer);
    this.beaconTimer = undefined;
  }

  protected receiveMgmt(frame: ManagementFrame, raw: Uint8Array): void {
    const p = this.params;
    if (!p) return;
    const h = frame.header;
    const toUs = h.addr1 === this.address || isGroupAddress(h.addr1);
    if (!toUs) return;
    const b = frame.body;
    if (b.subtype === 'probe-request') {
      if (h.addr3 !== this.address && !isGroupAddress(h.addr3)) return;
      this.answerProbe(h.addr2, b.elements);
      this.emit({ type: 'rx-mgmt', frame, raw });
      return;
    }
    // Everything else belongs to our BSS or is not ours (e.g. another AP's beacon).
    if (h.addr3 !== this.address) return;
    this.emit({ type: 'rx-mgmt', frame, raw });
    if ((b.subtype === 'deauthentication' || b.subtype === 'disassociation') && this.table.delete(h.addr2)) {
      this.keys.forgetPeer(h.addr2);
      this.emit({ type: 'station-disassociated', addr: h.addr2, reason: b.reason, byPeer: true });
    }
  }

  private answerProbe(sta: MacAddress, elements: Element[]): void {
    const p = this.params as ApParams;
    if (!answersProbe(p, elements)) return;
    const body = {
      subtype: 'probe-response' as const,
      timestamp: this.tsf(),
      beaconInterval: p.beaconInterval,
      capability: p.capability,
      elements: this.advertisedElements(p.probeResponseElements, false),
    };
    this.transmit(managementFrame(sta, this.address, this.address, body));
  }

  protected receiveData(frame: DataFrame): void {
    if (!this.params || frame.header.addr1 !== this.address) return;
    if ((frame.header.flags & FcFlag.TO_DS) === 0) return;
    const a = dataAddressing(frame);
    // Class 3 frames only from stations the daemon installed (hostapd with mac80211 works the same).
    const sta = this.table.get(a.ta);
    if (!sta) {
      this.log.debug(`data frame from unassociated ${a.ta} dropped`);
      return;
    }
    const llc = llcFromDataFrame(frame);
    if (llc === undefined) return;
    if (llc.etherType === ETHERTYPE_EAPOL) {
      this.emit({ type: 'rx-eapol', src: a.ta, eapol: llc.payload, fourAddr: a.fromDs });
      return;
    }
    // The controlled port (802.1X): nothing but EAPOL until the daemon authorizes the station.
    if (!sta.authorized) {
      this.log.debug(`data frame from unauthorized ${a.ta} dropped`);
      return;
    }
    this.emit({ type: 'rx-data', src: a.ta, dst: a.da, etherType: llc.etherType, payload: llc.payload });
  }

  protected linkLost(why: string): void {
    this.log.error(`sim medium link lost: ${why}`);
    this.stopBeacons();
  }

  protected beforeClose(): void {
    this.stopBeacons();
    this.params = undefined;
    this.table.clear();
    this.keys.clear();
  }
}
