/**
 * The station's configured networks, with the semantics of wpa_supplicant's
 * LIST_NETWORKS / ADD_NETWORK / SET_NETWORK / GET_NETWORK / REMOVE_NETWORK /
 * ENABLE_NETWORK / DISABLE_NETWORK / SELECT_NETWORK (wpa_supplicant/ctrl_iface.c).
 * Replies are the strings the control interface sends; a FAIL never changes
 * anything.
 */
import { printfEncode } from '../conf/values.js';
import {
  cloneNetwork,
  defaultNetwork,
  getNetworkFieldNoKey,
  setNetworkField,
  type NetworkBlock,
} from './config-network.js';
import { formatMac } from '../common/mac.js';

export type CtrlReply = 'OK' | 'FAIL';

/** Networks disabled for good by P2P (disabled=2) are left alone by enable/disable/select. */
const P2P_PERSISTENT = 2;

/** An upper bound so a client looping ADD_NETWORK cannot exhaust memory. */
export const MAX_NETWORKS = 4096;

export class NetworkTable {
  private readonly nets: NetworkBlock[];
  /** The network the station is associated with or trying to use ([CURRENT]). */
  currentId: number | undefined;
  /** Networks temporarily disabled after failures ([TEMP-DISABLED]). */
  readonly tempDisabled = new Set<number>();

  constructor(networks: readonly NetworkBlock[] = []) {
    this.nets = networks.map(cloneNetwork);
  }

  /** All networks in id order of creation (file order first). */
  list(): readonly NetworkBlock[] {
    return this.nets;
  }

  /** A network by id, or undefined. */
  network(id: number): NetworkBlock | undefined {
    return this.nets.find((n) => n.id === id);
  }

  /** ADD_NETWORK: a new disabled network with the defaults; id = highest id + 1. Returns -1 when full. */
  add(): number {
    if (this.nets.length >= MAX_NETWORKS) return -1;
    const id = this.nets.reduce((m, n) => Math.max(m, n.id), -1) + 1;
    const net = defaultNetwork(id);
    net.disabled = 1;
    this.nets.push(net);
    return id;
  }

  /** Appends a network built elsewhere (e.g. from a WPS credential); returns its id. */
  addNetwork(net: NetworkBlock): number {
    const id = this.nets.reduce((m, n) => Math.max(m, n.id), -1) + 1;
    this.nets.push({ ...cloneNetwork(net), id });
    return id;
  }

  /** SET_NETWORK <id> <name> <value>: value in file syntax ("quoted" strings, hex, names). */
  set(id: number, name: string, value: string): CtrlReply {
    const net = this.network(id);
    if (!net) return 'FAIL';
    return setNetworkField(net, name, value) === undefined ? 'OK' : 'FAIL';
  }

  /** GET_NETWORK <id> <name>: the value, "*" for a set key, or null (FAIL). */
  get(id: number, name: string): string | null {
    const net = this.network(id);
    if (!net) return null;
    return getNetworkFieldNoKey(net, name);
  }

  /** REMOVE_NETWORK <id>|all. */
  remove(id: number | 'all'): CtrlReply {
    if (id === 'all') {
      this.nets.length = 0;
      this.currentId = undefined;
      this.tempDisabled.clear();
      return 'OK';
    }
    const i = this.nets.findIndex((n) => n.id === id);
    if (i < 0) return 'FAIL';
    this.nets.splice(i, 1);
    if (this.currentId === id) this.currentId = undefined;
    this.tempDisabled.delete(id);
    return 'OK';
  }

  /** ENABLE_NETWORK <id>|all. */
  enable(id: number | 'all'): CtrlReply {
    if (id === 'all') {
      for (const n of this.nets) if (n.disabled !== P2P_PERSISTENT) this.enableOne(n);
      return 'OK';
    }
    const net = this.network(id);
    if (!net || net.disabled === P2P_PERSISTENT) return 'FAIL';
    this.enableOne(net);
    return 'OK';
  }

  private enableOne(net: NetworkBlock): void {
    net.disabled = 0;
    this.tempDisabled.delete(net.id);
  }

  /** DISABLE_NETWORK <id>|all. */
  disable(id: number | 'all'): CtrlReply {
    if (id === 'all') {
      for (const n of this.nets) if (n.disabled !== P2P_PERSISTENT) n.disabled = 1;
      return 'OK';
    }
    const net = this.network(id);
    if (!net || net.disabled === P2P_PERSISTENT) return 'FAIL';
    net.disabled = 1;
    return 'OK';
  }

  /** SELECT_NETWORK <id>|any: enable that one and disable the others (any: enable all). */
  select(id: number | 'any'): CtrlReply {
    let target: NetworkBlock | undefined;
    if (id !== 'any') {
      target = this.network(id);
      if (!target || target.disabled === P2P_PERSISTENT) return 'FAIL';
      this.tempDisabled.delete(target.id);
    }
    for (const n of this.nets) {
      if (n.disabled === P2P_PERSISTENT) continue;
      n.disabled = target ? (n.id === target.id ? 0 : 1) : 0;
    }
    return 'OK';
  }

  /**
   * LIST_NETWORKS [LAST_ID=<id>]: header, then "id\tssid\tbssid|any\tflags" per
   * network, each line ending in "\n".
   */
  listNetworksReply(lastId?: number): string {
    let s = 'network id / ssid / bssid / flags\n';
    for (const n of this.nets) {
      if (lastId !== undefined && lastId !== -1 && n.id <= lastId) continue;
      const flags =
        (n.id === this.currentId ? '[CURRENT]' : '') +
        (n.disabled !== 0 ? '[DISABLED]' : '') +
        (this.tempDisabled.has(n.id) ? '[TEMP-DISABLED]' : '') +
        (n.disabled === P2P_PERSISTENT ? '[P2P-PERSISTENT]' : '');
      s += `${n.id}\t${printfEncode(n.ssid ?? Buffer.alloc(0))}\t${n.bssid ? formatMac(n.bssid) : 'any'}\t${flags}\n`;
    }
    return s;
  }
}
