/**
 * The nl80211 StationDriver (`wpsd sta -D nl80211 -i IF`), SME in cfg80211
 * as wpa_supplicant uses it with mac80211 drivers:
 * - scan(): TRIGGER_SCAN with the Probe Request elements (the WPS element),
 *   NEW_SCAN_RESULTS / SCAN_ABORTED on the "scan" group, GET_SCAN.
 * - connect(): CONNECT with the elements for the Association Request (WPS,
 *   RSN, Multi-AP) and the crypto settings read from the RSN element; the
 *   outcome arrives as the CONNECT event on the "mlme" group. It is sent with
 *   SOCKET_OWNER and CONTROL_PORT_OVER_NL80211, so EAPOL comes and goes as
 *   CONTROL_PORT_FRAME on this session's socket, and the kernel disconnects
 *   when the process dies.
 * - keys (NEW_KEY / SET_KEY), the port (SET_STATION authorized), the
 *   4-address mode (SET_INTERFACE 4addr) before a backhaul association.
 * - an AP's deauthentication or disassociation arrives as DISCONNECT.
 * The interface is claimed at open by registering for Action frames: when
 * another program (wpa_supplicant) has it, the kernel refuses and the
 * driver says the interface is busy.
 */
import { type Logger, silentLogger } from '../../common/log.js';
import {
  DriverError,
  DriverEvents,
  checkKeyInstall,
  type ConnectParams,
  type ConnectResult,
  type DriverListener,
  type KeyInstall,
  type ScanParams,
  type ScanResult,
  type StationDriver,
} from '../driver.js';
import { ElementId, buildElements, findElement, parseElements, ElementError, type Element } from '../elements.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { CapabilityInfo, FrameError, ManagementSubtype, ReasonCode, buildFrame, parseFrame, type ManagementFrame } from '../frame.js';
import { isGroupAddress, macFromBytes, macToBytes, macAddress, type MacAddress } from '../mac.js';
import { RsnAkm, RsnCipher, parseRsnElement } from '../rsn-ie.js';
import { Nl80211Cmd, Nl80211Connection, Nl80211Group, type Nl80211Event, type Nl80211Message } from './connection.js';
import { WPA_VERSION_2, u16le, installKey, registerFrame, sendControlPortFrame, sendFrame, setAuthorized, setInterface, setInterfaceUp } from './ops.js';
import { channelFreq, parseBss, triggerScanAttrs } from './scan.js';
import { SSID_MAX_LEN } from '../../common/ssid.js';

/** A scan on a busy TCG machine can take seconds; the kernel ends one itself well before this. */
export const NL80211_SCAN_TIMEOUT_MS = 30_000;
/** cfg80211's own auth/assoc timeouts are far shorter; this bounds the wait for its CONNECT event. */
export const NL80211_CONNECT_TIMEOUT_MS = 30_000;
/** How long disconnect() waits for the kernel's DISCONNECT event before reporting the disconnection itself. */
export const NL80211_DISCONNECT_WAIT_MS = 5_000;
/** The ciphers this driver installs keys for (mac80211 software crypto on every radio). */
export const NL80211_STA_CIPHERS: readonly number[] = [RsnCipher.CCMP_128, RsnCipher.TKIP, RsnCipher.GCMP_128, RsnCipher.GCMP_256, RsnCipher.CCMP_256];
/** NL80211_AUTHTYPE_OPEN_SYSTEM. */
const AUTHTYPE_OPEN_SYSTEM = 'OPEN_SYSTEM';
/** enum nl80211_timeout_reason. */
const TIMEOUT_AUTH = 2;

interface Association {
  bssid: MacAddress;
  aid: number;
  fourAddr: boolean;
  authorized: boolean;
  pairwiseKey: boolean;
}

interface Pending {
  bssid: MacAddress;
  aid: number;
  authenticated: boolean;
  fourAddr: boolean;
  resolve: (r: ConnectResult) => void;
}

export interface Nl80211StationOptions {
  ifname: string;
  logger?: Logger;
}

export class Nl80211StationDriver implements StationDriver {
  readonly driverName = 'nl80211' as const;
  private readonly events: DriverEvents;
  private current: Association | undefined;
  private pending: Pending | undefined;
  private scanWaiter: ((ok: boolean) => void) | undefined;
  private disconnectWaiter: (() => void) | undefined;
  private fourAddr = false;
  /** Capability Information of the BSSes of the latest scan: CONNECT names a BSS with Privacy set as private (cfg80211 matches on it). */
  private capabilities = new Map<MacAddress, number>();
  private closed = false;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly conn: Nl80211Connection,
    readonly address: MacAddress,
    private readonly log: Logger,
  ) {
    this.events = new DriverEvents((err) => log.error(`driver event listener failed: ${(err as Error).message}`));
    this.unsubscribe = conn.onEvent((e) => this.onKernelEvent(e));
  }

  /**
   * Opens `ifname`: nl80211 present, the interface wireless, a station (made
   * one when it is not an AP another daemon runs), up, and ours (Action frame
   * registration); the scan and mlme groups joined.
   */
  static async open(o: Nl80211StationOptions): Promise<Nl80211StationDriver> {
    const log = o.logger ?? silentLogger;
    const conn = await Nl80211Connection.open(o.ifname, log);
    try {
      const iface = conn.iface;
      if (iface.iftype === 'AP' && iface.ssid !== undefined) {
        throw new DriverError('BUSY', `${o.ifname} is busy: it is an AP beaconing "${iface.ssid.toString('utf8')}" (hostapd?)`);
      }
      if (iface.iftype !== 'STATION') await setInterface(conn, { iftype: 'STATION' });
      await setInterfaceUp(conn);
      conn.subscribe(Nl80211Group.SCAN, Nl80211Group.MLME);
      await registerFrame(conn, ManagementSubtype.ACTION);
      const drv = new Nl80211StationDriver(conn, macAddress(iface.mac), log);
      drv.fourAddr = iface.fourAddr;
      log.info(`nl80211: ${o.ifname} (ifindex ${iface.ifindex}, phy${iface.wiphy}, ${iface.mac}) opened as a station`);
      return drv;
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  onEvent(listener: DriverListener): () => void {
    return this.events.on(listener);
  }

  connection(): { bssid: MacAddress; aid: number; fourAddr: boolean; authorized: boolean } | undefined {
    const c = this.current;
    return c === undefined ? undefined : { bssid: c.bssid, aid: c.aid, fourAddr: c.fourAddr, authorized: c.authorized };
  }

  async scan(params: ScanParams = {}): Promise<ScanResult[]> {
    this.requireOpen();
    if (this.scanWaiter !== undefined) throw new DriverError('BUSY', `${this.conn.ifname}: a scan is already running`);
    let attrs;
    try {
      attrs = triggerScanAttrs(params);
    } catch (err) {
      throw new DriverError('BAD_CONFIG', `${this.conn.ifname}: ${(err as Error).message}`);
    }
    let finish: (ok: boolean) => void = () => undefined;
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), NL80211_SCAN_TIMEOUT_MS);
      finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.scanWaiter = undefined;
        resolve(ok);
      };
    });
    this.scanWaiter = finish;
    try {
      await this.conn.request(Nl80211Cmd.TRIGGER_SCAN, attrs as Nl80211Message, 'starting a scan');
    } catch (err) {
      finish(false);
      throw err;
    }
    if (!(await done)) throw new DriverError('BUSY', `${this.conn.ifname}: the scan was aborted or timed out`);
    const parts = await this.conn.dump(Nl80211Cmd.GET_SCAN, {}, 'reading scan results');
    const out: ScanResult[] = [];
    for (const p of parts) {
      if (p.bss === undefined) continue;
      const r = parseBss(p.bss);
      if (r !== undefined) out.push(r);
    }
    this.capabilities = new Map(out.map((r) => [r.bssid, r.capability]));
    this.log.debug(`nl80211: scan found ${out.length} BSS`);
    return out;
  }

  async connect(p: ConnectParams): Promise<ConnectResult> {
    this.requireOpen();
    const bssid = macAddress(p.bssid);
    if (isGroupAddress(bssid)) throw new DriverError('BAD_CONFIG', `${bssid} is a group address`);
    if (p.ssid.length === 0 || p.ssid.length > SSID_MAX_LEN) throw new DriverError('BAD_CONFIG', `SSID of ${p.ssid.length} octets`);
    if (this.pending !== undefined) throw new DriverError('BUSY', `${this.conn.ifname}: a connection attempt is under way`);
    if (this.current !== undefined) await this.disconnect(ReasonCode.DEAUTH_LEAVING);
    const freq = channelFreq(p.channel);
    if (freq === 0) throw new DriverError('BAD_CONFIG', `channel ${p.channel} is not a 2.4 or 5 GHz channel`);
    const fourAddr = p.fourAddr ?? false;
    if (fourAddr !== this.fourAddr) {
      await setInterface(this.conn, { fourAddr });
      this.fourAddr = fourAddr;
    }
    const elements = p.elements ?? [];
    const msg: Nl80211Message = {
      mac: Buffer.from(macToBytes(bssid)),
      ssid: Buffer.from(p.ssid),
      wiphyFreq: freq,
      authType: AUTHTYPE_OPEN_SYSTEM,
      socketOwner: true,
      controlPortOverNl80211: true,
      controlPortEthertype: u16le(ETHERTYPE_EAPOL),
      ...crypto(elements, this.conn.ifname),
    };
    // wpa_supplicant's WPS_MODE_PRIVACY: an association (WPS too) with a BSS that sets Privacy says so, or cfg80211 finds no such BSS.
    if (((p.capability ?? this.capabilities.get(bssid) ?? 0) & CapabilityInfo.PRIVACY) !== 0) msg.privacy = true;
    if (elements.length > 0) msg.ie = Buffer.from(buildElements(elements));
    const result = new Promise<ConnectResult>((resolve) => {
      this.pending = { bssid, aid: 0, authenticated: false, fourAddr, resolve };
    });
    const timer = setTimeout(() => this.settle({ ok: false, bssid, stage: 'association', reason: 'no answer from the kernel to CONNECT' }), NL80211_CONNECT_TIMEOUT_MS);
    try {
      await this.conn.request(Nl80211Cmd.CONNECT, msg, `connecting to ${bssid}`);
    } catch (err) {
      clearTimeout(timer);
      this.pending = undefined;
      if (err instanceof DriverError && err.code === 'BUSY') {
        throw new DriverError('BUSY', `${this.conn.ifname} is busy: already connecting or connected (another wpa_supplicant?)`);
      }
      throw err;
    }
    const r = await result;
    clearTimeout(timer);
    return r;
  }

  async disconnect(reason: number = ReasonCode.DEAUTH_LEAVING): Promise<void> {
    const c = this.current;
    if (c === undefined) throw new DriverError('NOT_CONNECTED', `${this.conn.ifname}: not associated`);
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.disconnectWaiter = undefined;
        resolve();
      }, NL80211_DISCONNECT_WAIT_MS);
      this.disconnectWaiter = () => {
        clearTimeout(timer);
        this.disconnectWaiter = undefined;
        resolve();
      };
    });
    try {
      await this.conn.request(Nl80211Cmd.DISCONNECT, { reasonCode: reason }, `disconnecting from ${c.bssid}`);
      await gone;
    } catch (err) {
      this.disconnectWaiter?.();
      if (!(err instanceof DriverError) || err.code !== 'NOT_CONNECTED') throw err;
    }
    // No DISCONNECT event came (or the kernel had already dropped it): report it here, once.
    if (this.current === c) this.lost(c, reason, true);
  }

  async sendMgmt(frame: ManagementFrame | Uint8Array): Promise<void> {
    this.requireOpen();
    await sendFrame(this.conn, frame instanceof Uint8Array ? frame : buildFrame(frame));
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    this.requireOpen();
    const to = macAddress(dst);
    const peer = this.current?.bssid ?? this.pending?.bssid;
    if (peer !== to) throw new DriverError('NOT_CONNECTED', `${this.conn.ifname}: not associated with ${dst}`);
    // Encrypted once the pairwise key is in (the 4-way handshake's message 4 of a rekey, the group key handshake).
    await sendControlPortFrame(this.conn, to, eapol, this.current?.pairwiseKey !== true);
  }

  async installKey(k: KeyInstall): Promise<void> {
    this.requireOpen();
    checkKeyInstall(k, NL80211_STA_CIPHERS);
    const c = this.current;
    if (k.type === 'pairwise' && (c === undefined || k.addr === undefined || macAddress(k.addr) !== c.bssid)) {
      throw new DriverError('NOT_CONNECTED', `${this.conn.ifname}: no association with ${k.addr ?? '?'} for a pairwise key`);
    }
    await installKey(this.conn, k);
    if (k.type === 'pairwise' && c !== undefined) c.pairwiseKey = true;
  }

  async setPortAuthorized(authorized: boolean): Promise<void> {
    this.requireOpen();
    const c = this.current;
    if (c === undefined) throw new DriverError('NOT_CONNECTED', `${this.conn.ifname}: not associated`);
    await setAuthorized(this.conn, c.bssid, authorized);
    c.authorized = authorized;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = this.current;
    if (c !== undefined) await this.conn.request(Nl80211Cmd.DISCONNECT, { reasonCode: ReasonCode.DEAUTH_LEAVING }, 'disconnecting').catch(() => undefined);
    if (this.fourAddr) await setInterface(this.conn, { fourAddr: false }).catch(() => undefined);
    this.scanWaiter?.(false);
    this.settle({ ok: false, bssid: this.pending?.bssid ?? '', stage: 'association', reason: 'driver closed' });
    this.unsubscribe();
    // Closing the socket also undoes what it owned (connection, registrations).
    this.conn.close();
    this.current = undefined;
  }

  private requireOpen(): void {
    if (this.closed) throw new DriverError('LINK_DOWN', `${this.conn.ifname}: driver closed`);
  }

  private settle(r: ConnectResult): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    p.resolve(r);
  }

  private lost(c: Association, reason: number, locallyGenerated: boolean): void {
    this.current = undefined;
    this.events.emit({ type: 'disconnected', bssid: c.bssid, reason, locallyGenerated });
  }

  private onKernelEvent(e: Nl80211Event): void {
    const m = e.msg;
    switch (e.cmd) {
      case Nl80211Cmd.NEW_SCAN_RESULTS:
        this.scanWaiter?.(true);
        return;
      case Nl80211Cmd.SCAN_ABORTED:
        this.scanWaiter?.(false);
        return;
      case Nl80211Cmd.AUTHENTICATE:
        if (this.pending !== undefined && m.timedOut === undefined) this.pending.authenticated = true;
        return;
      case Nl80211Cmd.ASSOCIATE:
        this.onAssociateFrame(m.frame);
        return;
      case Nl80211Cmd.CONNECT:
        this.onConnectResult(m);
        return;
      case Nl80211Cmd.DISCONNECT: {
        const c = this.current;
        this.disconnectWaiter?.();
        if (c === undefined) return;
        const bssid = m.mac !== undefined && m.mac.length === 6 ? macFromBytes(m.mac) : c.bssid;
        if (bssid !== c.bssid) return;
        this.log.info(`nl80211: disconnected from ${c.bssid} (reason ${m.reasonCode ?? 0}${m.disconnectedByAp === true ? ', by the AP' : ''})`);
        this.lost(c, m.reasonCode ?? ReasonCode.UNSPECIFIED, m.disconnectedByAp !== true);
        return;
      }
      case Nl80211Cmd.CONTROL_PORT_FRAME:
        this.onControlPortFrame(m);
        return;
      case Nl80211Cmd.FRAME:
        this.onFrame(m.frame);
        return;
      default:
        return;
    }
  }

  /** The Association Response cfg80211 reports before CONNECT: its AID. */
  private onAssociateFrame(raw: Buffer | undefined): void {
    const p = this.pending;
    if (p === undefined || raw === undefined) return;
    try {
      const f = parseFrame(raw);
      if (f.kind === 'management' && (f.body.subtype === 'association-response' || f.body.subtype === 'reassociation-response')) p.aid = f.body.aid & 0x3fff;
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
    }
  }

  private onConnectResult(m: Nl80211Message): void {
    const p = this.pending;
    if (p === undefined) return;
    const bssid = m.mac !== undefined && m.mac.length === 6 ? macFromBytes(m.mac) : p.bssid;
    const status = m.statusCode ?? 1;
    if (status !== 0 || m.timedOut === true) {
      const authStage = !p.authenticated || m.timeoutReason === TIMEOUT_AUTH || m.timeoutReason === 'AUTH';
      const stage = authStage ? 'authentication' : 'association';
      const why = m.timeoutReason !== undefined ? ` (timeout reason ${String(m.timeoutReason)})` : '';
      const reason = m.timedOut === true ? `${stage} timed out${why}` : `${stage} refused with status ${status}`;
      this.log.info(`nl80211: connection to ${bssid} failed: ${reason}`);
      this.settle(m.timedOut === true ? { ok: false, bssid, stage, reason } : { ok: false, bssid, stage, status, reason });
      return;
    }
    let elements: Element[] = [];
    try {
      elements = m.respIe !== undefined ? parseElements(m.respIe) : [];
    } catch (err) {
      if (!(err instanceof ElementError)) throw err;
    }
    this.current = { bssid, aid: p.aid, fourAddr: p.fourAddr, authorized: false, pairwiseKey: false };
    this.log.info(`nl80211: associated with ${bssid} (AID ${p.aid})`);
    this.events.emit({ type: 'associated', bssid, aid: p.aid, elements });
    this.settle({ ok: true, bssid, aid: p.aid, elements });
  }

  private onControlPortFrame(m: Nl80211Message): void {
    if (m.frame === undefined || m.mac === undefined || m.mac.length !== 6) return;
    if (m.controlPortEthertype !== undefined && m.controlPortEthertype.length >= 2 && m.controlPortEthertype.readUInt16LE(0) !== ETHERTYPE_EAPOL) return;
    const src = macFromBytes(m.mac);
    this.events.emit({ type: 'rx-eapol', src, eapol: new Uint8Array(m.frame), fourAddr: this.current?.fourAddr ?? this.pending?.fourAddr ?? false });
  }

  private onFrame(raw: Buffer | undefined): void {
    if (raw === undefined) return;
    try {
      const f = parseFrame(raw);
      if (f.kind === 'management') this.events.emit({ type: 'rx-mgmt', frame: f, raw: new Uint8Array(raw) });
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      this.log.debug(`nl80211: unparsable management frame: ${err.message}`);
    }
  }
}

/** CONNECT's crypto attributes from the RSN element the daemon puts in the Association Request; none for an open / WPS association. */
function crypto(elements: readonly Element[], ifname: string): Nl80211Message {
  const rsnIe = findElement(elements, ElementId.RSN);
  if (rsnIe === undefined) return {};
  let rsn;
  try {
    rsn = parseRsnElement(rsnIe.data);
  } catch (err) {
    throw new DriverError('BAD_CONFIG', `${ifname}: the RSN element to connect with is malformed: ${(err as Error).message}`);
  }
  const pairwise = rsn.pairwiseCiphers?.[0] ?? RsnCipher.CCMP_128;
  const akm = rsn.akmSuites?.[0] ?? RsnAkm.PSK;
  return {
    privacy: true,
    wpaVersions: WPA_VERSION_2 as never,
    cipherSuitesPairwise: pairwise,
    cipherSuiteGroup: rsn.groupCipher ?? RsnCipher.CCMP_128,
    akmSuites: akm,
    controlPort: true,
  };
}

export { crypto as connectCryptoAttrs };
