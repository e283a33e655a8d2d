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
 *   EAPOL     CONTROL_PORT_FRAME both ways;
 *   close     STOP_AP, the interface type and link state it had before.
 *
 * Every refusal is a DriverError naming the interface.
 */
import { existsSync } from 'node:fs';
import { createNl80211, createRtNetlink, type Nl80211Socket, type RtNetlinkSocket, type GenericNetlinkMessage, nl80211 } from 'netlink';
import { type Logger, silentLogger, LogLevel } from '../../common/log.js';
import { type Element, findVendorElements, buildElements } from '../elements.js';
import { type ManagementFrame, buildFrame, parseFrame, FrameError, CapabilityInfo, ReasonCode, AID_MAX } from '../frame.js';
import { type MacAddress, parseMac, macFromBytes, macToBytes, isGroupAddress } from '../mac.js';
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
import { probeNl80211 } from './driver.js';
import {
  AP_RX_FRAME_TYPES,
  DEFAULT_DTIM_PERIOD,
  StaFlag,
  apCrypto,
  beaconTemplate,
  checkApParams,
  probeResponseFor,
  staFlagUpdate,
  stationRates,
} from './ap-templates.js';

const Cmd = nl80211.Commands;
/** Stations one AP keeps (hostapd's max_num_sta default). */
export const MAX_STATIONS = 2007;
/** Association requests remembered for their rates until the daemon adds the station (oldest dropped first). */
export const MAX_PENDING_ASSOC = 64;
/** A kernel request that takes longer than this has failed (the kernel answers in microseconds). */
export const NL80211_REQUEST_TIMEOUT_MS = 10_000;

export interface Nl80211ApOptions {
  ifname: string;
  logger?: Logger;
}

/** The errno name of a rejected netlink request ("Request rejected: EBUSY" from the netlink package). */
function errnoOf(err: unknown): string | undefined {
  const m = /Request rejected: (E[A-Z0-9]+|-?\d+)/.exec(err instanceof Error ? err.message : String(err));
  return m?.[1];
}

function ifTypeName(t: unknown): string {
  if (typeof t === 'string') return t;
  if (typeof t === 'number') return nl80211.InterfaceType[t] ?? String(t);
  return 'UNSPECIFIED';
}

/** 2.4 GHz channels 1..14 and 5 GHz channels as hostapd maps them (ieee80211_chan_to_freq for the usual bands). */
export function channelToFrequency(channel: number): number | undefined {
  if (channel === 14) return 2484;
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return undefined;
}

interface Held {
  info: StationInfo;
  /** Its pairwise key is in: EAPOL to it goes encrypted from now on (hostapd's encrypt flag for send_eapol). */
  pairwiseKey: boolean;
}

/** The ciphers mac80211 implements in software, so every mac80211 driver has them. */
export const NL80211_AP_CIPHERS: readonly number[] = [RsnCipher.TKIP, RsnCipher.CCMP_128, RsnCipher.GCMP_128, RsnCipher.GCMP_256, RsnCipher.CCMP_256];

export class Nl80211ApDriver implements ApDriver {
  readonly driverName = 'nl80211' as const;
  private readonly events: DriverEvents;
  private params: ApParams | undefined;
  private beaconBytes: Buffer | undefined;
  private readonly table = new Map<MacAddress, Held>();
  /** Rates of the latest (Re)Association Request per station, for NEW_STATION. */
  private readonly pendingAssoc = new Map<MacAddress, Buffer>();
  private closed = false;
  /** Kernel station commands run one at a time per station: a repeated (Re)Association Request must not race its own NEW_STATION. */
  private readonly staQueue = new Map<MacAddress, Promise<void>>();
  private readonly onMessage = (msgs: GenericNetlinkMessage[]): void => this.receive(msgs);

  private constructor(
    private readonly nl: Nl80211Socket,
    private readonly rt: RtNetlinkSocket,
    readonly ifname: string,
    private readonly ifindex: number,
    readonly address: MacAddress,
    private readonly restore: { iftype: string; up: boolean },
    private readonly log: Logger,
  ) {
    this.events = new DriverEvents((err) => this.log.error(`nl80211: event listener failed: ${(err as Error).message}`));
    nl.socket.on('message', this.onMessage);
  }

  /** Opens `ifname` as an AP: type AP, frames registered, link up. */
  static async open(opts: Nl80211ApOptions): Promise<Nl80211ApDriver> {
    const log = (opts.logger ?? silentLogger).child('nl80211');
    const ifname = opts.ifname;
    await probeNl80211();
    const nl = await createNl80211();
    const rt = createRtNetlink();
    try {
      const ifaces = await nl.getInterfaces();
      const iface = [...ifaces.values()].find((i) => i.ifname === ifname);
      if (iface === undefined) {
        if (existsSync(`/sys/class/net/${ifname}`)) throw new DriverError('BAD_CONFIG', `${ifname} is not a wireless interface (nl80211 does not know it)`);
        throw new DriverError('BAD_CONFIG', `${ifname}: no such interface`);
      }
      const ifindex = iface.ifindex;
      if (ifindex === undefined || iface.mac === undefined) throw new DriverError('NOT_SUPPORTED', `${ifname}: nl80211 reports no interface index or address`);
      const address = macFromBytes(iface.mac);
      const before = ifTypeName(iface.iftype);
      const up = await linkUp(rt, ifindex);
      const drv = new Nl80211ApDriver(nl, rt, ifname, ifindex, address, { iftype: before, up }, log);
      try {
        await drv.becomeAp(before);
      } catch (err) {
        await drv.close();
        throw err;
      }
      log.debug(`${ifname}: AP interface ${address} (ifindex ${ifindex}, was ${before}, link was ${up ? 'up' : 'down'})`);
      return drv;
    } catch (err) {
      if (!(err instanceof DriverError)) {
        nl.socket.socket.close();
        rt.socket.close();
      }
      throw err;
    }
  }

  private async request(cmd: nl80211.Commands, msg: nl80211.Message): Promise<nl80211.Message[]> {
    return this.nl.request(cmd, { ifindex: this.ifindex, ...msg }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
  }

  private async becomeAp(before: string): Promise<void> {
    if (before !== 'AP') await this.setIfType('AP');
    for (const type of AP_RX_FRAME_TYPES) {
      try {
        await this.request(Cmd.REGISTER_FRAME, { frameType: [type], frameMatch: Buffer.alloc(0) });
      } catch (err) {
        const errno = errnoOf(err);
        if (errno === 'EALREADY') {
          throw new DriverError('BUSY', `${this.ifname} is busy: another program (hostapd, wpa_supplicant?) already receives its management frames`);
        }
        throw new DriverError('NOT_SUPPORTED', `${this.ifname}: cannot register for frame type 0x${type.toString(16).padStart(4, '0')}: ${errno ?? (err as Error).message}`);
      }
    }
    await setLink(this.rt, this.ifindex, true).catch((err: unknown) => {
      throw new DriverError('LINK_DOWN', `${this.ifname}: cannot bring the interface up: ${errnoOf(err) ?? (err as Error).message}`);
    });
  }

  /** SET_INTERFACE; mac80211 refuses some changes on a running interface (EBUSY), then it goes down for the change. */
  private async setIfType(iftype: string): Promise<void> {
    const set = (): Promise<nl80211.Message[]> => this.request(Cmd.SET_INTERFACE, { iftype: iftype as keyof typeof nl80211.InterfaceType });
    try {
      await set();
      return;
    } catch (err) {
      if (errnoOf(err) !== 'EBUSY') throw new DriverError('NOT_SUPPORTED', `${this.ifname}: cannot set the interface type to ${iftype}: ${errnoOf(err) ?? (err as Error).message}`);
    }
    await setLink(this.rt, this.ifindex, false);
    try {
      await set();
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'EBUSY') throw new DriverError('BUSY', `${this.ifname} is busy: the kernel refuses to make it ${iftype} (another program uses it?)`);
      throw new DriverError('NOT_SUPPORTED', `${this.ifname}: cannot set the interface type to ${iftype}: ${errno ?? (err as Error).message}`);
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

  private frequency(channel: number): number {
    const f = channelToFrequency(channel);
    if (f === undefined) throw new DriverError('BAD_CONFIG', `${this.ifname}: channel ${channel} is not a 2.4 or 5 GHz channel`);
    return f;
  }

  /** WPS elements among the probe-response elements: NL80211_ATTR_IE_PROBE_RESP (what offloading drivers add). */
  private extraIes(p: ApParams): Partial<nl80211.Message> {
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
    const msg: nl80211.Message = {
      beaconHead: Buffer.from(tpl.head),
      beaconTail: Buffer.from(tpl.tail),
      beaconInterval: p.beaconInterval,
      dtimPeriod: DEFAULT_DTIM_PERIOD,
      ssid: Buffer.from(p.ssid),
      hiddenSsid: p.hideSsid === true ? 'ZERO_LEN' : 'NOT_IN_USE',
      authType: 'OPEN_SYSTEM',
      wiphyFreq: freq,
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
      await this.request(Cmd.START_AP, msg);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'EALREADY' || errno === 'EBUSY') throw new DriverError('BUSY', `${this.ifname} is busy: it already runs an AP`);
      if (errno === 'ENETDOWN') throw new DriverError('LINK_DOWN', `${this.ifname}: the interface is down`);
      throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused START_AP on channel ${p.channel} (${freq} MHz): ${errno ?? (err as Error).message}`);
    }
    this.params = p;
    this.beaconBytes = Buffer.concat([tpl.head, tpl.tail]);
    this.log.debug(`${this.ifname}: AP started: SSID ${JSON.stringify(Buffer.from(p.ssid).toString('latin1'))}, channel ${p.channel} (${freq} MHz), ${crypto ? 'WPA2' : 'open'}`);
  }

  async setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void> {
    this.requireOpen();
    const p = this.params;
    if (!p) throw new DriverError('NOT_STARTED', `${this.ifname}: the AP is not started`);
    const next: ApParams = { ...p };
    if (update.beaconElements) next.beaconElements = [...update.beaconElements];
    if (update.probeResponseElements) next.probeResponseElements = [...update.probeResponseElements];
    const tpl = beaconTemplate(this.address, next, next.beaconElements);
    const bytes = Buffer.concat([tpl.head, tpl.tail]);
    const iesChanged = update.probeResponseElements !== undefined;
    if (this.beaconBytes !== undefined && bytes.equals(this.beaconBytes) && !iesChanged) {
      this.params = next;
      return;
    }
    try {
      await this.request(Cmd.SET_BEACON, { beaconHead: Buffer.from(tpl.head), beaconTail: Buffer.from(tpl.tail), ...this.extraIes(next) });
    } catch (err) {
      throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused the new Beacon: ${errnoOf(err) ?? (err as Error).message}`);
    }
    this.params = next;
    this.beaconBytes = bytes;
  }

  async stopAp(): Promise<void> {
    if (!this.params) return;
    this.params = undefined;
    this.beaconBytes = undefined;
    this.table.clear();
    this.pendingAssoc.clear();
    try {
      await this.request(Cmd.STOP_AP, {});
    } catch (err) {
      // ENOENT: the kernel already stopped it (interface down, removed).
      if (errnoOf(err) !== 'ENOENT') throw new DriverError('BAD_CONFIG', `${this.ifname}: STOP_AP failed: ${errnoOf(err) ?? (err as Error).message}`);
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
    const sta = parseMac(addr);
    return this.serial(sta, () => this.newStation(sta, p));
  }

  private async newStation(sta: MacAddress, p: AddStationParams): Promise<void> {
    this.requireOpen();
    if (!this.params) throw new DriverError('NOT_STARTED', `${this.ifname}: the AP is not started`);
    if (isGroupAddress(sta)) throw new DriverError('BAD_CONFIG', `${this.ifname}: ${sta} is a group address`);
    if (!Number.isInteger(p.aid) || p.aid < 1 || p.aid > AID_MAX) throw new DriverError('BAD_CONFIG', `${this.ifname}: AID ${p.aid} outside 1..${AID_MAX}`);
    if (p.fourAddr === true) throw new DriverError('NOT_SUPPORTED', `${this.ifname}: 4-address stations (Multi-AP backhaul) are not supported by the nl80211 AP driver yet`);
    if (!this.table.has(sta) && this.table.size >= MAX_STATIONS) throw new DriverError('BUSY', `${this.ifname}: station table full (${MAX_STATIONS})`);
    const rates = this.pendingAssoc.get(sta) ?? Buffer.from(beaconRates());
    this.pendingAssoc.delete(sta);
    const shortPreamble = (p.capability & CapabilityInfo.SHORT_PREAMBLE) !== 0;
    const msg: nl80211.Message = {
      mac: Buffer.from(macToBytes(sta)),
      staAid: p.aid,
      staListenInterval: p.listenInterval,
      staCapability: p.capability,
      staSupportedRates: rates,
      staFlags2: staFlagUpdate([StaFlag.AUTHORIZED, StaFlag.SHORT_PREAMBLE, StaFlag.WME], shortPreamble ? [StaFlag.SHORT_PREAMBLE] : []),
    };
    if (this.table.has(sta)) await this.delStation(sta).catch(() => undefined);
    try {
      await this.request(Cmd.NEW_STATION, msg);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno !== 'EEXIST') throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused station ${sta}: ${errno ?? (err as Error).message}`);
      // Left in the kernel by an earlier association (or another program): replace it.
      await this.delStation(sta);
      try {
        await this.request(Cmd.NEW_STATION, msg);
      } catch (err2) {
        throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused station ${sta}: ${errnoOf(err2) ?? (err2 as Error).message}`);
      }
    }
    const info: StationInfo = { addr: sta, aid: p.aid, capability: p.capability, listenInterval: p.listenInterval, fourAddr: false, authorized: false };
    this.table.set(sta, { info, pairwiseKey: false });
    this.emit({ type: 'station-associated', addr: sta, aid: p.aid, fourAddr: false });
  }

  private async delStation(sta: MacAddress): Promise<void> {
    try {
      await this.request(Cmd.DEL_STATION, { mac: Buffer.from(macToBytes(sta)) });
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') throw new DriverError('BAD_CONFIG', `${this.ifname}: DEL_STATION ${sta} failed: ${errnoOf(err) ?? (err as Error).message}`);
    }
  }

  async removeStation(addr: MacAddress, reason: number = ReasonCode.UNSPECIFIED): Promise<void> {
    const sta = parseMac(addr);
    if (!this.table.delete(sta)) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not in the table`);
    await this.serial(sta, () => this.delStation(sta));
    this.emit({ type: 'station-disassociated', addr: sta, reason, byPeer: false });
  }

  setStationAuthorized(addr: MacAddress, authorized: boolean): Promise<void> {
    const sta = parseMac(addr);
    return this.serial(sta, async () => {
      const held = this.table.get(sta);
      if (!held) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not associated`);
      try {
        await this.request(Cmd.SET_STATION, { mac: Buffer.from(macToBytes(sta)), staFlags2: staFlagUpdate([StaFlag.AUTHORIZED], authorized ? [StaFlag.AUTHORIZED] : []) });
      } catch (err) {
        throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused to ${authorized ? 'authorize' : 'unauthorize'} ${sta}: ${errnoOf(err) ?? (err as Error).message}`);
      }
      held.info.authorized = authorized;
    });
  }

  /** NEW_KEY (pairwise with the station's address, or group), then SET_KEY for the default group key, as hostapd's set_key. */
  async installKey(k: KeyInstall): Promise<void> {
    this.requireOpen();
    if (!this.params) throw new DriverError('NOT_STARTED', `${this.ifname}: the AP is not started`);
    checkKeyInstall(k, NL80211_AP_CIPHERS);
    const pairwise = k.type === 'pairwise';
    const peer = pairwise && k.addr !== undefined ? parseMac(k.addr) : undefined;
    const held = peer !== undefined ? this.table.get(peer) : undefined;
    if (peer !== undefined && held === undefined) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${peer} is not associated`);
    const msg: nl80211.Message = {
      keyData: Buffer.from(k.key),
      keyIdx: k.keyIndex,
      keyCipher: k.cipher,
      keySeq: Buffer.from(k.rsc ?? new Uint8Array(KEY_RSC_LEN)),
      ...(peer !== undefined ? { mac: Buffer.from(macToBytes(peer)), keyType: 'PAIRWISE' as const } : { keyType: 'GROUP' as const }),
    };
    const what = pairwise ? `the pairwise key of ${peer ?? '?'}` : `group key ${k.keyIndex}`;
    try {
      await this.request(Cmd.NEW_KEY, msg);
      if (!pairwise && k.defaultTx === true) await this.request(Cmd.SET_KEY, { keyIdx: k.keyIndex, keyDefault: true, keyDefaultTypes: { multicast: true } });
    } catch (err) {
      throw new DriverError('BAD_CONFIG', `${this.ifname}: the kernel refused ${what}: ${errnoOf(err) ?? (err as Error).message}`);
    }
    if (held !== undefined) held.pairwiseKey = true;
  }

  /** GET_KEY of a group key: its transmit packet number (NL80211_ATTR_KEY_SEQ), least significant octet first. */
  async groupKeySequence(keyIndex: number): Promise<Uint8Array> {
    this.requireOpen();
    let replies: nl80211.Message[];
    try {
      replies = await this.request(Cmd.GET_KEY, { keyIdx: keyIndex });
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return new Uint8Array(KEY_RSC_LEN);
      throw new DriverError('BAD_CONFIG', `${this.ifname}: GET_KEY ${keyIndex} failed: ${errnoOf(err) ?? (err as Error).message}`);
    }
    const seq = replies[0]?.keySeq;
    const out = new Uint8Array(KEY_RSC_LEN);
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
    const msg: nl80211.Message = { frame: Buffer.from(bytes) };
    if (this.params) msg.wiphyFreq = this.frequency(this.params.channel);
    try {
      await this.request(Cmd.FRAME, msg);
    } catch (err) {
      throw new DriverError('LINK_DOWN', `${this.ifname}: the kernel refused a management frame: ${errnoOf(err) ?? (err as Error).message}`);
    }
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    this.requireOpen();
    const sta = parseMac(dst);
    const held = this.table.get(sta);
    if (!held) throw new DriverError('UNKNOWN_STATION', `${this.ifname}: station ${sta} is not associated`);
    const ethertype = Buffer.alloc(2);
    ethertype.writeUInt16LE(ETHERTYPE_EAPOL, 0);
    this.log.debug(`${this.ifname}: EAPOL TX to ${sta} (${eapol.length} octets) over the control port`);
    try {
      await this.request(Cmd.CONTROL_PORT_FRAME, { mac: Buffer.from(macToBytes(sta)), frame: Buffer.from(eapol), controlPortEthertype: ethertype, ...(held.pairwiseKey ? {} : { controlPortNoEncrypt: true as const }) });
    } catch (err) {
      throw new DriverError('LINK_DOWN', `${this.ifname}: the kernel refused EAPOL to ${sta}: ${errnoOf(err) ?? (err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.stopAp().catch((e: Error) => this.log.debug(`${this.ifname}: ${e.message}`));
      if (this.restore.iftype !== 'AP') {
        await this.setIfType(this.restore.iftype).catch((e: Error) => this.log.debug(`${this.ifname}: ${e.message}`));
      }
      if (!this.restore.up) await setLink(this.rt, this.ifindex, false).catch(() => undefined);
      else await setLink(this.rt, this.ifindex, true).catch(() => undefined);
    } finally {
      this.closed = true;
      this.nl.socket.off('message', this.onMessage);
      // Closing the socket also drops the frame registrations.
      this.nl.socket.socket.close();
      this.rt.socket.close();
    }
  }

  private receive(msgs: GenericNetlinkMessage[]): void {
    for (const m of msgs) {
      if (typeof m.cmd !== 'number' || !(m.data instanceof Buffer)) continue;
      let msg: nl80211.Message;
      try {
        msg = nl80211.parseMessage(m.data);
      } catch (err) {
        this.log.debug(`${this.ifname}: unreadable nl80211 message ${m.cmd}: ${(err as Error).message}`);
        continue;
      }
      if (msg.ifindex !== this.ifindex) continue;
      if (this.log.enabled(LogLevel.MSGDUMP)) this.log.debug(`${this.ifname}: nl80211 event ${nl80211.Commands[m.cmd] ?? m.cmd}`);
      try {
        if (m.cmd === Cmd.FRAME && msg.frame) this.receiveFrame(msg.frame);
        else if (m.cmd === Cmd.CONTROL_PORT_FRAME && msg.frame && msg.mac) this.receiveControlPort(msg);
      } catch (err) {
        this.log.error(`${this.ifname}: error handling nl80211 event ${m.cmd}: ${(err as Error).message}`);
      }
    }
  }

  private receiveFrame(raw: Buffer): void {
    let frame;
    try {
      frame = parseFrame(raw);
    } catch (err) {
      if (err instanceof FrameError) this.log.debug(`${this.ifname}: dropped frame: ${err.message}`);
      else throw err;
      return;
    }
    if (frame.kind !== 'management') return;
    const p = this.params;
    if (!p) return;
    const h = frame.header;
    const b = frame.body;
    if (b.subtype === 'probe-request') {
      if (h.addr3 !== this.address && !isGroupAddress(h.addr3)) return;
      const resp = probeResponseFor(this.address, h.addr2, p, p.probeResponseElements, b.elements);
      if (resp) void this.sendMgmt(resp).catch((e: Error) => this.log.debug(`probe response not sent: ${e.message}`));
      this.emit({ type: 'rx-mgmt', frame, raw: Uint8Array.from(raw) });
      return;
    }
    if (h.addr3 !== this.address) return;
    if (b.subtype === 'association-request' || b.subtype === 'reassociation-request') this.rememberRates(h.addr2, b.elements);
    this.emit({ type: 'rx-mgmt', frame, raw: Uint8Array.from(raw) });
    if ((b.subtype === 'deauthentication' || b.subtype === 'disassociation') && this.table.delete(h.addr2)) {
      const sta = h.addr2;
      void this.serial(sta, () => this.delStation(sta)).catch((e: Error) => this.log.debug(e.message));
      this.emit({ type: 'station-disassociated', addr: sta, reason: b.reason, byPeer: true });
    }
  }

  private rememberRates(sta: MacAddress, elements: Element[]): void {
    const rates = stationRates(elements);
    if (rates.length === 0 || rates.length > nl80211MaxRates) return;
    this.pendingAssoc.delete(sta);
    if (this.pendingAssoc.size >= MAX_PENDING_ASSOC) {
      const oldest = this.pendingAssoc.keys().next().value;
      if (oldest !== undefined) this.pendingAssoc.delete(oldest);
    }
    this.pendingAssoc.set(sta, rates);
  }

  private receiveControlPort(msg: nl80211.Message): void {
    const src = macFromBytes(msg.mac as Buffer);
    const et = msg.controlPortEthertype;
    if (et !== undefined && et.length >= 2 && et.readUInt16LE(0) !== ETHERTYPE_EAPOL) return;
    if (!this.table.has(src)) {
      this.log.debug(`${this.ifname}: EAPOL from unassociated ${src} dropped`);
      return;
    }
    this.log.debug(`${this.ifname}: EAPOL RX from ${src} (${(msg.frame as Buffer).length} octets)`);
    this.emit({ type: 'rx-eapol', src, eapol: Uint8Array.from(msg.frame as Buffer), fourAddr: false });
  }
}

/** NL80211_MAX_SUPP_RATES: the kernel refuses a longer NL80211_ATTR_STA_SUPPORTED_RATES. */
const nl80211MaxRates = 32;

/** The AP's own rates, for a station whose association request was not seen. */
function beaconRates(): number[] {
  return [0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24, 0x30, 0x48, 0x60, 0x6c];
}

async function linkUp(rt: RtNetlinkSocket, index: number): Promise<boolean> {
  const links = await rt.getLink({ index }, {}, { timeout: NL80211_REQUEST_TIMEOUT_MS });
  return links[0]?.data.flags?.up === true;
}

async function setLink(rt: RtNetlinkSocket, index: number, up: boolean): Promise<void> {
  await rt.setLink({ index, flags: up ? { up: true } : {}, change: { up: true } }, {}, { timeout: NL80211_REQUEST_TIMEOUT_MS });
}
