/**
 * The WPS External Registrar (wpa_supplicant's wps_er.c in behaviour):
 * finds APs over SSDP on one interface, checks and keeps them, subscribes to
 * their WLANEvents, learns and configures them with the AP PIN, and enrolls
 * the stations they proxy with PINs or PBC. Every AP is worked on by its own
 * chain of promises, so one slow or broken AP never delays another.
 *
 *   const er = new ExternalRegistrar({ iface, device, logger });
 *   er.on('enrollee-add', ({ ap, enrollee }) => ...);   // typed events (er-events.ts)
 *   subscribeEventLines(er, sink);                      // wpa_supplicant's lines
 *   await er.start();                                   // WPS_ER_START
 *   er.startApSession(uuidOrMac, pin, { mode: 'learn' }) // WPS_ER_LEARN -> 'OK' | 'FAIL'
 *   await er.stop();
 *
 * Its tables are read through views (apList, enrollees, runs); only its own
 * methods (addPin, removePin, startPbc, ...) change them.
 */
import net from 'node:net';
import { describeError } from '../common/errors.js';
import { parseMac } from '../common/mac.js';
import { LogLevel, Logger, silentLogger } from '../common/log.js';
import { GenaSubscriber, GenaSubscribeError } from '../upnp/gena-subscriber.js';
import { HttpClientError, httpRequest } from '../upnp/http-client.js';
import { MAX_DESCRIPTION_BYTES } from '../upnp/description.js';
import type { InterfaceAddress } from '../upnp/net-address.js';
import { SsdpSearcher, type SsdpAdvertisement } from '../upnp/ssdp-searcher.js';
import type { Credential } from '../wps/credential.js';
import { parseUuid, type DeviceInfo } from '../wps/device.js';
import { WscProtocolError, parseMessage } from '../wps/message.js';
import { PbcSessions } from '../wps/pbc.js';
import { DhKeyPool } from '../wps/dh-key-pool.js';
import { AttributeType } from '../wps/attributes.js';
import { DevicePasswordId, MessageType } from '../wps/values.js';
import { runApSession, type ApSessionMode } from './ap-session.js';
import { apKey, ErAp, type ErApView } from './ap-record.js';
import { DescriptionCheckError, checkApDescription } from './description-check.js';
import { pickEviction } from '../upnp/source-limits.js';
import { EnrollSessions } from './enroll-session.js';
import { MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC } from './event-limiter.js';
import { parseProxiedTlvs, type ErEnrollee, type ErEnrolleeView } from './enrollee-table.js';
import { ErEvents, type ErEventMap, type ErEventName, type ErEventSource, type ErListener, type ErRunKind, type ErRunView, type ErSelectionState } from './er-events.js';
import type { ApSessionContext, EnrollContext, SessionEventName } from './session-context.js';
import { ER_PIN_TABLE, PinTable } from '../wps/pin-table.js';
import { authorizedMacsFor, BROADCAST_MAC, SELECTED_REGISTRAR_TIMEOUT_MS, selectedRegistrarMode, selectedRegistrarState, type SelectedRegistrarMode } from '../wps/registrar-context.js';
import { WFA_DEVICE_TYPE, WFA_SERVICE_TYPE } from '../wfa/service.js';
import { buildCredentialToken, buildHandoverSelect } from '../wps/nfc/nfc-token.js';
import { NfcPasswordTokens, type NfcPasswordToken } from '../wps/nfc/password-tokens.js';
import { buildSetSelectedRegistrar, type SelectedRegistrarState } from '../wfa/set-selected-registrar.js';
import { WlanEventError, WlanEventType, parseWlanEvent } from '../wfa/wlan-event.js';
import { getDeviceInfo, setSelectedRegistrar } from './wfa-soap.js';
import { formatMac } from '../common/mac.js';

/**
 * APs tracked at once (wpa_supplicant: no limit). When full, an AP still
 * being set up (not announced) gives way to a newcomer, one of the source
 * holding the most; announced APs are never evicted, so spoofed NOTIFYs
 * cannot push a working AP out, and refused ones do not count (below).
 */
export const MAX_ER_APS = 64;
/**
 * APs per source address (wpa_supplicant: no limit). A host runs one UPnP
 * device per AP interface, rarely more than a few; one more distinct UUID
 * from an address at its share replaces that address's oldest AP still being
 * set up, or is ignored. So one host fills at most a quarter of the table.
 */
export const MAX_ER_APS_PER_SOURCE = 16;
/**
 * Advertisements refused (bad description, LOCATION on another host) that
 * are remembered so the same advertisement is not fetched again; the oldest
 * is forgotten first. They hold no AP slot.
 */
export const MAX_ER_REFUSED = 256;
/** A description or GetDeviceInfo that fails is tried again this many times, then the AP waits for its next advertisement. */
export const AP_SETUP_RETRIES = 2;
export const AP_SETUP_RETRY_MS = 5_000;
/** How long wps_er_stop waits for the UNSUBSCRIBEs to be answered. */
export const ER_STOP_UNSUBSCRIBE_WAIT_MS = 3_000;
/** How often Enrollee, PIN and PBC timeouts are checked. */
export const ER_HOUSEKEEPING_MS = 1_000;

export interface ExternalRegistrarOptions {
  /** The interface the ER works on; a function is asked at each start (the address may change). */
  iface: InterfaceAddress | (() => InterfaceAddress);
  /** Our Registrar device (UUID-R, names, config methods) for M2 and SetSelectedRegistrar. */
  device: DeviceInfo;
  /**
   * wps_er_config succeeded: the new settings as the local Registrar sees
   * them (wpa_supplicant processes them like a received credential).
   */
  onConfigured?: (cred: Credential) => void;
  logger?: Logger;
  /** SSDP port (tests). */
  ssdpPort?: number;
  now?: () => number;
  /**
   * Which advertised APs to adopt, by UUID (all when absent): a lab's ER
   * takes only its own AP, though every lab on the machine advertises on lo.
   */
  acceptAp?: (uuid: Buffer) => boolean;
  /**
   * The NFC password tokens and handover requests this Registrar holds
   * (wpa_supplicant keeps one list for its ER and for wps_reg): shared with
   * the station when given.
   */
  nfcTokens?: NfcPasswordTokens;
  /** The DH private value of our last handover select (wps->ap_nfc_dh_privkey): M2's key after a handover. */
  nfcHandoverKey?: () => Buffer | undefined;
}

/** An ER command's outcome as the ctrl interface words it. */
export type ErReply = 'OK' | 'FAIL' | 'FAIL-UNKNOWN-UUID' | 'FAIL-NO-AP-SETTINGS' | 'FAIL-PBC-OVERLAP';

/** `<UUID|BSSID>` as wpa_supplicant parses it. */
export type ApSelector = { uuid: Buffer } | { mac: Buffer };

export function parseSelector(text: string): ApSelector | undefined {
  if (/^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(text)) return { uuid: parseUuid(text) };
  const mac = parseMac(text);
  return mac === undefined ? undefined : { mac };
}

function isWfaAdvertisement(nt: string): boolean {
  return nt.includes(WFA_DEVICE_TYPE.slice('urn:'.length)) || nt.includes(WFA_SERVICE_TYPE.slice('urn:'.length));
}

/** The UUID of a USN ("uuid:<uuid>[::...]"). */
export function uuidOfUsn(usn: string): Buffer | undefined {
  const m = /uuid:\s*([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?:$|::)/.exec(usn);
  return m?.[1] === undefined ? undefined : parseUuid(m[1]);
}

export class ExternalRegistrar implements ErEventSource {
  readonly log: Logger;
  readonly now: () => number;
  private readonly pins: PinTable;
  private readonly nfcTokens: NfcPasswordTokens;
  private readonly pbc: PbcSessions;
  /**
   * Every Registrar run takes its DH pair from here. A refill (one key
   * generation, ~0.18 ms) waits until no run is under way, or for the end of
   * one: run at the next turn of the event loop, it would hold up the run
   * that took the pair (a learn's GetDeviceInfo is written only once its
   * connection's event comes, after the refill).
   */
  private readonly dhKeys = new DhKeyPool({ defer: (task) => this.deferRefill(task) });
  /** The pool's refill step while runs are under way (at most one: the pool asks again only once it ran). */
  private refillAfterRun: (() => void) | undefined;
  private readonly events: ErEvents;
  private readonly aps = new Map<string, ErAp>();
  /** Protocol runs under way. */
  private readonly activeRuns = new Set<ErRunView>();
  private runIds = 0;
  /** Refused advertisements by AP key: the LOCATION that was refused (so the same one is not fetched again). */
  private readonly refused = new Map<string, string>();
  private searcher: SsdpSearcher | undefined;
  private gena: GenaSubscriber | undefined;
  private filter: string | undefined;
  private nextId = 0;
  private housekeeping: NodeJS.Timeout | undefined;
  private running = false;
  /** Settings of APs that said byebye, by UUID (wps_er_ap_cache_settings). */
  private readonly cachedSettings = new Map<string, Credential>();
  private readonly enroll: EnrollSessions;
  /** What the APs were last told: the mode, and what else makes a new SetSelectedRegistrar due. */
  private selRegMode: SelectedRegistrarMode = 'off';
  private selRegKey = '';
  /** When the last SetSelectedRegistrar went out, and the PIN table's version then. */
  private selRegSentAt = 0;
  private selRegPinVersion = 0;
  private starting: Promise<void> | undefined;
  /** UNSUBSCRIBEs under way; stop() waits for them a little (wps_er_deinit waits up to 5 s). */
  private readonly unsubscribing = new Set<Promise<void>>();
  /** PBC: SetSelectedRegistrar only to this AP (wps_er_pbc's filter). */
  private pbcApKey: string | undefined;

  constructor(private readonly opts: ExternalRegistrarOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.pins = new PinTable(this.now, ER_PIN_TABLE);
    this.nfcTokens = opts.nfcTokens ?? new NfcPasswordTokens();
    this.pbc = new PbcSessions({ now: this.now });
    this.events = new ErEvents(this.log);
    this.enroll = new EnrollSessions(this.enrollContext());
  }

  /** Subscribes to one of the ER's typed events; returns the unsubscribe. */
  on<K extends ErEventName>(name: K, listener: ErListener<K>): () => void {
    return this.events.on(name, listener);
  }

  private publish<K extends ErEventName>(name: K, ev: ErEventMap[K]): void {
    if (name === 'run-start') this.activeRuns.add((ev as ErEventMap['run-start']).run);
    else if (name === 'run-end') {
      this.activeRuns.delete((ev as ErEventMap['run-end']).run);
      const refill = this.refillAfterRun;
      this.refillAfterRun = undefined;
      if (refill !== undefined) setImmediate(refill);
    }
    this.events.emit(name, ev);
  }

  private deferRefill(task: () => void): void {
    if (this.activeRuns.size === 0) setImmediate(task);
    else this.refillAfterRun = task;
  }

  private newRun(kind: ErRunKind, ap: ErAp, enrollee?: ErEnrollee): ErRunView {
    const run = { id: ++this.runIds, kind, ap, startedAt: this.now() };
    return enrollee === undefined ? run : { ...run, enrollee };
  }

  private sessionContext(): Omit<ApSessionContext, 'learned' | 'configured'> {
    return {
      device: this.device,
      log: this.log,
      dhKeyPair: () => this.dhKeys.take(),
      controlUrl: (ap) => this.controlUrl(ap),
      newRun: (kind, ap, e) => this.newRun(kind, ap, e),
      publish: <K extends SessionEventName>(name: K, ev: ErEventMap[K]) => this.publish(name, ev),
    };
  }

  private apSessionContext(): ApSessionContext {
    return {
      ...this.sessionContext(),
      learned: (ap, settings) => {
        ap.apSettings = { ...settings, extra: [] };
        this.publish('ap-settings', { ap, settings });
      },
      configured: (cred) => this.opts.onConfigured?.(cred),
    };
  }

  private enrollContext(): EnrollContext {
    return {
      ...this.sessionContext(),
      pbc: this.pbc,
      pinFor: (uuid) => this.pins.lookup(uuid)?.pin,
      claimNfcToken: (id) => {
        const t = this.nfcTokens.claim(id);
        if (t === undefined) return undefined;
        const key = id === DevicePasswordId.NfcConnectionHandover ? this.opts.nfcHandoverKey?.() : undefined;
        return key === undefined ? t : { ...t, dhPrivateKey: key };
      },
      pinInvalidated: (uuid) => {
        if (this.pins.removeFor(uuid)) this.updateSelectedRegistrar();
      },
      enrolleeRunEnded: (ap, e, success) => {
        if (success) {
          this.pins.removeFor(e.uuid);
          // Its entry goes soon (wps_er_sta_process).
          ap.enrollees.finishSoon(e);
        }
        this.updateSelectedRegistrar();
      },
    };
  }

  get started(): boolean {
    return this.running;
  }

  get device(): DeviceInfo {
    return this.opts.device;
  }

  /** Every AP entry (announced or still being set up). */
  apList(): ErApView[] {
    return [...this.aps.values()];
  }

  /** The AP with this UUID that was announced (WPS-ER-AP-ADD) and is still there. */
  announcedAp(uuid: Uint8Array): ErApView | undefined {
    for (const ap of this.aps.values()) if (ap.announced && ap.uuid.equals(uuid)) return ap;
    return undefined;
  }

  /** Every Enrollee of every AP. */
  enrollees(): { ap: ErApView; enrollee: ErEnrolleeView }[] {
    return [...this.aps.values()].flatMap((ap) => ap.enrollees.list().map((enrollee) => ({ ap, enrollee })));
  }

  /** The protocol runs under way. */
  runs(): ErRunView[] {
    return [...this.activeRuns];
  }

  /** WPS_ER_PBC's walk time runs. */
  get pbcActive(): boolean {
    return this.pbc.active;
  }

  // ---------------------------------------------------------------- start / stop

  /**
   * WPS_ER_START [filter]: starts SSDP and the event listener; run again while
   * running, shows the known APs and Enrollees again and searches again.
   */
  async start(filter?: string): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (this.running) {
      this.refresh();
      return;
    }
    this.starting = this.open(filter);
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  private async open(filter: string | undefined): Promise<void> {
    if (filter !== undefined && !net.isIPv4(filter)) throw new Error(`Invalid filter address ${filter}`);
    let iface: InterfaceAddress;
    try {
      iface = typeof this.opts.iface === 'function' ? this.opts.iface() : this.opts.iface;
    } catch (e) {
      throw new Error(`Could not get IP address for the interface. Does it have IP address? (${(e as Error).message})`, { cause: e });
    }
    this.filter = filter;
    const searcherOpts: ConstructorParameters<typeof SsdpSearcher>[0] = { iface, logger: this.log.child('ssdp'), now: this.now };
    if (this.opts.ssdpPort !== undefined) searcherOpts.port = this.opts.ssdpPort;
    const searcher = new SsdpSearcher(searcherOpts);
    const gena = new GenaSubscriber({ address: iface.address, requireIpLiteral: true, logger: this.log.child('gena'), now: this.now });
    try {
      await searcher.start();
      await gena.start();
    } catch (e) {
      await searcher.stop().catch(() => undefined);
      await gena.close().catch(() => undefined);
      throw e;
    }
    this.searcher = searcher;
    this.gena = gena;
    this.running = true;
    searcher.on('alive', (ad) => this.onAlive(ad));
    searcher.on('byebye', (ad) => this.onGone(ad, 'byebye'));
    searcher.on('expired', (ad) => this.onGone(ad, 'expired'));
    this.housekeeping = setInterval(() => this.tick(), ER_HOUSEKEEPING_MS);
    this.housekeeping.unref();
    this.dhKeys.fill();
    this.log.debug(`WPS ER: Start (ifname=${iface.name} ip_addr=${iface.address})`);
    if (filter !== undefined) this.log.debug(`WPS UPnP: Only accepting connections with ${filter}`);
    this.search();
  }

  private search(): void {
    this.searcher?.search(WFA_DEVICE_TYPE, 3).catch((e: Error) => this.log.debug(`WPS ER: M-SEARCH sendto failed: ${e.message}`));
  }

  /** wps_er_refresh: WPS-ER-AP-ADD and WPS-ER-ENROLLEE-ADD for everything known, then a new M-SEARCH. */
  refresh(): void {
    for (const ap of this.aps.values()) {
      if (!ap.announced) continue;
      this.publish('ap-add', { ap });
      for (const e of ap.enrollees.list()) this.publish('enrollee-add', { ap, enrollee: e });
    }
    this.search();
  }

  /** WPS_ER_STOP: forgets every AP (WPS-ER-AP-REMOVE), unsubscribes, closes the sockets. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.housekeeping) clearInterval(this.housekeeping);
    this.housekeeping = undefined;
    for (const ap of [...this.aps.values()]) this.removeAp(ap, 'ER stopped');
    this.refused.clear();
    this.cachedSettings.clear();
    this.pins.clear();
    this.pbc.clear();
    this.selRegMode = 'off';
    this.selRegKey = '';
    this.selRegSentAt = 0;
    this.selRegPinVersion = this.pins.version;
    const searcher = this.searcher;
    const gena = this.gena;
    this.searcher = undefined;
    this.gena = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.unsubscribing]),
      new Promise<void>((r) => {
        timer = setTimeout(r, ER_STOP_UNSUBSCRIBE_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    await Promise.allSettled([searcher?.stop(), gena?.close()]);
    this.log.debug('WPS ER: Stopped');
  }

  // ---------------------------------------------------------------- discovery

  private onAlive(ad: SsdpAdvertisement): void {
    if (!this.running || !isWfaAdvertisement(ad.nt)) return;
    if (this.filter !== undefined && ad.address !== this.filter) return;
    const uuid = uuidOfUsn(ad.usn);
    if (uuid === undefined) {
      this.log.debug(`WPS ER: Invalid UUID in USN: ${ad.usn}`);
      return;
    }
    if (this.opts.acceptAp !== undefined && !this.opts.acceptAp(uuid)) return;
    const key = apKey(ad.address, uuid);
    if (this.refused.get(key) === ad.location) return;
    this.refused.delete(key);
    const known = this.aps.get(key);
    if (known) {
      if (known.location === ad.location) return;
      // Same device, new LOCATION: it restarted; start over with it.
      this.log.debug(`WPS ER: ${known.label} moved to ${ad.location}`);
      this.removeAp(known, 'new location');
    }
    // Checked before anything is fetched: a NOTIFY must not make us send requests to a third host.
    if (locationHost(ad.location) !== ad.address) {
      this.log.info(`WPS ER: ignoring ${ad.address}: LOCATION ${ad.location} is not on the advertising host`);
      this.remember(key, ad.location);
      return;
    }
    if (!this.makeRoom(ad.address)) {
      this.log.info(`WPS ER: AP table full (${MAX_ER_APS} in all, ${MAX_ER_APS_PER_SOURCE} per address); ignoring ${ad.address} (${ad.location})`);
      return;
    }
    const ap = new ErAp(++this.nextId, ad.address, uuid, ad.location, this.now);
    this.aps.set(key, ap);
    this.log.debug(`WPS ER: Added AP entry for ${ap.address} (${ap.location})`);
    void this.setupAp(ap);
  }

  /**
   * Room for a new AP from `address`: an AP of that address still being set
   * up gives way when the address holds its share; when the table is full,
   * one not yet announced of the address holding the most. Announced APs
   * stay.
   */
  private makeRoom(address: string): boolean {
    const fromSource = [...this.aps.values()].filter((a) => a.address === address);
    if (fromSource.length >= MAX_ER_APS_PER_SOURCE) {
      const pending = fromSource.filter((a) => !a.announced);
      const victim = pending.reduce<ErAp | undefined>((a, b) => (a === undefined || b.id < a.id ? b : a), undefined);
      if (victim === undefined) return false;
      this.removeAp(victim, `${address} advertises more than ${MAX_ER_APS_PER_SOURCE} APs`);
    }
    if (this.aps.size < MAX_ER_APS) return true;
    const victim = pickEviction(
      [...this.aps.values()].filter((a) => !a.announced),
      // An AP that served its description is real; spoofed advertisements never get that far.
      (a) => ({ source: a.address, local: true, established: a.stage !== 'describing', since: a.id }),
    );
    if (victim === undefined) return false;
    this.removeAp(victim, 'AP table full');
    return true;
  }

  /** Keeps a refused advertisement's LOCATION (bounded, oldest forgotten first) so it is not fetched again. */
  private remember(key: string, location: string): void {
    this.refused.delete(key);
    if (this.refused.size >= MAX_ER_REFUSED) {
      const oldest = this.refused.keys().next().value;
      if (oldest !== undefined) this.refused.delete(oldest);
    }
    this.refused.set(key, location);
  }

  private onGone(ad: SsdpAdvertisement, why: 'byebye' | 'expired'): void {
    if (!this.running || !isWfaAdvertisement(ad.nt)) return;
    const uuid = uuidOfUsn(ad.usn);
    if (uuid === undefined) return;
    this.refused.delete(apKey(ad.address, uuid));
    const ap = this.aps.get(apKey(ad.address, uuid));
    if (!ap) return;
    if (why === 'expired') {
      // Several USNs advertise one AP; it goes when the last WFA one does.
      const left = this.searcher?.advertisements().some((a) => a.address === ad.address && isWfaAdvertisement(a.nt) && uuidOfUsn(a.usn)?.equals(uuid) === true);
      if (left) return;
      this.log.debug('WPS ER: AP advertisement timed out');
    } else if (ap.apSettings) {
      this.cachedSettings.set(ap.uuid.toString('hex'), ap.apSettings);
    }
    this.removeAp(ap, why);
  }

  /** Description, GetDeviceInfo (the AP's M1), SUBSCRIBE, then WPS-ER-AP-ADD. */
  private async setupAp(ap: ErAp): Promise<void> {
    const signal = ap.abort.signal;
    try {
      if (ap.description === undefined) {
        ap.stage = 'describing';
        const res = await httpRequest(ap.location, { requireIpLiteral: true, maxResponseBytes: MAX_DESCRIPTION_BYTES, signal });
        if (signal.aborted) return;
        if (res.status !== 200) throw new DescriptionCheckError('MALFORMED', `description request answered HTTP ${res.status}`);
        const desc = checkApDescription(res.body, ap.location, ap.address);
        if (!desc.uuid.equals(ap.uuid)) throw new DescriptionCheckError('BAD_UDN', `UDN uuid does not match the advertised USN ${ap.uuidText}`);
        ap.description = desc;
        this.log.debug(`WPS ER: ${ap.label}: friendlyName='${desc.friendlyName}' controlURL='${desc.controlUrl}' eventSubURL='${desc.eventSubUrl}'`);
      }
      ap.stage = 'device-info';
      await this.readApM1(ap, signal);
      if (signal.aborted) return;
      ap.stage = 'subscribing';
      await this.subscribe(ap);
      if (signal.aborted) return;
      ap.stage = 'ready';
      ap.retries = 0;
      const cached = this.cachedSettings.get(ap.uuid.toString('hex'));
      if (ap.apSettings === undefined && cached !== undefined) {
        ap.apSettings = cached;
        this.log.debug('WPS ER: Use cached AP settings');
      }
      // A subscription set up again (lost, then renewed by retrySetup) is no new AP.
      if (!ap.announced) {
        ap.announced = true;
        this.publish('ap-add', { ap });
      }
    } catch (e) {
      if (signal.aborted) return;
      this.refuseAp(ap, e);
    }
  }

  /** Reads the AP's M1 through GetDeviceInfo for its MAC, device type and WPS state (wps_er_ap_get_m1). */
  private async readApM1(ap: ErAp, signal: AbortSignal): Promise<void> {
    const m1raw = await getDeviceInfo(this.controlUrl(ap), signal);
    const m1 = parseMessage(m1raw);
    if (m1.type !== MessageType.M1) throw new WscProtocolError('UNEXPECTED_MESSAGE', `GetDeviceInfo returned message type ${m1.type}, not M1`, AttributeType.MessageType);
    const pdt = m1.get(AttributeType.PrimaryDeviceType);
    if (pdt) ap.primaryDeviceType = Buffer.from(pdt);
    const st = m1.get(AttributeType.WifiProtectedSetupState);
    if (st) ap.wpsState = st.readUInt8(0);
    const mac = m1.get(AttributeType.MacAddress);
    if (mac) ap.macAddress = Buffer.from(mac);
  }

  private async subscribe(ap: ErAp): Promise<void> {
    const gena = this.gena;
    const desc = ap.description;
    if (!gena || !desc) throw new Error('ER not running');
    ap.subscription = await gena.subscribe(desc.eventSubUrl, {
      onEvent: (props) => this.onApEvent(ap, props),
      onLost: (reason) => {
        if (ap.removed) return;
        this.log.info(`WPS ER: ${ap.label}: event subscription lost (${reason}); subscribing again`);
        ap.subscription = undefined;
        this.retrySetup(ap);
      },
    });
    if (ap.removed) {
      // Removed while the SUBSCRIBE was under way.
      void gena.unsubscribe(ap.subscription).catch(() => undefined);
    }
  }

  /** Logs why an AP is not usable; tries again a few times (it may be starting up), else drops it. */
  private refuseAp(ap: ErAp, e: unknown): void {
    const why = describeError(e);
    const permanent = e instanceof DescriptionCheckError || (e instanceof HttpClientError && (e.code === 'TOO_LARGE' || e.code === 'HOSTNAME_REFUSED' || e.code === 'INVALID_URL')) || (e instanceof GenaSubscribeError && e.code === 'BAD_RESPONSE');
    if (permanent || ap.retries >= AP_SETUP_RETRIES) {
      this.log.info(`WPS ER: refusing ${ap.label}: ${why}`);
      this.removeAp(ap, why);
      this.remember(ap.key, ap.location);
      return;
    }
    this.log.info(`WPS ER: ${ap.label}: ${why}; trying again`);
    this.retrySetup(ap);
  }

  private retrySetup(ap: ErAp): void {
    if (ap.removed || ap.retryTimer) return;
    ap.retries++;
    ap.retryTimer = setTimeout(() => {
      ap.retryTimer = undefined;
      if (!ap.removed && this.running) void this.setupAp(ap);
    }, AP_SETUP_RETRY_MS);
    ap.retryTimer.unref();
  }

  /**
   * Drops an AP: its Enrollees (WPS-ER-ENROLLEE-REMOVE), the AP
   * (WPS-ER-AP-REMOVE if it was announced), its subscription (UNSUBSCRIBE,
   * best effort).
   */
  private removeAp(ap: ErAp, why: string): void {
    this.aps.delete(ap.key);
    if (ap.removed) return;
    this.log.debug(`WPS ER: Removing AP entry for ${ap.address} (${ap.location}): ${why}`);
    ap.stage = 'removed';
    ap.abort.abort();
    if (ap.retryTimer) clearTimeout(ap.retryTimer);
    ap.retryTimer = undefined;
    for (const e of ap.enrollees.clear()) {
      this.enroll.forget(e);
      this.publish('enrollee-remove', { ap, enrollee: e });
    }
    if (ap.announced) this.publish('ap-remove', { ap });
    ap.announced = false;
    const sub = ap.subscription;
    ap.subscription = undefined;
    if (sub && this.gena) {
      const p: Promise<void> = this.gena.unsubscribe(sub).catch(() => undefined).finally(() => this.unsubscribing.delete(p));
      this.unsubscribing.add(p);
    }
  }

  controlUrl(ap: ErAp): string {
    const d = ap.description;
    if (!d) throw new Error(`${ap.label}: no controlURL yet`);
    return d.controlUrl;
  }

  // ---------------------------------------------------------------- events from APs

  private onApEvent(ap: ErAp, props: Record<string, string>): void {
    if (ap.removed) return;
    const text = props['WLANEvent'];
    if (text === undefined || text === '') return;
    let ev;
    try {
      ev = parseWlanEvent(text);
    } catch (e) {
      if (e instanceof WlanEventError) {
        this.log.debug(`WPS ER: ${ap.label}: ignoring WLANEvent: ${e.message}`);
        return;
      }
      throw e;
    }
    let tlvs;
    try {
      tlvs = parseProxiedTlvs(ev.message);
    } catch (e) {
      if (e instanceof WscProtocolError) {
        this.log.debug(`WPS ER: ${ap.label}: Failed to parse TLVs in WLANEvent message from ${formatMac(ev.macAddress)}: ${e.message}`);
        return;
      }
      throw e;
    }
    const probe = ev.type === WlanEventType.ProbeRequest;
    if (!this.admitEvent(ap, ev.type, ev.macAddress, tlvs.messageType)) return;
    this.log.debug(`WPS ER: WLANEvent - ${probe ? 'Probe Request' : 'EAP'} - from ${formatMac(ev.macAddress)}`);
    this.log.hexdump(LogLevel.MSGDUMP, `WPS ER: WLANEvent - Enrollee's message (TLVs from ${probe ? 'Probe Request' : 'EAP-WSC'})`, ev.message);
    const upd = ap.enrollees.update(ev.macAddress, tlvs, probe);
    if (upd === undefined) {
      if (probe || tlvs.messageType === MessageType.M1) this.log.debug(`WPS ER: ${ap.label}: no room for Enrollee ${formatMac(ev.macAddress)}; ignoring its message`);
      return;
    }
    if (upd.evicted !== undefined) {
      this.log.debug(`WPS ER: STA entry ${formatMac(upd.evicted.macAddress)} removed early to make room`);
      this.enroll.forget(upd.evicted);
      this.publish('enrollee-remove', { ap, enrollee: upd.evicted });
    }
    if (upd.announce) this.publish('enrollee-add', { ap, enrollee: upd.enrollee });
    if (probe) {
      const pw = tlvs.get(AttributeType.DevicePasswordId);
      const uuid = tlvs.get(AttributeType.UuidE);
      if (pw?.readUInt16BE(0) === DevicePasswordId.PushButton && uuid !== undefined) this.pbc.probeRequest(ev.macAddress, uuid);
      return;
    }
    this.enroll.onEapMessage(ap, upd.enrollee, ev.message, tlvs.messageType);
  }

  /**
   * wpa_supplicant takes every WLANEvent; we never drop an EAP message of a
   * run in progress either, but keep a per-Enrollee budget for probes, M1s
   * and EAP messages from Enrollees without a run (what a flood is made of).
   */
  private admitEvent(ap: ErAp, type: number, mac: Buffer, messageType: number | undefined): boolean {
    if (type === WlanEventType.Eap && messageType !== MessageType.M1) {
      const e = ap.enrollees.get(mac);
      if (e !== undefined && this.enroll.inRun(e)) return true;
    }
    const verdict = ap.eventLimiter.admit(`${type}/${mac.toString('hex')}`);
    if (verdict === 'dropped-first') {
      this.log.info(`WPS ER: ${ap.label}: more than ${MAX_WLAN_EVENTS_PER_ENROLLEE_PER_SEC} WLANEvents (type ${type}) a second from ${formatMac(mac)}; dropping the rest of this second`);
    }
    return verdict === 'ok';
  }

  // ---------------------------------------------------------------- housekeeping

  private tick(): void {
    for (const ap of this.aps.values()) {
      for (const e of ap.enrollees.expire()) {
        this.log.debug('WPS ER: STA entry timed out');
        this.enroll.forget(e);
        this.publish('enrollee-remove', { ap, enrollee: e });
      }
    }
    if (this.pins.expire()) this.log.debug('WPS ER: PIN timed out');
    this.updateSelectedRegistrar();
  }

  /**
   * Sends SetSelectedRegistrar to the APs whenever what it says changes: the
   * PIN/PBC mode or the Authorized MACs, as a PIN is added, used or expires,
   * PBC starts or ends (wps_registrar_selected_registrar_changed). A change
   * of the PINs that leaves the message as it was sends nothing, unless half
   * of the AP's selection timeout has passed since the last one: the AP then
   * keeps the selection for the new PIN's life as it would after hostapd's
   * resend. `force` sends even without a change (the button pushed again).
   * Nothing goes while everything stays off.
   */
  private updateSelectedRegistrar(force = false): void {
    const mode = selectedRegistrarMode(this.pbc.active, this.pins.size + this.nfcTokens.size);
    // wps_registrar_add_nfc_pw_token authorizes any MAC, ahead of the PINs'.
    const macs = authorizedMacsFor(mode, this.nfcTokens.size > 0 ? [BROADCAST_MAC, ...this.pins.authorizedMacs()] : this.pins.authorizedMacs());
    const key = mode === 'off' ? '' : `${mode}/${macs.map((m) => m.toString('hex')).join(',')}`;
    const now = this.now();
    if (mode === this.selRegMode && key === this.selRegKey && !force) {
      const refreshDue = this.pins.version !== this.selRegPinVersion && now - this.selRegSentAt >= SELECTED_REGISTRAR_TIMEOUT_MS / 2;
      if (!refreshDue || mode === 'off') return;
    }
    if (mode === 'off' && this.selRegMode === 'off') return;
    this.selRegMode = mode;
    this.selRegKey = key;
    this.selRegSentAt = now;
    this.selRegPinVersion = this.pins.version;
    const state = selectedRegistrarState(this.device.configMethods, mode);
    const filter = mode === 'pbc' ? this.pbcApKey : undefined;
    if (mode !== 'pbc') this.pbcApKey = undefined;
    this.log.debug(`WPS ER: SetSelectedRegistrar - sel_reg=${state.selected ? 1 : 0} dev_password_id=${state.devicePasswordId} sel_reg_config_methods=0x${state.configMethods.toString(16)} authorized_macs=${macs.map(formatMac).join(',') || 'ff:ff:ff:ff:ff:ff'}`);
    const msg = buildSetSelectedRegistrar(state, this.device.uuid, macs);
    for (const ap of this.aps.values()) {
      if (ap.stage !== 'ready' || (filter !== undefined && ap.key !== filter)) continue;
      this.publish('selection', { ap, state: 'START', ...selectionOf(state) });
      ap.selRegPending = { msg, state };
      void this.flushSelectedRegistrar(ap);
    }
  }

  /**
   * One SetSelectedRegistrar at a time per AP, the newest last: two in
   * flight could reach the AP in either order, and one made while a
   * learn/config run holds the AP waits for it (wpa_supplicant skips it).
   */
  private async flushSelectedRegistrar(ap: ErAp): Promise<void> {
    if (ap.selRegSending) return;
    if (ap.busy) {
      if (ap.selRegPending) this.log.debug('WPS ER: Pending WPS operation for AP - SetSelectedRegistrar waits for it');
      return;
    }
    ap.selRegSending = true;
    let sending = true;
    try {
      for (let next = ap.selRegPending; next !== undefined && !ap.removed && !ap.busy; next = ap.selRegPending) {
        ap.selRegPending = undefined;
        let state: ErSelectionState = 'DONE';
        try {
          await setSelectedRegistrar(this.controlUrl(ap), next.msg, ap.abort.signal);
          this.log.debug('WPS ER: SetSelectedRegistrar OK');
          ap.selectedAtAp = next.state.selected;
        } catch (e) {
          this.log.debug(`WPS ER: SetSelectedRegistrar failed: ${describeError(e)}`);
          state = 'FAILED';
        }
        // Settled before observers hear of it (selectionSettled holds in their listeners); one they start goes on its own.
        const last = ap.selRegPending === undefined;
        if (last) {
          ap.selRegSending = false;
          sending = false;
        }
        if (!ap.removed) this.publish('selection', { ap, state, ...selectionOf(next.state) });
        if (last) return;
      }
    } finally {
      if (sending) ap.selRegSending = false;
    }
  }

  // ---------------------------------------------------------------- commands

  /**
   * WPS_NFC_TAG_READ of an Enrollee's password token, or NFC_REPORT_HANDOVER
   * RESP with its handover request: the ER is selected for it at the APs.
   */
  addNfcPasswordToken(t: NfcPasswordToken): boolean {
    if (!this.nfcTokens.add(t)) return false;
    this.log.debug(`WPS: Added NFC Device Password ${t.passwordId} to Registrar`);
    this.updateSelectedRegistrar(true);
    return true;
  }

  /** wps_er_nfc_handover_sel: a handover select for a learned AP (its SSID; its BSSID when named by it). */
  nfcHandoverSelect(sel: ApSelector, publicKey: Buffer): Buffer | undefined {
    const ap = this.readyAp(sel);
    if (ap?.apSettings === undefined) {
      this.log.debug('WPS ER: No settings known for the selected AP');
      return undefined;
    }
    return buildHandoverSelect({ publicKey, ssid: ap.apSettings.ssid, ...('mac' in sel ? { macAddress: sel.mac } : {}) });
  }

  /** wps_er_nfc_config_token: a learned AP's settings as a configuration token. */
  nfcConfigToken(sel: ApSelector): Buffer | undefined {
    const ap = this.readyAp(sel);
    if (ap?.apSettings === undefined) {
      this.log.debug('WPS ER: No settings known for the selected AP');
      return undefined;
    }
    return buildCredentialToken({ ...ap.apSettings, networkIndex: 1 });
  }

  /** wps_er_ap_get: by UUID or by the AP's MAC address; only APs whose setup finished. */
  findAp(sel: ApSelector): ErApView | undefined {
    return this.readyAp(sel);
  }

  private readyAp(sel: ApSelector): ErAp | undefined {
    for (const ap of this.aps.values()) {
      if (ap.stage !== 'ready') continue;
      if ('uuid' in sel ? ap.uuid.equals(sel.uuid) : ap.macAddress.equals(sel.mac)) return ap;
    }
    return undefined;
  }

  /** WPS_ER_LEARN / WPS_ER_CONFIG: starts the run and answers at once (wpa_supplicant replies before the run). */
  startApSession(selector: string, pin: string, mode: ApSessionMode): ErReply {
    if (!this.running) return 'FAIL';
    const sel = parseSelector(selector);
    if (!sel) return 'FAIL';
    const ap = this.readyAp(sel);
    if (!ap) {
      this.log.debug(`WPS ER: AP not found for ${mode.mode} request`);
      return 'FAIL';
    }
    if (ap.busy) {
      this.log.debug(`WPS ER: Pending operation ongoing with the AP - cannot start ${mode.mode}`);
      return 'FAIL';
    }
    if (mode.mode === 'configure') ap.apSettings = { ...mode.settings, extra: [] };
    ap.busy = true;
    const run = this.newRun(mode.mode === 'learn' ? 'learn' : 'config', ap);
    this.publish('run-start', { run });
    void runApSession(this.apSessionContext(), run, ap, pin, mode).then((out) => {
      ap.busy = false;
      this.publish('run-end', out.fail === undefined ? { run, result: out.result } : { run, result: out.result, fail: out.fail });
      void this.flushSelectedRegistrar(ap);
    });
    return 'OK';
  }

  /** WPS_ER_SET_CONFIG: settings to hand to Enrollees of this AP. */
  setConfig(selector: string, cred: Credential): ErReply {
    if (!this.running) return 'FAIL';
    const sel = parseSelector(selector);
    if (!sel) return 'FAIL';
    const ap = this.readyAp(sel);
    if (!ap) return 'FAIL';
    ap.apSettings = { ...cred, extra: [] };
    this.log.debug('WPS ER: Updated local AP settings based set config request');
    return 'OK';
  }

  /** WPS_ER_PIN <uuid|any|mac> <pin> [mac]. */
  addPin(target: string, pin: string, mac: Buffer | undefined): ErReply {
    if (!this.running) return 'FAIL';
    let uuid: Buffer | undefined;
    if (target === 'any') {
      uuid = undefined;
    } else {
      const sel = parseSelector(target);
      if (!sel) return 'FAIL';
      if ('uuid' in sel) uuid = sel.uuid;
      else {
        const e = this.findEnrolleeEntry(sel.mac, undefined);
        if (!e) return 'FAIL';
        uuid = e.enrollee.uuid;
      }
    }
    if (pin === '') return 'FAIL';
    if (!this.pins.add(uuid, pin, mac)) return 'FAIL';
    this.log.debug(`WPS ER: PIN added for ${uuid ? uuid.toString('hex') : 'any'} (${this.log.key(pin)})`);
    this.updateSelectedRegistrar();
    return 'OK';
  }

  /**
   * Drops the PIN held for exactly this UUID (not a wildcard one) and tells
   * the APs if that changes the selection; false when none was held.
   */
  removePin(uuid: Uint8Array): boolean {
    const p = this.pins.lookup(uuid);
    if (p?.uuid === undefined) return false;
    this.pins.remove(p);
    this.log.debug(`WPS ER: PIN removed for ${p.uuid.toString('hex')}`);
    this.updateSelectedRegistrar();
    return true;
  }

  /** A PIN is held for exactly this UUID (not only a wildcard one). */
  holdsPin(uuid: Uint8Array): boolean {
    return this.pins.lookup(uuid)?.uuid !== undefined;
  }

  findEnrollee(mac: Uint8Array | undefined, uuid: Uint8Array | undefined): { ap: ErApView; enrollee: ErEnrolleeView } | undefined {
    return this.findEnrolleeEntry(mac, uuid);
  }

  private findEnrolleeEntry(mac: Uint8Array | undefined, uuid: Uint8Array | undefined): { ap: ErAp; enrollee: ErEnrollee } | undefined {
    for (const ap of this.aps.values()) {
      const e = ap.enrollees.find(mac, uuid);
      if (e) return { ap, enrollee: e };
    }
    return undefined;
  }

  /** WPS_ER_PBC <uuid|mac> (wps_er_pbc). */
  startPbc(target: string): ErReply {
    if (!this.running) return 'FAIL';
    const sel = parseSelector(target);
    if (!sel) return 'FAIL';
    if (this.pbc.isOverlap()) {
      this.log.debug('WPS ER: PBC overlap - do not start PBC mode');
      return 'FAIL-PBC-OVERLAP';
    }
    let ap = 'uuid' in sel ? this.readyAp(sel) : undefined;
    if (!ap) {
      const found = this.findEnrolleeEntry('mac' in sel ? sel.mac : undefined, 'uuid' in sel ? sel.uuid : undefined);
      if (!found) return 'FAIL-UNKNOWN-UUID';
      ap = found.ap;
    }
    if (!ap.apSettings) {
      this.log.debug('WPS ER: AP settings not known');
      return 'FAIL-NO-AP-SETTINGS';
    }
    if (!this.pbc.buttonPushed()) return 'FAIL-PBC-OVERLAP';
    this.pbcApKey = ap.key;
    this.updateSelectedRegistrar(true);
    return 'OK';
  }
}

function selectionOf(s: SelectedRegistrarState): { selected: boolean; devicePasswordId: number; configMethods: number } {
  return { selected: s.selected, devicePasswordId: s.devicePasswordId, configMethods: s.configMethods };
}

/** The host of a LOCATION URL, as an address (brackets of IPv6 removed); '' when it does not parse. */
function locationHost(location: string): string {
  try {
    const h = new URL(location).hostname;
    return h.startsWith('[') ? h.slice(1, -1) : h;
  } catch {
    return '';
  }
}
