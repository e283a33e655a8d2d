/**
 * The sim backend of StationDriver, SME in the driver (cfg80211 CONNECT
 * style): connect() runs Open System authentication and association with
 * retries, scan() probes each channel and listens for a dwell time.
 * Data other than EAPOL flows only while the port is authorized; keys are
 * recorded per association and go with it.
 */
import { type MacAddress, macAddress, isGroupAddress, BROADCAST_ADDRESS } from '../mac.js';
import { type Element, ElementId, ssidElement, defaultRateElements, findElement } from '../elements.js';
import {
  type ManagementFrame,
  type ManagementBody,
  type DataFrame,
  managementFrame,
  eapolDataFrame,
  llcDataFrame,
  llcFromDataFrame,
  dataAddressing,
  ReasonCode,
  StatusCode,
  AuthAlgorithm,
  CapabilityInfo,
  FcFlag,
} from '../frame.js';
import {
  DriverError,
  type StationDriver,
  type ScanParams,
  type ScanResult,
  type ConnectParams,
  type ConnectResult,
  type KeyInstall,
  type InstalledKey,
} from '../driver.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { SimKeyStore } from './keys.js';
import { SimRadio, type SimRadioOptions } from './radio-base.js';
import type { SimLink } from './link.js';
import type { Logger } from '../../common/log.js';
import { sleep } from '../../common/sleep.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';

/** mac80211 waits 200 ms for an Authentication or Association Response and tries three times. */
export const DEFAULT_MLME_TIMEOUT_MS = 200;
export const DEFAULT_MLME_TRIES = 3;
export const DEFAULT_DWELL_MS = 120;
export const MAX_DWELL_MS = 10_000;
export const MAX_SCAN_CHANNELS = 64;
export const DEFAULT_LISTEN_INTERVAL = 5;

export interface SimStationOptions extends SimRadioOptions {
  mlmeTimeoutMs?: number;
  mlmeTries?: number;
}

interface Waiter {
  accept: (f: ManagementFrame) => boolean;
  resolve: (f: ManagementFrame | undefined) => void;
  timer: NodeJS.Timeout;
}

interface Connection {
  bssid: MacAddress;
  aid: number;
  fourAddr: boolean;
  authorized: boolean;
}

export class SimStationDriver extends SimRadio implements StationDriver {
  private current: Connection | undefined;
  private busy: 'scan' | 'connect' | undefined;
  private scanSink: ((f: ManagementFrame) => void) | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly keys = new SimKeyStore();

  private constructor(
    link: SimLink,
    address: MacAddress,
    logger: Logger,
    private readonly mlmeTimeoutMs: number,
    private readonly mlmeTries: number,
  ) {
    super(link, address, logger);
  }

  static async open(opts: SimStationOptions): Promise<SimStationDriver> {
    const { link, address, logger } = await SimRadio.attach(opts);
    return new SimStationDriver(link, address, logger.child('sim-sta'), opts.mlmeTimeoutMs ?? DEFAULT_MLME_TIMEOUT_MS, opts.mlmeTries ?? DEFAULT_MLME_TRIES);
  }

  connection(): Connection | undefined {
    return this.current ? { ...this.current } : undefined;
  }

  async scan(params: ScanParams = {}): Promise<ScanResult[]> {
    this.requireLink();
    if (this.busy) throw new DriverError('BUSY', `cannot scan during ${this.busy}`);
    const channels = params.channels ?? [this.link.channel];
    const dwell = params.dwellMs ?? DEFAULT_DWELL_MS;
    if (channels.length < 1 || channels.length > MAX_SCAN_CHANNELS) throw new DriverError('BAD_CONFIG', `scan of ${channels.length} channels`);
    if (!(dwell >= 0 && dwell <= MAX_DWELL_MS)) throw new DriverError('BAD_CONFIG', `dwell ${dwell} ms outside 0..${MAX_DWELL_MS}`);
    const ssid = params.ssid ?? new Uint8Array(0);
    if (ssid.length > SSID_MAX_LEN) throw new DriverError('BAD_CONFIG', `SSID of ${ssid.length} octets exceeds ${SSID_MAX_LEN}`);
    this.busy = 'scan';
    const home = this.link.channel;
    const results = new Map<MacAddress, ScanResult>();
    try {
      for (const channel of channels) {
        this.link.setChannel(channel);
        this.scanSink = (f) => collect(results, f, channel);
        this.transmit(
          managementFrame(BROADCAST_ADDRESS, this.address, BROADCAST_ADDRESS, {
            subtype: 'probe-request',
            elements: [ssidElement(ssid), ...defaultRateElements(), ...(params.elements ?? [])],
          }),
        );
        await sleep(dwell);
      }
    } finally {
      this.scanSink = undefined;
      if (this.link.isOpen) this.link.setChannel(home);
      this.busy = undefined;
    }
    return [...results.values()];
  }

  async connect(p: ConnectParams): Promise<ConnectResult> {
    this.requireLink();
    if (this.busy) throw new DriverError('BUSY', `cannot connect during ${this.busy}`);
    const bssid = macAddress(p.bssid);
    if (isGroupAddress(bssid)) throw new DriverError('BAD_CONFIG', `${bssid} is a group address`);
    if (p.ssid.length > SSID_MAX_LEN) throw new DriverError('BAD_CONFIG', `SSID of ${p.ssid.length} octets exceeds ${SSID_MAX_LEN}`);
    if (this.current) await this.disconnect(ReasonCode.DEAUTH_LEAVING);
    this.busy = 'connect';
    try {
      this.link.setChannel(p.channel);
      const auth = await this.exchange(
        bssid,
        { subtype: 'authentication', algorithm: AuthAlgorithm.OPEN_SYSTEM, transaction: 1, status: 0, rest: new Uint8Array(0) },
        (b) => b.subtype === 'authentication' && b.transaction === 2 && b.algorithm === AuthAlgorithm.OPEN_SYSTEM,
      );
      if (!auth || auth.body.subtype !== 'authentication') return { ok: false, bssid, stage: 'authentication', reason: 'authentication timed out' };
      if (auth.body.status !== StatusCode.SUCCESS) {
        return { ok: false, bssid, stage: 'authentication', status: auth.body.status, reason: `authentication refused with status ${auth.body.status}` };
      }
      const assoc = await this.exchange(
        bssid,
        {
          subtype: 'association-request',
          capability: p.capability ?? CapabilityInfo.ESS,
          listenInterval: p.listenInterval ?? DEFAULT_LISTEN_INTERVAL,
          elements: [ssidElement(p.ssid), ...defaultRateElements(), ...(p.elements ?? [])],
        },
        (b) => b.subtype === 'association-response',
      );
      if (!assoc || assoc.body.subtype !== 'association-response') return { ok: false, bssid, stage: 'association', reason: 'association timed out' };
      if (assoc.body.status !== StatusCode.SUCCESS) {
        return { ok: false, bssid, stage: 'association', status: assoc.body.status, reason: `association refused with status ${assoc.body.status}` };
      }
      const aid = assoc.body.aid & 0x3fff;
      this.current = { bssid, aid, fourAddr: p.fourAddr ?? false, authorized: false };
      this.keys.clear();
      this.emit({ type: 'associated', bssid, aid, elements: assoc.body.elements });
      return { ok: true, bssid, aid, elements: assoc.body.elements };
    } finally {
      this.busy = undefined;
    }
  }

  async disconnect(reason: number = ReasonCode.DEAUTH_LEAVING): Promise<void> {
    const c = this.current;
    if (!c) throw new DriverError('NOT_CONNECTED', 'not associated');
    this.current = undefined;
    this.keys.clear();
    if (this.link.isOpen) this.transmit(managementFrame(c.bssid, this.address, c.bssid, { subtype: 'deauthentication', reason, elements: [] }));
    this.emit({ type: 'disconnected', bssid: c.bssid, reason, locallyGenerated: true });
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    this.requireLink();
    const c = this.current;
    if (!c || c.bssid !== macAddress(dst)) throw new DriverError('NOT_CONNECTED', `not associated with ${dst}`);
    this.transmit(eapolDataFrame({ direction: 'to-ap', bssid: c.bssid, station: this.address, fourAddr: c.fourAddr, eapol }));
  }

  async setPortAuthorized(authorized: boolean): Promise<void> {
    if (!this.current) throw new DriverError('NOT_CONNECTED', 'not associated');
    this.current.authorized = authorized;
  }

  async installKey(k: KeyInstall): Promise<void> {
    const c = this.current;
    if (!c) throw new DriverError('NOT_CONNECTED', 'not associated');
    if (k.type === 'pairwise' && k.addr !== undefined && macAddress(k.addr) !== c.bssid) throw new DriverError('NOT_CONNECTED', `not associated with ${k.addr}`);
    this.keys.install(k, k.type === 'pairwise' ? c.bssid : undefined);
  }

  /** The keys of the current association, without key material. */
  installedKeys(): InstalledKey[] {
    return this.keys.list();
  }

  /** Key material, for tests comparing what both ends derived. */
  keyData(type: 'pairwise' | 'group', ref: MacAddress | number): Uint8Array | undefined {
    return this.keys.keyData(type, typeof ref === 'number' ? ref : macAddress(ref));
  }

  /** Sends data other than EAPOL to the AP; only while the port is authorized. */
  async sendData(etherType: number, payload: Uint8Array): Promise<void> {
    this.requireLink();
    if (etherType === ETHERTYPE_EAPOL) throw new DriverError('BAD_CONFIG', 'EAPOL goes through sendEapol()');
    const c = this.current;
    if (!c) throw new DriverError('NOT_CONNECTED', 'not associated');
    if (!c.authorized) throw new DriverError('NOT_AUTHORIZED', 'the port is not authorized');
    this.transmit(llcDataFrame({ direction: 'to-ap', bssid: c.bssid, station: this.address, fourAddr: c.fourAddr, etherType, payload }));
  }

  /** Sends a request and waits for the matching response from `bssid`, retrying on timeout. */
  private async exchange(bssid: MacAddress, body: ManagementBody, matches: (b: ManagementBody) => boolean): Promise<ManagementFrame | undefined> {
    for (let attempt = 0; attempt < this.mlmeTries; attempt++) {
      const reply = this.waitFor((f) => f.header.addr2 === bssid && f.header.addr3 === bssid && matches(f.body), this.mlmeTimeoutMs);
      this.transmit(managementFrame(bssid, this.address, bssid, body));
      const got = await reply;
      if (got) return got;
      if (!this.link.isOpen) return undefined;
      this.log.debug(`no answer from ${bssid} to ${body.subtype} (try ${attempt + 1}/${this.mlmeTries})`);
    }
    return undefined;
  }

  private waitFor(accept: (f: ManagementFrame) => boolean, ms: number): Promise<ManagementFrame | undefined> {
    return new Promise((resolve) => {
      const w: Waiter = {
        accept,
        resolve: (f) => {
          clearTimeout(w.timer);
          this.waiters.delete(w);
          resolve(f);
        },
        timer: setTimeout(() => w.resolve(undefined), ms),
      };
      this.waiters.add(w);
    });
  }

  protected receiveMgmt(frame: ManagementFrame, raw: Uint8Array): void {
    const h = frame.header;
    if (h.addr1 !== this.address && !isGroupAddress(h.addr1)) return;
    const b = frame.body;
    if ((b.subtype === 'beacon' || b.subtype === 'probe-response') && this.scanSink) this.scanSink(frame);
    for (const w of [...this.waiters]) {
      if (w.accept(frame)) {
        w.resolve(frame);
        break;
      }
    }
    this.emit({ type: 'rx-mgmt', frame, raw });
    const c = this.current;
    if (c && (b.subtype === 'deauthentication' || b.subtype === 'disassociation') && h.addr2 === c.bssid && h.addr1 === this.address) {
      this.current = undefined;
      this.keys.clear();
      this.emit({ type: 'disconnected', bssid: c.bssid, reason: b.reason, locallyGenerated: false });
    }
  }

  protected receiveData(frame: DataFrame): void {
    const c = this.current;
    if (!c || (frame.header.flags & FcFlag.FROM_DS) === 0) return;
    const group = isGroupAddress(frame.header.addr1);
    if (frame.header.addr1 !== this.address && !group) return;
    const a = dataAddressing(frame);
    if (a.ta !== c.bssid) return;
    const llc = llcFromDataFrame(frame);
    if (llc === undefined) return;
    if (llc.etherType === ETHERTYPE_EAPOL) {
      if (!group) this.emit({ type: 'rx-eapol', src: c.bssid, eapol: llc.payload, fourAddr: a.toDs });
      return;
    }
    // The controlled port: nothing but EAPOL until the supplicant authorizes it (group data also needs the GTK).
    if (!c.authorized || (group && this.keys.list().every((k) => k.type !== 'group'))) {
      this.log.debug(`data frame from ${a.sa} dropped: port not authorized`);
      return;
    }
    this.emit({ type: 'rx-data', src: a.sa, dst: a.da, etherType: llc.etherType, payload: llc.payload });
  }

  protected linkLost(why: string): void {
    this.log.error(`sim medium link lost: ${why}`);
    for (const w of [...this.waiters]) w.resolve(undefined);
    const c = this.current;
    this.current = undefined;
    this.keys.clear();
    if (c) this.emit({ type: 'disconnected', bssid: c.bssid, reason: ReasonCode.UNSPECIFIED, locallyGenerated: true });
  }

  protected beforeClose(): void {
    for (const w of [...this.waiters]) w.resolve(undefined);
    this.current = undefined;
    this.keys.clear();
  }
}

function collect(results: Map<MacAddress, ScanResult>, f: ManagementFrame, channel: number): void {
  const b = f.body;
  if (b.subtype !== 'beacon' && b.subtype !== 'probe-response') return;
  const bssid = f.header.addr3;
  const prev = results.get(bssid);
  const isProbe = b.subtype === 'probe-response';
  const ssid = findElement(b.elements, ElementId.SSID)?.data ?? new Uint8Array(0);
  // cfg80211_get_bss_channel: the DS Parameter Set names the BSS's channel, so a
  // frame still in flight when the scan moved on to the next channel does not move the BSS there.
  const ds = findElement(b.elements, ElementId.DS_PARAMETER_SET)?.data;
  const next: ScanResult = {
    bssid,
    channel: ds !== undefined && ds.length === 1 && ds[0] !== undefined && ds[0] !== 0 ? ds[0] : channel,
    // A hidden SSID in beacons must not overwrite the one a probe response revealed.
    ssid: ssid.length === 0 && prev ? prev.ssid : ssid,
    capability: b.capability,
    beaconInterval: b.beaconInterval,
    elements: isProbe || !prev?.fromProbeResponse ? b.elements : prev.elements,
    fromProbeResponse: isProbe || (prev?.fromProbeResponse ?? false),
  };
  const beaconElements: Element[] | undefined = isProbe ? prev?.beaconElements : b.elements;
  if (beaconElements) next.beaconElements = beaconElements;
  results.set(bssid, next);
}

