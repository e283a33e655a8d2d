/**
 * One nl80211 session for one interface, on the `netlink` package's
 * createNl80211(): a control socket (requests, multicast events, and the
 * unicast frames the kernel sends to the socket that owns a registration or
 * a connection: FRAME, CONTROL_PORT_FRAME) and a separate dump socket
 * (GET_SCAN, GET_INTERFACE, GET_WIPHY), because the package groups a dump's
 * parts by arrival and an event arriving mid-dump would cut it short.
 *
 * Socket-owner semantics: commands sent with NL80211_ATTR_SOCKET_OWNER
 * (CONNECT, START_AP) and every REGISTER_FRAME belong to the control socket;
 * when the process dies, even by SIGKILL, the kernel closes it and undoes
 * them (disconnects, stops the AP, drops registrations).
 */
import { type Logger, silentLogger } from '../../common/log.js';
import { DriverError } from '../driver.js';
import { probeNl80211 } from './driver.js';
import { errnoName, nl80211Failure } from './errors.js';
import { existingIfindex, interfaceIndex, setLinkAddress } from './links.js';

export { interfaceIndex };

/** The package's types, imported lazily: the native addon loads only when nl80211 is asked for. */
export type NetlinkModule = typeof import('netlink');
export type Nl80211Message = import('netlink').nl80211.Message;
export type Nl80211Socket = import('netlink').Nl80211Socket;

/** Commands by number (linux/nl80211.h), the ones wpsd sends or listens for. */
export const Nl80211Cmd = {
  GET_WIPHY: 1,
  GET_INTERFACE: 5,
  GET_KEY: 9,
  SET_INTERFACE: 6,
  NEW_INTERFACE: 7,
  DEL_INTERFACE: 8,
  NEW_KEY: 11,
  SET_KEY: 10,
  DEL_KEY: 12,
  SET_BEACON: 14,
  START_AP: 15,
  STOP_AP: 16,
  SET_STATION: 18,
  NEW_STATION: 19,
  DEL_STATION: 20,
  GET_SCAN: 32,
  TRIGGER_SCAN: 33,
  NEW_SCAN_RESULTS: 34,
  SCAN_ABORTED: 35,
  AUTHENTICATE: 37,
  ASSOCIATE: 38,
  DEAUTHENTICATE: 39,
  DISASSOCIATE: 40,
  CONNECT: 46,
  ROAM: 47,
  DISCONNECT: 48,
  REGISTER_FRAME: 58,
  FRAME: 59,
  FRAME_TX_STATUS: 60,
  SET_CHANNEL: 65,
  UNEXPECTED_FRAME: 83,
  CONN_FAILED: 91,
  CONTROL_PORT_FRAME: 129,
} as const;
export type Nl80211CmdNumber = (typeof Nl80211Cmd)[keyof typeof Nl80211Cmd];

/** nl80211 multicast groups wpsd joins. */
export const Nl80211Group = { MLME: 'mlme', SCAN: 'scan', CONFIG: 'config' } as const;

/** How long a request may wait for the kernel's answer. */
export const NL80211_REQUEST_TIMEOUT_MS = 5_000;

export interface Nl80211Event {
  cmd: number;
  msg: Nl80211Message;
}
export type Nl80211Listener = (e: Nl80211Event) => void;

export interface WirelessInterface {
  ifname: string;
  ifindex: number;
  wiphy: number;
  wdev: bigint;
  mac: string;
  iftype: string;
  /** 4-address mode (NL80211_ATTR_4ADDR). */
  fourAddr: boolean;
  /** The SSID the interface currently beacons (AP) or is connected to (station), when the kernel reports one. */
  ssid?: Buffer;
}

async function loadNetlink(): Promise<NetlinkModule> {
  try {
    const imported = (await import('netlink')) as NetlinkModule & { default?: NetlinkModule };
    return typeof imported.createNl80211 === 'function' ? imported : (imported.default as NetlinkModule);
  } catch (err) {
    throw new DriverError('NOT_AVAILABLE', `cannot load the netlink module: ${(err as Error).message}`);
  }
}

function macText(b: Buffer | undefined): string {
  return b === undefined ? '' : [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Creating a missing interface on another interface's wiphy (a bss= section's AP interface). */
export interface NewInterfaceRequest {
  /** An existing interface of the wiphy to create it on. */
  wiphyOf: string;
  iftype: 'AP';
  /** Its MAC address (the BSSID), set before it goes up. */
  mac?: string;
}

export class Nl80211Connection {
  private readonly listeners = new Set<Nl80211Listener>();
  /** Interfaces besides this one whose events are this session's (its AP/VLAN interfaces). */
  private readonly adopted = new Set<number>();
  private closed = false;
  /** This session created the interface (NEW_INTERFACE with SOCKET_OWNER): it goes when the session does. */
  created = false;

  private constructor(
    readonly mod: NetlinkModule,
    private readonly ctl: Nl80211Socket,
    private readonly dumper: Nl80211Socket,
    private readonly groups: Map<string, number>,
    readonly iface: WirelessInterface,
    private readonly log: Logger,
  ) {
    ctl.socket.on('message', (msgs: unknown[]) => {
      for (const m of msgs as Array<{ family?: number; cmd?: number; data?: Buffer }>) {
        if (m.cmd === undefined || m.data === undefined) continue;
        let msg: Nl80211Message;
        try {
          msg = mod.nl80211.parseMessage(m.data);
        } catch (err) {
          this.log.debug(`nl80211: unparsable event ${m.cmd}: ${(err as Error).message}`);
          continue;
        }
        // Events of other interfaces (scan and mlme groups are per wiphy namespace) are not ours.
        if (msg.ifindex !== undefined && msg.ifindex !== this.iface.ifindex && !this.adopted.has(msg.ifindex)) continue;
        for (const l of [...this.listeners]) {
          try {
            l({ cmd: m.cmd, msg });
          } catch (err) {
            this.log.error(`nl80211: event listener failed: ${(err as Error).message}`);
          }
        }
      }
    });
    ctl.socket.socket.on('error', (err) => this.log.info(`nl80211: socket error: ${err.message}`));
    dumper.socket.socket.on('error', (err) => this.log.info(`nl80211: dump socket error: ${err.message}`));
  }

  /**
   * Opens nl80211 for `ifname`: the family (or the clear "not available"
   * message), then the interface, refused with a message naming it when it
   * does not exist or is not a wireless interface.
   */
  static async open(ifname: string, logger: Logger = silentLogger, create?: NewInterfaceRequest): Promise<Nl80211Connection> {
    await probeNl80211();
    const mod = await loadNetlink();
    let ctl: Nl80211Socket | undefined;
    let dumper: Nl80211Socket | undefined;
    try {
      ctl = await mod.createNl80211({ ref: true } as never);
      dumper = await mod.createNl80211();
      const fam = await ctl.socket.ctrlRequest(mod.genl.Commands.GET_FAMILY, { familyName: 'nl80211' }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
      const groups = new Map<string, number>();
      for (const g of fam[0]?.mcastGroups ?? []) if (g.name !== undefined && g.id !== undefined) groups.set(g.name, g.id);
      let made = false;
      if (create !== undefined && existingIfindex(ifname) === undefined) {
        await createInterface(mod, ctl, dumper, ifname, create);
        made = true;
      }
      const iface = await findInterface(dumper, ifname);
      const conn = new Nl80211Connection(mod, ctl, dumper, groups, iface, logger);
      conn.created = made;
      if (made) logger.info(`nl80211: created ${iface.iftype} interface ${ifname} (ifindex ${iface.ifindex}, phy${iface.wiphy}, ${iface.mac})`);
      return conn;
    } catch (err) {
      ctl?.socket.socket.close();
      dumper?.socket.socket.close();
      if (err instanceof DriverError) throw err;
      throw new DriverError('NOT_AVAILABLE', `${ifname}: nl80211: ${(err as Error).message}`);
    }
  }

  get ifindex(): number {
    return this.iface.ifindex;
  }

  get ifname(): string {
    return this.iface.ifname;
  }

  /** Events of `ifindex` (an AP/VLAN interface of this BSS) are this session's too, until released. */
  adopt(ifindex: number): void {
    this.adopted.add(ifindex);
  }

  release(ifindex: number): void {
    this.adopted.delete(ifindex);
  }

  /** Whether an event of `ifindex` belongs to this session. */
  owns(ifindex: number): boolean {
    return ifindex === this.iface.ifindex || this.adopted.has(ifindex);
  }

  /** A command on the control socket naming another interface by its ifindex (an AP/VLAN interface). */
  async requestOn(ifindex: number, cmd: Nl80211CmdNumber, msg: Nl80211Message, what: string): Promise<Nl80211Message[]> {
    if (this.closed) throw new DriverError('LINK_DOWN', `${this.ifname}: nl80211 session closed`);
    try {
      return await this.ctl.request(cmd as never, { ...msg, ifindex }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
    } catch (err) {
      throw nl80211Failure(this.ifname, what, err);
    }
  }

  /** Joins nl80211 multicast groups (mlme, scan, ...). */
  subscribe(...names: string[]): void {
    for (const n of names) {
      const id = this.groups.get(n);
      if (id === undefined) throw new DriverError('NOT_SUPPORTED', `${this.ifname}: the kernel's nl80211 has no "${n}" multicast group`);
      this.ctl.socket.socket.addMembership(id);
    }
  }

  onEvent(l: Nl80211Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * A command on the control socket (the owner of CONNECT, START_AP and frame
   * registrations), with this interface's ifindex; rejects with a DriverError
   * whose message names the interface and the command's purpose.
   */
  async request(cmd: Nl80211CmdNumber, msg: Nl80211Message, what: string): Promise<Nl80211Message[]> {
    if (this.closed) throw new DriverError('LINK_DOWN', `${this.ifname}: nl80211 session closed`);
    try {
      return await this.ctl.request(cmd as never, { ifindex: this.ifindex, ...msg }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
    } catch (err) {
      throw nl80211Failure(this.ifname, what, err);
    }
  }

  /** A dump (GET_SCAN, GET_STATION, ...) on the dump socket. */
  async dump(cmd: Nl80211CmdNumber, msg: Nl80211Message, what: string): Promise<Nl80211Message[]> {
    if (this.closed) throw new DriverError('LINK_DOWN', `${this.ifname}: nl80211 session closed`);
    try {
      return await this.dumper.request(cmd as never, { ifindex: this.ifindex, ...msg }, { flags: this.mod.FlagsGet.DUMP, timeout: NL80211_REQUEST_TIMEOUT_MS });
    } catch (err) {
      throw nl80211Failure(this.ifname, what, err);
    }
  }

  /** The interface as the kernel describes it now (type, 4addr, SSID). */
  async refresh(): Promise<WirelessInterface> {
    return findInterface(this.dumper, this.ifname);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.ctl.socket.socket.close();
    this.dumper.socket.socket.close();
  }
}

/**
 * NEW_INTERFACE on the wiphy of `req.wiphyOf`, owned by the control socket
 * (NL80211_ATTR_SOCKET_OWNER, as hostapd's if_add: the kernel removes it when
 * the process ends, even by SIGKILL), then its MAC address over rtnetlink
 * while it is still down.
 */
async function createInterface(mod: NetlinkModule, ctl: Nl80211Socket, dumper: Nl80211Socket, ifname: string, req: NewInterfaceRequest): Promise<void> {
  if (!/^[^/\s]{1,15}$/.test(ifname)) throw new DriverError('BAD_CONFIG', `"${ifname}" is not an interface name (1 to 15 characters)`);
  const parent = await findInterface(dumper, req.wiphyOf);
  try {
    await ctl.request(Nl80211Cmd.NEW_INTERFACE as never, { wiphy: parent.wiphy, ifname, iftype: req.iftype, socketOwner: true }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
  } catch (err) {
    throw nl80211Failure(ifname, `creating it on phy${parent.wiphy}`, err);
  }
  if (req.mac !== undefined) await setLinkAddress(mod, ifname, req.mac);
}

/** GET_INTERFACE for `ifname`: no such interface, or not a wireless one, is a DriverError naming it. */
async function findInterface(sock: Nl80211Socket, ifname: string): Promise<WirelessInterface> {
  const ifindex = interfaceIndex(ifname);
  let parts: Nl80211Message[];
  try {
    parts = await sock.request(Nl80211Cmd.GET_INTERFACE as never, { ifindex }, { timeout: NL80211_REQUEST_TIMEOUT_MS });
  } catch (err) {
    // cfg80211 answers ENODEV for a netdev that has no wireless_dev.
    if (errnoName(err) === 'ENODEV') throw new DriverError('BAD_CONFIG', `${ifname} is not a wireless interface (no cfg80211 device behind it)`);
    throw nl80211Failure(ifname, 'reading the interface', err);
  }
  const m = parts.find((p) => p.ifindex === ifindex);
  if (m === undefined || m.wiphy === undefined || m.wdev === undefined) throw new DriverError('BAD_CONFIG', `${ifname} is not a wireless interface`);
  const iface: WirelessInterface = { ifname, ifindex, wiphy: m.wiphy, wdev: m.wdev, mac: macText(m.mac), iftype: String(m.iftype ?? 'UNSPECIFIED'), fourAddr: m._4addr === 1 };
  if (m.ssid !== undefined && m.ssid.length > 0) iface.ssid = m.ssid;
  return iface;
}
