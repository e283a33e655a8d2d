/**
 * ApDriver on a real kernel over nl80211, with the MLME in user space as
 * hostapd runs mac80211 drivers (driver_nl80211.c):
 *
 *   open      the interface becomes an AP (SET_INTERFACE), the AP's
 *             management frames are registered to this socket
 *             (REGISTER_FRAME: Probe Request, Authentication,
 *             (Re)Association Request, Disassociation, Deauthentication,
 *             Action), the link goes up;
 *   startAp   START_AP with the Beacon head/tail, SSID, channel, interval,
 *             Open System, privacy and the RSN suites, EAPOL over this
 *             socket (CONTROL_PORT_OVER_NL80211) and SOCKET_OWNER, so the
 *             kernel stops the AP when the process dies, even by kill -9;
 *   beacons   SET_BEACON whenever the elements change (the WPS element
 *             follows Selected Registrar, AP Setup Locked, Authorized MACs);
 *   probes    answered here from the probe-response elements (mac80211
 *             drivers without probe-response offload, like mac80211_hwsim,
 *             leave them to user space) and reported as rx-mgmt;
 *   stations  NEW_STATION (AID, rates of the station's association request,
 *             capability, listen interval, port closed), SET_STATION for
 *             the authorized flag, DEL_STATION; a station's Deauthentication
 *             or Disassociation removes it;
 *   EAPOL     CONTROL_PORT_FRAME both ways, unencrypted until the
 *             station's pairwise key is in;
 *   keys      NEW_KEY / SET_KEY (the core's installKey), GET_KEY for the
 *             group key's transmit counter;
 *   4addr     a Multi-AP backhaul STA (AddStationParams.fourAddr) gets an
 *             AP/VLAN interface of its own, `<ifname>.sta<AID>` as hostapd's
 *             set_wds_sta names it: NEW_INTERFACE (AP_VLAN, 4addr, owned by
 *             this session), the BSS's MAC, up, into wds_bridge= or bridge=,
 *             then SET_STATION moves the station onto it
 *             (NL80211_ATTR_STA_VLAN), all after addStation() returned so
 *             that the Association Response is not delayed; the interface
 *             goes when the station does;
 *   bss=      a BSS whose interface does not exist is created on the first
 *             BSS's wiphy (NEW_INTERFACE type AP, owned by this session, with
 *             its BSSID as MAC address), as hostapd's if_add, and removed at close;
 *   bridge    with bridge=, the BSS's interface joins it (the bridge is
 *             created when missing) and leaves it at close;
 *   close     STOP_AP, the interface type and link state it had before.
 *
 * Every refusal is a DriverError naming the interface.
 */
import { readFileSync } from 'node:fs';
import { type Logger, silentLogger, LogLevel } from '../../common/log.js';
import { type Element, ElementId, findElement, findVendorElements, buildElements, defaultRateElements } from '../elements.js';
import { type ManagementFrame, buildFrame, parseFrame, FrameError, CapabilityInfo, ReasonCode, AID_MAX } from '../frame.js';
import { type MacAddress, macAddress, macFromBytes, macToBytes, isGroupAddress } from '../mac.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { WPS_IE_VENDOR_TYPE } from '../wps-ie.js';
import {
  DriverError,
  DriverEvents,
  checkKeyInstall,
  KEY_RSC_LEN,
  type ApDriver,
  type ApParams,
  type AddStationParams,
  type StationInfo,
  type DriverListener,
  type DriverEvent,
  type KeyInstall,
} from '../driver.js';
import { RsnCipher } from '../rsn-ie.js';
import { Nl80211Cmd, Nl80211Connection, type Nl80211Event, type Nl80211Message, NL80211_REQUEST_TIMEOUT_MS } from './connection.js';
import { installKey, registerFrame, sendControlPortFrame, sendFrame, setAuthorized, setInterface, setInterfaceUp } from './ops.js';
import { channelFreq } from './scan.js';
import { bridgeJoin, bridgeLeave, deleteLink, existingIfindex, linkUp, masterOf, setLinkAddress } from './links.js';
import type { NewInterfaceRequest } from './connection.js';
import { AP_RX_SUBTYPES, DEFAULT_DTIM_PERIOD, StaFlag, apCrypto, beaconTemplate, checkApParams, probeResponseFor, staFlagUpdate, stationRates } from './ap-templates.js';

/** Stations one AP keeps (hostapd's max_num_sta default). */
export const MAX_STATIONS = 2007;
/** Association requests remembered for their rates until the daemon adds the station (oldest dropped first). */
export const MAX_PENDING_ASSOC = 64;
/** NL80211_MAX_SUPP_RATES: the kernel refuses a longer NL80211_ATTR_STA_SUPPORTED_RATES. */
export const NL80211_MAX_SUPP_RATES = 32;

/** IFNAMSIZ - 1: the longest interface name the kernel takes. */
export const IFNAME_MAX = 15;

export interface Nl80211ApOptions {
  ifname: string;
  /** Create `ifname` when it does not exist (a bss= section), on the wiphy of another interface. */
  create?: Omit<NewInterfaceRequest, 'iftype'>;
  /** hostapd's bridge=: the BSS's interface joins it, and the AP/VLAN interfaces of backhaul STAs unless wdsBridge is set. */
  bridge?: string;
  /** hostapd's wds_bridge=: where AP/VLAN interfaces of backhaul STAs go instead of bridge=. */
  wdsBridge?: string;
  logger?: Logger;
}

/** hostapd's name of a backhaul STA's AP/VLAN interface (driver_nl80211 i802_set_wds_sta). */
export function wdsIfname(bssIfname: string, aid: number): string {
  return `${bssIfname}.sta${aid}`;
}

/** Whether a DriverError from the core carries this errno (its message ends "failed: EEXIST"). */
function hasErrno(err: unknown, errno: string): boolean {
  return err instanceof DriverError && err.message.endsWith(`: ${errno}`);
}

/** IFF_UP of an interface as sysfs shows it (hex flags). */
function linkIsUp(ifname: string): boolean {
  try {
    return (parseInt(readFileSync(`/sys/class/net/${ifname}/flags`, 'utf8').trim(), 16) & 0x1) !== 0;
  } catch {
    return false;
  }
}

interface WdsInterface {
  ifname: string;
  ifindex: number;
  bridged: boolean;
}

interface Held {
  info: StationInfo;
  /** A 4-address station's AP/VLAN interface. */
  wds?: WdsInterface;
  /** Its pairwise key is in: EAPOL to it goes encrypted from now on (hostapd's encrypt flag for send_eapol). */
  pairwiseKey: boolean;
}

/** The ciphers mac80211 implements in software, so every mac80211 driver has them. */
export const NL80211_AP_CIPHERS: readonly number[] = [RsnCipher.TKIP, RsnCipher.CCMP_128, RsnCipher.GCMP_128, RsnCipher.GCMP_256, RsnCipher.CCMP_256];

export class Nl80211ApDriver implements ApDriver {
  readonly driverName = 'nl80211' as const;
  readonly address: MacAddress;
  private readonly events: DriverEvents;
  private params: ApParams | undefined;
  private beaconBytes: Buffer | undefined;
  /** The WPS elements last given to the kernel for its Probe Responses (NL80211_ATTR_IE, _IE_PROBE_RESP). */
  private ieBytes: Buffer | undefined;
  private readonly table = new Map<MacAddress, Held>();
  /** Rates of the latest (Re)Association Request per station, for NEW_STATION. */
  private readonly pendingAssoc = new Map<MacAddress, Buffer>();
  /** Kernel station commands run one at a time per station: a repeated (Re)Association Request must not race its own NEW_STATION. */
  private readonly staQueue = new Map<MacAddress, Promise<void>>();
  private readonly unsubscribe: () => void;
  private closed = false;
  /** What close() undoes of bridge=: the interface joined it, the bridge was created here. */
  private bridged: { bridge: string; created: boolean } | undefined;

  private constructor(
    private readonly conn: Nl80211Connection,
    private readonly restore: { iftype: string; up: boolean },
    private readonly log: Logger,
    private readonly bridges: { bridge?: string; wdsBridge?: string } = {},
  ) {
    this.address = macAddress(conn.iface.mac);
    this.events = new DriverEvents((err) => this.log.error(`nl80211: event listener failed: ${(err as Error).message}`));
    this.unsubscribe = conn.onEvent((e) => this.onKernelEvent(e));
  }

  get ifname(): string {
    return this.conn.ifname;
  }

  /** Opens `ifname` as an AP: type AP, the AP's management frames registered to this session, link up. */
  static async open(opts: Nl80211ApOptions): Promise<Nl80211ApDriver> {
    const log = opts.logger ?? silentLogger;
    const conn = await Nl80211Connection.open(opts.ifname, log, opts.create !== undefined ? { ...opts.create, iftype: 'AP' } : undefined);
    const iface = conn.iface;
    const bridges = { ...(opts.bridge !== undefined ? { bridge: opts.bridge } : {}), ...(opts.wdsBridge !== undefined ? { wdsBridge: opts.wdsBridge } : {}) };
    const drv = new Nl80211ApDriver(conn, { iftype: iface.iftype, up: linkIsUp(iface.ifname) }, log, bridges);
    try {
      if (iface.fourAddr) await setInterface(conn, { fourAddr: false });
      if (iface.iftype !== 'AP') await drv.setIfType('AP');
      for (const subtype of AP_RX_SUBTYPES) await registerFrame(conn, subtype);
      if (opts.bridge !== undefined) await drv.joinBridge(opts.bridge);
      await setInterfaceUp(conn);
    } catch (err) {
      await drv.close();
      throw err;
    }
    log.info(`nl80211: ${iface.ifname} (ifindex ${iface.ifindex}, phy${iface.wiphy}, ${iface.mac}) opened as an AP (was ${conn.created ? 'created' : iface.iftype})`);
    return drv;
  }

  /** The BSS's interface into bridge= (hostapd i802_check_bridge); one already there stays there at close. */
  private async joinBridge(bridge: string): Promise<void> {
    if (masterOf(this.ifname) === bridge) return;
    const { createdBridge } = await bridgeJoin(this.conn.mod, bridge, this.ifname);
    this.bridged = { bridge, created: createdBridge };
    this.log.info(`nl80211: ${this.ifname} added to bridge ${bridge}${createdBridge ? ' (bridge created)' : ''}`);
  }

  /** SET_INTERFACE; mac80211 refuses some type changes on a running interface (EBUSY), which then goes down for the change. */
  private async setIfType(iftype: 'AP' | 'STATION'): Promise<void> {
    try {
      await setInterface(this.conn, { iftype });
      return;
    } catch (err) {
      if (!hasErrno(err, 'EBUSY')) throw err;
    }
    await setLink(this.conn, false);
    try {
      await setInterface(this.conn, { iftype });
    } catch (err) {
      if (hasErrno(err, 'EBUSY')) throw new DriverError('BUSY', `${this.ifname} is busy: the kernel refuses to make it ${iftype === 'AP' ? 'an AP' : 'a station'} (another program uses it?)`);
      throw err;
    }
  }

  onEvent(listener: DriverListener): () => void {
    return this.events.on(listener);
  }

  private emit(e: DriverEvent): void {
    this.events.emit(e);
  }

  private requireOpen(): void {
    if (this.closed) throw new DriverError('LINK_DOWN', `${this.ifname}: the driver is closed`);
  }

  private requireStarted(): ApParams {
    this.requireOpen();
    if (!this.params) throw new DriverError('NOT_STARTED', `${this.ifname}: the AP is not started`);
    return this.params;
  }

  private frequency(channel: number): number {
    const f = channelFreq(channel);
    if (f === 0) throw new DriverError('BAD_CONFIG', `${this.ifname}: channel ${channel} is not a 2.4 or 5 GHz channel`);
    return f;
  }

  /** WPS elements among the probe-response elements: NL80211_ATTR_IE / _IE_PROBE_RESP (what offloading drivers add). */
  private extraIes(p: ApParams): Partial<Nl80211Message> {
    const wps = findVendorElements(p.probeResponseElements, WPS_IE_VENDOR_TYPE);
    if (wps.length === 0) return {};
    const ies = Buffer.from(buildElements(wps));
    return { ie: ies, ieProbeResp: ies };
  }

  async startAp(params: ApParams): Promise<void> {
    this.requireOpen();
    if (this.params) throw new DriverError('BUSY', `${this.ifname}: the AP is already started`);
    checkApParams(this.ifname, params);
    const p: ApParams = { ...params, beaconElements: [...params.beaconElements], probeResponseElements: [...params.probeResponseElements] };
    const freq = this.frequency(p.channel);
    const crypto = apCrypto(this.ifname, p.beaconElements);
    const tpl = beaconTemplate(this.address, p, p.beaconElements);
    const msg: Nl80211Message = {
      beaconHead: Buffer.from(tpl.head),
      beaconTail: Buffer.from(tpl.tail),
      beaconInterval: p.beaconInterval,
      dtimPeriod: DEFAULT_DTIM_PERIOD,
      ssid: Buffer.from(p.ssid),
      hiddenSsid: p.hideSsid === true ? 'ZERO_LEN' : 'NOT_IN_USE',
      authType: 'OPEN_SYSTEM',
      wiphyFreq: freq,
      // The kernel stops the AP when this session's socket closes, also after kill -9.
      socketOwner: true,
      controlPortOverNl80211: true,
      ...this.extraIes(p),
    };
    if ((p.capability & CapabilityInfo.PRIVACY) !== 0) msg.privacy = true;
    if (crypto !== undefined) {
      msg.wpaVersions = { _2: true };
      msg.akmSuites = crypto.akmSuite;
      msg.cipherSuitesPairwise = crypto.pairwiseCipher;
      msg.cipherSuiteGroup = crypto.groupCipher;
    }
    try {
      await this.conn.request(Nl80211Cmd.START_AP, msg, `starting the AP on channel ${p.channel} (${freq} MHz)`);
    } catch (err) {
      if (err instanceof DriverError && err.code === 'BUSY') throw new DriverError('BUSY', `${this.ifname} is busy: it already runs an AP (another program?)`);
      throw err;
    }
    this.params = p;
    this.beaconBytes = Buffer.concat([tpl.head, tpl.tail]);
    this.ieBytes = msg.ie;
    const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;
    const suites = crypto ? `WPA2 (AKM ${hex(crypto.akmSuite)}, pairwise ${hex(crypto.pairwiseCipher)}, group ${hex(crypto.groupCipher)})` : 'open';
    const has = (what: string, yes: boolean): string => `${what} element ${yes ? 'in' : 'absent'}`;
    this.log.debug(
      `nl80211: ${this.ifname}: START_AP: SSID ${JSON.stringify(Buffer.from(p.ssid).toString('latin1'))}, channel ${p.channel} (${freq} MHz), ${suites}; Beacon: ${has('RSN', findElement(p.beaconElements, ElementId.RSN) !== undefined)}, ${has('WPS', findVendorElements(p.beaconElements, WPS_IE_VENDOR_TYPE).length > 0)}`,
    );
  }

  async setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void> {
    const p = this.requireStarted();
    const next: ApParams = { ...p };
    if (update.beaconElements) next.beaconElements = [...update.beaconElements];
    if (update.probeResponseElements) next.probeResponseElements = [...update.probeResponseElements];
    const tpl = beaconTemplate(this.address, next, next.beaconElements);
    const bytes = Buffer.concat([tpl.head, tpl.tail]);
    const ies = this.extraIes(next);
    const same = (a: Buffer | undefined, b: Buffer | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.equals(b));
    if (this.beaconBytes !== undefined && bytes.equals(this.beaconBytes) && same(ies.ie, this.ieBytes)) {
      this.params = next;
      return;
    }
    this.log.debug(`nl80211: ${this.ifname}: SET_BEACON: the elements changed`);
    await this.conn.request(Nl80211Cmd.SET_BEACON, { beaconHead: Buffer.from(tpl.head), beaconTail: Buffer.from(tpl.tail), ...ies }, 'updating the Beacon');
    this.params = next;
    this.beaconBytes = bytes;
    this.ieBytes = ies.ie;
  }

  async stopAp(): Promise<void> {
    if (!this.params) return;
    this.params = undefined;
    this.beaconBytes = undefined;
    this.ieBytes = undefined;
    const held = [...this.table.values()];
    this.table.clear();
    this.pendingAssoc.clear();
    for (const h of held) await this.removeWds(h);
    try {
      await this.conn.request(Nl80211Cmd.STOP_AP, {}, 'stopping the AP');
    } catch (err) {
      // ENOENT: the kernel stopped it already (interface down or removed).
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }

  /** Runs `op` after the pending kernel commands of `sta`. */
  private serial(sta: MacAddress, op: () => Promise<void>): Promise<void> {
    const prev = this.staQueue.get(sta) ?? Promise.resolve();
    const run = prev.then(op, op);
    const tail = run.catch(() => undefined);
    this.staQueue.set(sta, tail);
    void tail.then(() => {
      if (this.staQueue.get(sta) === tail) this.staQueue.delete(sta);
    });
    return run;
  }

  addStation(addr: MacAddress, p: AddStationParams): Promise<void> {
    const sta = macAddress(addr);
    return this.serial(sta, () => this.newStation(sta, p));
  }

  /** NEW_STATION, associated, port closed; a station the kernel still holds is replaced. */
  private async newStation(sta: MacAddress, p: AddStationParams): Promise<void> {
    this.requireStarted();
    if (isGroupAddress(sta)) throw new DriverError('BAD_CONFIG', `${this.ifname}: ${sta} is a group address`);
    if (!Number.isInteger(p.aid) || p.aid < 1 || p.aid > AID_MAX) throw new DriverError('BAD_CONFIG', `${this.ifname}: AID ${p.aid} outside 1..${AID_MAX}`);
    const fourAddr = p.fourAddr === true;
    if (fourAddr && wdsIfname(this.ifname, p.aid).length > IFNAME_MAX) {
      throw new DriverError('BAD_CONFIG', `${this.ifname}: the AP/VLAN interface name ${wdsIfname(this.ifname, p.aid)} is longer than ${IFNAME_MAX} characters (shorten the BSS's interface name)`);
    }
    if (!this.table.has(sta) && this.table.size >= MAX_STATIONS) throw new DriverError('BUSY', `${this.ifname}: station table full (${MAX_STATIONS})`);
    // The AP's own rates for a station whose association request was not seen.
    const rates = this.pendingAssoc.get(sta) ?? stationRates(defaultRateElements());
    this.pendingAssoc.delete(sta);
    const shortPreamble = (p.capability & CapabilityInfo.SHORT_PREAMBLE) !== 0;
    const msg: Nl80211Message = {
      mac: Buffer.from(macToBytes(sta)),
      staAid: p.aid,
      staListenInterval: p.listenInterval,
      staCapability: p.capability,
      staSupportedRates: rates,
      // Without the authenticated/associated bits the kernel adds it associated (nl80211_new_station).
      staFlags2: staFlagUpdate([StaFlag.AUTHORIZED, StaFlag.SHORT_PREAMBLE, StaFlag.WME], shortPreamble ? [StaFlag.SHORT_PREAMBLE] : []),
    };
    const old = this.table.get(sta);
    if (old !== undefined) {
      this.table.delete(sta);
      await this.delStation(sta);
      await this.removeWds(old);
    }
    const what = `adding station ${sta}`;
    try {
      await this.conn.request(Nl80211Cmd.NEW_STATION, msg, what);
    } catch (err) {
      if (!hasErrno(err, 'EEXIST')) throw err;
      // Left in the kernel by an earlier association: replace it.
      await this.delStation(sta);
      await this.conn.request(Nl80211Cmd.NEW_STATION, msg, what);
    }
    const held: Held = { info: { addr: sta, aid: p.aid, capability: p.capability, listenInterval: p.listenInterval, fourAddr, authorized: false }, pairwiseKey: false };
    this.table.set(sta, held);
    this.emit({ type: 'station-associated', addr: sta, aid: p.aid, fourAddr });
    // After this call returns, so the Association Response goes out first (hostapd sets the WDS
    // station up in its TX status callback): a station waits only a few hundred ms for it.
    if (fourAddr) void this.serial(sta, () => this.startWds(sta, held));
  }

  /** The AP/VLAN interface of a 4-address station still associated; a failure is logged and leaves it on the BSS's interface, as hostapd. */
  private async startWds(sta: MacAddress, held: Held): Promise<void> {
    if (this.table.get(sta) !== held) return;
    try {
      held.wds = await this.addWds(sta, held.info.aid);
    } catch (err) {
      this.log.error(`nl80211: ${this.ifname}: no AP/VLAN interface for backhaul STA ${sta}: ${(err as Error).message}`);
      return;
    }
    // Gone while its interface was made (the AP stopped): the interface goes too.
    if (this.table.get(sta) !== held) await this.removeWds(held);
  }

  /**
   * hostapd's set_wds_sta(val=1): the station's AP/VLAN interface in 4addr
   * mode with the BSS's address (mac80211 ties an AP/VLAN to the AP of the
   * same address), up, in the bridge, and the station moved onto it. An
   * interface of that name left from before is reused, as hostapd does.
   */
  private async addWds(sta: MacAddress, aid: number): Promise<WdsInterface> {
    const ifname = wdsIfname(this.ifname, aid);
    const mod = this.conn.mod;
    const found = existingIfindex(ifname);
    const created = found === undefined;
    if (created) await this.conn.request(Nl80211Cmd.NEW_INTERFACE, { ifname, iftype: 'AP_VLAN', _4addr: 1, socketOwner: true }, `creating AP/VLAN interface ${ifname}`);
    const ifindex = found ?? existingIfindex(ifname);
    if (ifindex === undefined) throw new DriverError('NOT_SUPPORTED', `${this.ifname}: AP/VLAN interface ${ifname} did not appear`);
    const wds: WdsInterface = { ifname, ifindex, bridged: false };
    this.conn.adopt(ifindex);
    try {
      if (created) await setLinkAddress(mod, ifname, this.address);
      await linkUp(mod, ifname);
      const bridge = this.bridges.wdsBridge ?? this.bridges.bridge;
      if (bridge !== undefined && masterOf(ifname) !== bridge) {
        await bridgeJoin(mod, bridge, ifname);
        wds.bridged = true;
      }
      await this.conn.request(Nl80211Cmd.SET_STATION, { mac: Buffer.from(macToBytes(sta)), staVlan: ifindex }, `moving station ${sta} to ${ifname}`);
    } catch (err) {
      await this.dropWds(wds);
      throw err;
    }
    this.log.info(`nl80211: ${this.ifname}: backhaul STA ${sta} on AP/VLAN interface ${ifname} (4addr)${wds.bridged ? ` in bridge ${this.bridges.wdsBridge ?? this.bridges.bridge ?? ''}` : ''}`);
    return wds;
  }

  /** hostapd's set_wds_sta(val=0), after the station is gone from the kernel: out of the bridge, the interface removed. */
  private async removeWds(held: Held): Promise<void> {
    const wds = held.wds;
    if (wds === undefined) return;
    held.wds = undefined;
    await this.dropWds(wds).catch((e: Error) => this.log.warn(`nl80211: ${this.ifname}: ${e.message}`));
    this.log.info(`nl80211: ${this.ifname}: AP/VLAN interface ${wds.ifname} of ${held.info.addr} removed`);
  }

  private async dropWds(wds: WdsInterface): Promise<void> {
    this.conn.release(wds.ifindex);
    if (wds.bridged) await bridgeLeave(this.conn.mod, wds.ifname).catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
    try {
      await this.conn.requestOn(wds.ifindex, Nl80211Cmd.DEL_INTERFACE, {}, `removing AP/VLAN interface ${wds.ifname}`);
    } catch (err) {
      // ENODEV: the kernel removed it already (the AP went down).
      if (!hasErrno(err, 'ENODEV')) throw err;
    }
  }

  /** DEL_STATION (its keys go with it); a station the kernel does not have is not an error. */
  private async delStation(sta: MacAddress): Promise<void> {
    try {
      await this.conn.request(Nl80211Cmd.DEL_STATION, { mac: Buffer.from(macToBytes(sta)) }, `removing station ${sta}`);
    } catch (err) {
      if (!hasErrno(err, 'ENOENT')) throw err;
    }
  }

  async removeStation(addr: MacAddress, reason: number = ReasonCode.UNSPECIFIED): Promise<void> {
    const sta = macAddress(addr);
    const held = this.table.get(sta);
    if (held === undefined) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not in the table`);
    this.table.delete(sta);
    await this.serial(sta, async () => {
      await this.delStation(sta);
      await this.removeWds(held);
    });
    this.emit({ type: 'station-disassociated', addr: sta, reason, byPeer: false });
  }

  setStationAuthorized(addr: MacAddress, authorized: boolean): Promise<void> {
    const sta = macAddress(addr);
    return this.serial(sta, async () => {
      const held = this.table.get(sta);
      if (!held) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not associated`);
      await setAuthorized(this.conn, sta, authorized);
      held.info.authorized = authorized;
    });
  }

  async installKey(k: KeyInstall): Promise<void> {
    this.requireStarted();
    checkKeyInstall(k, NL80211_AP_CIPHERS);
    const peer = k.type === 'pairwise' && k.addr !== undefined ? macAddress(k.addr) : undefined;
    const held = peer !== undefined ? this.table.get(peer) : undefined;
    if (peer !== undefined && held === undefined) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${peer} is not associated`);
    await installKey(this.conn, peer !== undefined ? { ...k, addr: peer } : k);
    if (held !== undefined) held.pairwiseKey = true;
  }

  /** GET_KEY of a group key: its transmit packet number (NL80211_ATTR_KEY_SEQ), least significant octet first. */
  async groupKeySequence(keyIndex: number): Promise<Uint8Array> {
    this.requireOpen();
    let replies: Nl80211Message[];
    try {
      replies = await this.conn.request(Nl80211Cmd.GET_KEY, { keyIdx: keyIndex }, `reading group key ${keyIndex}`);
    } catch (err) {
      if (hasErrno(err, 'ENOENT')) return new Uint8Array(KEY_RSC_LEN);
      throw err;
    }
    const out = new Uint8Array(KEY_RSC_LEN);
    const seq = replies[0]?.keySeq;
    if (seq !== undefined) out.set(seq.subarray(0, KEY_RSC_LEN));
    return out;
  }

  stations(): StationInfo[] {
    return [...this.table.values()].map((h) => ({ ...h.info }));
  }

  async sendMgmt(frame: ManagementFrame | Uint8Array): Promise<void> {
    this.requireOpen();
    const bytes = frame instanceof Uint8Array ? frame : buildFrame(frame);
    if (this.log.enabled(LogLevel.EXCESSIVE)) this.log.hexdump(LogLevel.EXCESSIVE, 'nl80211: TX frame', bytes);
    await sendFrame(this.conn, bytes, this.params ? { freq: this.frequency(this.params.channel) } : {});
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    this.requireOpen();
    const sta = macAddress(dst);
    const held = this.table.get(sta);
    if (!held) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not associated`);
    this.log.msgdump(`nl80211: ${this.ifname}: EAPOL TX to ${sta} (${eapol.length} octets${held.pairwiseKey ? ', encrypted' : ''})`);
    await sendControlPortFrame(this.conn, sta, eapol, !held.pairwiseKey);
  }

  /** STOP_AP, the interface type and link state it had; closing the session drops the frame registrations. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.stopAp().catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
      await this.leaveBridge();
      if (this.conn.created) {
        // Created for a bss= section: removed now, not later when the kernel notices the closed socket.
        await this.conn.request(Nl80211Cmd.DEL_INTERFACE, {}, 'removing the interface').catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
      } else {
        if (this.restore.iftype === 'STATION') await this.setIfType('STATION').catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
        // The type change may have taken the link down: leave it as it was found.
        await setLink(this.conn, this.restore.up).catch(() => undefined);
      }
    } finally {
      this.closed = true;
      this.unsubscribe();
      this.conn.close();
    }
  }

  /** Undoes joinBridge(): out of the bridge, and the bridge removed when it was created here (hostapd's added_bridge). */
  private async leaveBridge(): Promise<void> {
    const b = this.bridged;
    if (b === undefined) return;
    this.bridged = undefined;
    const mod = this.conn.mod;
    await bridgeLeave(mod, this.ifname).catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
    if (b.created) await deleteLink(mod, b.bridge).catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
  }

  private onKernelEvent(e: Nl80211Event): void {
    // CONTROL_PORT_FRAME of a backhaul STA comes from its AP/VLAN interface.
    if (this.closed || e.msg.ifindex === undefined || !this.conn.owns(e.msg.ifindex)) return;
    try {
      if (e.cmd === Nl80211Cmd.FRAME && e.msg.frame !== undefined) this.receiveFrame(e.msg.frame);
      else if (e.cmd === Nl80211Cmd.CONTROL_PORT_FRAME && e.msg.frame !== undefined && e.msg.mac !== undefined) this.receiveControlPort(e.msg.mac, e.msg.frame, e.msg.controlPortEthertype);
    } catch (err) {
      // A hostile frame must never take the daemon down.
      this.log.error(`nl80211: ${this.ifname}: error handling event ${e.cmd}: ${(err as Error).message}`);
    }
  }

  private receiveFrame(raw: Buffer): void {
    let frame;
    try {
      frame = parseFrame(raw);
    } catch (err) {
      if (err instanceof FrameError) {
        this.log.debug(`nl80211: ${this.ifname}: dropped frame: ${err.message}`);
        return;
      }
      throw err;
    }
    const p = this.params;
    if (frame.kind !== 'management' || !p) return;
    const h = frame.header;
    const b = frame.body;
    if (b.subtype === 'probe-request') {
      if (h.addr3 !== this.address && !isGroupAddress(h.addr3)) return;
      const resp = probeResponseFor(this.address, h.addr2, p, p.probeResponseElements, b.elements);
      if (resp) void this.sendMgmt(resp).catch((e: Error) => this.log.debug(`nl80211: probe response not sent: ${e.message}`));
      this.emit({ type: 'rx-mgmt', frame, raw: Uint8Array.from(raw) });
      return;
    }
    if (h.addr3 !== this.address) return;
    if (b.subtype === 'association-request' || b.subtype === 'reassociation-request') this.rememberRates(h.addr2, b.elements);
    this.emit({ type: 'rx-mgmt', frame, raw: Uint8Array.from(raw) });
    if (b.subtype !== 'deauthentication' && b.subtype !== 'disassociation') return;
    const left = this.table.get(h.addr2);
    if (left !== undefined) {
      const sta = h.addr2;
      this.table.delete(sta);
      void this.serial(sta, async () => {
        await this.delStation(sta);
        await this.removeWds(left);
      }).catch((e: Error) => this.log.debug(`nl80211: ${e.message}`));
      this.emit({ type: 'station-disassociated', addr: sta, reason: b.reason, byPeer: true });
    }
  }

  private rememberRates(sta: MacAddress, elements: Element[]): void {
    const rates = stationRates(elements);
    if (rates.length === 0 || rates.length > NL80211_MAX_SUPP_RATES) return;
    this.pendingAssoc.delete(sta);
    if (this.pendingAssoc.size >= MAX_PENDING_ASSOC) {
      const oldest = this.pendingAssoc.keys().next().value;
      if (oldest !== undefined) this.pendingAssoc.delete(oldest);
    }
    this.pendingAssoc.set(sta, rates);
  }

  private receiveControlPort(mac: Buffer, eapol: Buffer, ethertype: Buffer | undefined): void {
    if (ethertype !== undefined && ethertype.length >= 2 && ethertype.readUInt16LE(0) !== ETHERTYPE_EAPOL) return;
    const src = macFromBytes(mac);
    if (!this.table.has(src)) {
      this.log.debug(`nl80211: ${this.ifname}: EAPOL from unassociated ${src} dropped`);
      return;
    }
    this.log.msgdump(`nl80211: ${this.ifname}: EAPOL RX from ${src} (${eapol.length} octets)`);
    this.emit({ type: 'rx-eapol', src, eapol: Uint8Array.from(eapol), fourAddr: this.table.get(src)?.info.fourAddr === true });
  }
}

/** IFF_UP on or off over rtnetlink (hostapd leaves an interface down when it found it down). */
async function setLink(conn: Nl80211Connection, up: boolean): Promise<void> {
  const rt = conn.mod.createRtNetlink();
  try {
    await rt.setLink({ index: conn.ifindex, flags: up ? { up: true } : {}, change: { up: true } }, {}, { timeout: NL80211_REQUEST_TIMEOUT_MS });
  } finally {
    rt.socket.close();
  }
}
