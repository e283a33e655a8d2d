/**
 * Whether the peers of a control socket have read what we sent them, asked
 * of the kernel with one sock_diag dump of the UNIX sockets (NETLINK_SOCK_DIAG,
 * SOCK_DIAG_BY_FAMILY, as `ss -x` does). For a datagram socket the kernel
 * reports the length of the first waiting datagram: 0 means its receive
 * queue is empty, i.e. it has read everything.
 *
 * The same dump gives our own socket's send-buffer use (SK_MEMINFO_WMEM_ALLOC):
 * every datagram we sent that some peer has not read yet is charged there,
 * whatever namespace that peer is in, so it is the one view of peers that
 * sock_diag cannot name.
 *
 * API:
 *   PeerQueues.open(): Promise<PeerQueues | undefined>   undefined where sock_diag is unavailable
 *     .check(addresses, own?): Promise<{ peers: Map<address, 'empty' | 'queued' | 'unknown'>, own?: { wmem, sndbuf } }>
 *     .close()
 *   parseUnixDiag(messages): Array<{ name, rqueue, wmem?, sndbuf? }>   (exported for tests)
 *   datagramTruesize(length): bytes one datagram of that length is charged
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_DUMP = 0x300;
const AF_UNIX = 1;
const UDIAG_SHOW_NAME = 0x01;
const UDIAG_SHOW_MEMINFO = 0x20;
const UDIAG_SHOW_RQLEN = 0x10;
const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_RQLEN = 4;
const UNIX_DIAG_MEMINFO = 5;
/** Indexes in the u32 array of UNIX_DIAG_MEMINFO (SK_MEMINFO_*). */
const SK_MEMINFO_WMEM_ALLOC = 2;
const SK_MEMINFO_SNDBUF = 3;
/** struct unix_diag_msg: family, type, state, pad, ino, cookie[2]. */
const UNIX_DIAG_MSG_LEN = 16;
/** A dump that does not answer within this time counts as no answer (the peers stay unconfirmed). */
const DIAG_TIMEOUT_MS = 1000;

/**
 * 'unknown': no socket of that name in our network namespace. A peer in
 * another namespace (a client in the host's namespace talking to a daemon in
 * its own, through the filesystem) is invisible to sock_diag, so this says
 * nothing about whether it is gone.
 */
export type PeerQueueState = 'empty' | 'queued' | 'unknown';

interface NetlinkSocketLike {
  request(type: number, data: Uint8Array, options?: { flags?: number; timeout?: number }): Promise<[Array<{ data: Buffer }>, unknown]>;
  close(): void;
  unref(): void;
}

export interface UnixDiagEntry {
  name: string;
  /** Length of the first datagram waiting to be read (0: none). */
  rqueue: number;
  /** Bytes of sent datagrams not yet read by their receivers, and the limit (SO_SNDBUF). */
  wmem?: number;
  sndbuf?: number;
}

/** The send-buffer charge of one datagram (its skb's truesize): the data and skb_shared_info in a power-of-two allocation of at least 512 bytes, plus the sk_buff. Measured on Linux 6.1: 768 bytes up to 192 bytes of data, 1280 up to 704, 2304 up to 1728. */
export function datagramTruesize(length: number): number {
  const SHARED_INFO = 320;
  const SK_BUFF = 256;
  let alloc = 512;
  while (alloc < length + SHARED_INFO) alloc *= 2;
  return alloc + SK_BUFF;
}

/** Name, first-datagram length and memory of every UNIX socket in a sock_diag dump. */
export function parseUnixDiag(messages: ReadonlyArray<{ data: Buffer }>): UnixDiagEntry[] {
  const out: UnixDiagEntry[] = [];
  for (const m of messages) {
    const d = m.data;
    if (d.length < UNIX_DIAG_MSG_LEN || d[0] !== AF_UNIX) continue;
    let name: string | undefined;
    let rqueue: number | undefined;
    let mem: { wmem: number; sndbuf: number } | undefined;
    for (let off = UNIX_DIAG_MSG_LEN; off + 4 <= d.length; ) {
      const len = d.readUInt16LE(off);
      const type = d.readUInt16LE(off + 2);
      if (len < 4 || off + len > d.length) break;
      const v = d.subarray(off + 4, off + len);
      if (type === UNIX_DIAG_NAME) name = v.toString('latin1');
      else if (type === UNIX_DIAG_RQLEN && v.length >= 4) rqueue = v.readUInt32LE(0);
      else if (type === UNIX_DIAG_MEMINFO && v.length >= 4 * (SK_MEMINFO_SNDBUF + 1))
        mem = { wmem: v.readUInt32LE(4 * SK_MEMINFO_WMEM_ALLOC), sndbuf: v.readUInt32LE(4 * SK_MEMINFO_SNDBUF) };
      off += (len + 3) & ~3;
    }
    if (name === undefined || rqueue === undefined) continue;
    // A path name comes with the NULs of sun_path; an abstract one starts with NUL.
    out.push({ name: name.startsWith('\0') ? `@${name.slice(1)}` : name.replace(/\0+$/, ''), rqueue, ...mem });
  }
  return out;
}

const requireNetlink = createRequire(import.meta.url);

/**
 * The netlink package's raw socket only: its index also loads the nl80211,
 * rtnetlink and WireGuard message tables (~5 MiB of resident memory every
 * daemon with a control socket would carry; bench/README.md). Should a later
 * version move the file, the index is loaded instead.
 */
function loadCreateNetlink(): ((protocol: number) => NetlinkSocketLike) | undefined {
  for (const id of ['netlink/dist/netlink.js', 'netlink']) {
    try {
      const mod = requireNetlink(id) as { createNetlink?: (p: number) => NetlinkSocketLike };
      if (typeof mod.createNetlink === 'function') return mod.createNetlink;
    } catch {
      // the next candidate
    }
  }
  return undefined;
}

export class PeerQueues {
  private constructor(private readonly sock: NetlinkSocketLike) {}

  static async open(): Promise<PeerQueues | undefined> {
    try {
      const create = loadCreateNetlink();
      if (create === undefined) return undefined;
      const sock = create(NETLINK_SOCK_DIAG);
      sock.unref();
      return new PeerQueues(sock);
    } catch {
      return undefined;
    }
  }

  /**
   * The receive-queue state of the sockets bound at `addresses` ('unknown'
   * when none is seen), and the send-buffer use of the socket bound at `own`.
   */
  async check(addresses: readonly string[], own?: string): Promise<{ peers: Map<string, PeerQueueState>; own?: { wmem: number; sndbuf: number } }> {
    const req = Buffer.alloc(24);
    req.writeUInt8(AF_UNIX, 0);
    req.writeUInt32LE(0xffffffff, 4); // every state
    req.writeUInt32LE(UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN | (own === undefined ? 0 : UDIAG_SHOW_MEMINFO), 12);
    req.writeUInt32LE(0xffffffff, 16); // no cookie
    req.writeUInt32LE(0xffffffff, 20);
    const [msgs] = await this.sock.request(SOCK_DIAG_BY_FAMILY, req, { flags: NLM_F_DUMP, timeout: DIAG_TIMEOUT_MS });
    const want = new Set(addresses);
    const found = new Map<string, PeerQueueState>();
    let mine: { wmem: number; sndbuf: number } | undefined;
    for (const s of parseUnixDiag(msgs)) {
      if (own !== undefined && s.name === own && s.wmem !== undefined && s.sndbuf !== undefined) mine = { wmem: s.wmem, sndbuf: s.sndbuf };
      if (!want.has(s.name)) continue;
      // Several sockets can carry a name (one unlinked but still open): any that holds data counts.
      if (found.get(s.name) !== 'queued') found.set(s.name, s.rqueue === 0 ? 'empty' : 'queued');
    }
    for (const a of addresses) if (!found.has(a)) found.set(a, 'unknown');
    return mine === undefined ? { peers: found } : { peers: found, own: mine };
  }

  close(): void {
    try {
      this.sock.close();
    } catch {
      // already closed
    }
  }
}
