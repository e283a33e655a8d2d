/**
 * driver=wired on the AP (hostapd's driver_wired): an IEEE 802.1X
 * authenticator port on an Ethernet interface. There is no 802.11 MLME on a
 * wire: no beacons, no probe responses, no authentication or association
 * frames, no keys. A station is whoever sends an EAPOL frame: the first
 * frame from an unknown source is reported as 'new-sta' (hostapd
 * EVENT_NEW_STA, "Data frame from unknown STA - adding a new STA") before
 * its 'rx-eapol'; the daemon then adds it with addStation(). EAPOL to a
 * station goes to its own address, or to the PAE group address with
 * use_pae_group_addr=1 (hostapd wired_send_eapol).
 *
 * The AP parameters (SSID, elements) are kept for inspection only: a wired
 * port advertises nothing. sendMgmt() is refused (there is no management
 * frame on Ethernet) and so is installKey() (hostapd's wired driver has no
 * set_key; WPS ends with EAP-Failure and needs no key).
 *
 * API:
 *   WiredApDriver.open({ ifname, address, usePaeGroupAddr?, maxStations?, logger? }): Promise<WiredApDriver>
 */
import { type Logger, silentLogger } from '../../common/log.js';
import {
  DriverError,
  DriverEvents,
  type AddStationParams,
  type ApDriver,
  type ApParams,
  type DriverListener,
  type KeyInstall,
  type StationInfo,
} from '../driver.js';
import type { Element } from '../elements.js';
import type { ManagementFrame } from '../frame.js';
import { isGroupAddress, macAddress, type MacAddress } from '../mac.js';
import { EapolPort, EapolPortError, PAE_GROUP_ADDRESS, type EapolFrameIn } from './eapol-port.js';

/** Stations one wired port keeps (hostapd's max_num_sta default is 2007; the daemon's MLME bounds it further). */
export const WIRED_MAX_STATIONS = 2007;

export interface WiredApDriverOptions {
  ifname: string;
  /** The interface's own MAC address (hostapd reads it with SIOCGIFHWADDR). */
  address: MacAddress;
  /** hostapd use_pae_group_addr: send EAPOL to 01:80:c2:00:00:03 rather than to the station. */
  usePaeGroupAddr?: boolean;
  maxStations?: number;
  logger?: Logger;
  /** Tests: a port other than the AF_PACKET one. */
  openPort?: (ifname: string, onFrame: (f: EapolFrameIn) => void) => Pick<EapolPort, 'send' | 'close'>;
}

export class WiredApDriver implements ApDriver {
  readonly driverName = 'wired' as const;
  readonly address: MacAddress;
  private readonly events: DriverEvents;
  private readonly table = new Map<MacAddress, StationInfo>();
  private readonly log: Logger;
  private port: Pick<EapolPort, 'send' | 'close'> | undefined;
  private params: ApParams | undefined;

  private constructor(private readonly opts: WiredApDriverOptions) {
    this.address = macAddress(opts.address);
    this.log = opts.logger ?? silentLogger;
    this.events = new DriverEvents((err) => this.log.error(`wired: event listener failed: ${(err as Error).message}`));
  }

  static async open(opts: WiredApDriverOptions): Promise<WiredApDriver> {
    const d = new WiredApDriver(opts);
    const open = opts.openPort ?? ((ifname, onFrame) => EapolPort.open(ifname, onFrame));
    try {
      d.port = open(opts.ifname, (f) => d.onFrame(f));
    } catch (e) {
      if (e instanceof EapolPortError) throw new DriverError('NOT_AVAILABLE', e.message);
      throw e;
    }
    d.log.debug(`wired: ${opts.ifname}: EAPOL port open (EtherType 0x888e, PAE group address ${PAE_GROUP_ADDRESS})`);
    return d;
  }

  /** The parameters startAp() was given (nothing of them goes on the wire). */
  get apParams(): ApParams | undefined {
    return this.params;
  }

  onEvent(listener: DriverListener): () => void {
    return this.events.on(listener);
  }

  sendMgmt(_frame: ManagementFrame | Uint8Array): Promise<void> {
    return Promise.reject(new DriverError('NOT_SUPPORTED', 'driver=wired has no 802.11 management frames'));
  }

  async sendEapol(dst: MacAddress, eapol: Uint8Array): Promise<void> {
    const port = this.port;
    if (port === undefined) throw new DriverError('NOT_STARTED', 'the EAPOL port is closed');
    try {
      port.send(this.opts.usePaeGroupAddr === true ? PAE_GROUP_ADDRESS : dst, this.address, eapol);
    } catch (e) {
      if (e instanceof EapolPortError) throw new DriverError('LINK_DOWN', e.message);
      throw e;
    }
  }

  installKey(_key: KeyInstall): Promise<void> {
    return Promise.reject(new DriverError('NOT_SUPPORTED', 'driver=wired installs no keys'));
  }

  async startAp(params: ApParams): Promise<void> {
    this.params = { ...params };
  }

  async setApElements(update: { beaconElements?: Element[]; probeResponseElements?: Element[] }): Promise<void> {
    if (this.params === undefined) throw new DriverError('NOT_STARTED', 'the AP is not started');
    this.params = { ...this.params, ...update };
  }

  async stopAp(): Promise<void> {
    this.params = undefined;
    for (const addr of [...this.table.keys()]) this.drop(addr, 3, false);
  }

  async addStation(addr: MacAddress, params: AddStationParams): Promise<void> {
    if (!this.table.has(addr) && this.table.size >= (this.opts.maxStations ?? WIRED_MAX_STATIONS)) {
      throw new DriverError('BUSY', `station table full (${this.table.size})`);
    }
    this.table.set(addr, { ...params, addr, authorized: false });
    this.events.emit({ type: 'station-associated', addr, aid: params.aid, fourAddr: false });
  }

  async removeStation(addr: MacAddress, reason = 3): Promise<void> {
    if (!this.table.has(addr)) throw new DriverError('UNKNOWN_STATION', `no station ${addr}`);
    this.drop(addr, reason, false);
  }

  stations(): StationInfo[] {
    return [...this.table.values()].map((s) => ({ ...s }));
  }

  async setStationAuthorized(addr: MacAddress, authorized: boolean): Promise<void> {
    const s = this.table.get(addr);
    if (s === undefined) throw new DriverError('UNKNOWN_STATION', `no station ${addr}`);
    s.authorized = authorized;
  }

  groupKeySequence(_keyIndex: number): Promise<Uint8Array> {
    return Promise.reject(new DriverError('NOT_SUPPORTED', 'driver=wired has no group key'));
  }

  async close(): Promise<void> {
    this.port?.close();
    this.port = undefined;
    this.table.clear();
  }

  private drop(addr: MacAddress, reason: number, byPeer: boolean): void {
    if (!this.table.delete(addr)) return;
    this.events.emit({ type: 'station-disassociated', addr, reason, byPeer });
  }

  private onFrame(f: EapolFrameIn): void {
    // hostapd takes any source; a group source address is no station.
    if (isGroupAddress(f.src) || f.src === this.address) return;
    if (!this.table.has(f.src)) this.events.emit({ type: 'new-sta', addr: f.src });
    this.events.emit({ type: 'rx-eapol', src: f.src, eapol: f.eapol, fourAddr: false });
  }
}
