/**
 * Whether the peers of a control socket have read what we sent them, asked
 * of the kernel with one sock_diag dump of the UNIX sockets (NETLINK_SOCK_DIAG,
 * SOCK_DIAG_BY_FAMILY, as `ss -x` does). For a datagram socket the kernel
 * reports the length of the first waiting datagram: 0 means its receive
 * queue is empty, i.e. it has read everything.
 *
 * API:
 *   PeerQueues.open(): Promise<PeerQueues | undefined>   undefined where sock_diag is unavailable
 *     .check(addresses): Promise<Map<address, 'empty' | 'queued' | 'unknown'>>
 *     .close()
 *   parseUnixDiag(messages): Array<{ name, rqueue }>   (exported for tests)
 */
import { Buffer } from 'node:buffer';

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_DUMP = 0x300;
const AF_UNIX = 1;
const UDIAG_SHOW_NAME = 0x01;
const UDIAG_SHOW_RQLEN = 0x10;
const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_RQLEN = 4;
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

/** Name and first-datagram length of every UNIX socket in a sock_diag dump. */
export function parseUnixDiag(messages: ReadonlyArray<{ data: Buffer }>): Array<{ name: string; rqueue: number }> {
  const out: Array<{ name: string; rqueue: number }> = [];
  for (const m of messages) {
    const d = m.data;
    if (d.length < UNIX_DIAG_MSG_LEN || d[0] !== AF_UNIX) continue;
    let name: string | undefined;
    let rqueue: number | undefined;
    for (let off = UNIX_DIAG_MSG_LEN; off + 4 <= d.length; ) {
      const len = d.readUInt16LE(off);
      const type = d.readUInt16LE(off + 2);
      if (len < 4 || off + len > d.length) break;
      const v = d.subarray(off + 4, off + len);
      if (type === UNIX_DIAG_NAME) name = v.toString('latin1');
      else if (type === UNIX_DIAG_RQLEN && v.length >= 4) rqueue = v.readUInt32LE(0);
      off += (len + 3) & ~3;
    }
    if (name === undefined || rqueue === undefined) continue;
    // A path name comes with the NULs of sun_path; an abstract one starts with NUL.
    out.push({ name: name.startsWith('\0') ? `@${name.slice(1)}` : name.replace(/\0+$/, ''), rqueue });
  }
  return out;
}

export class PeerQueues {
  private constructor(private readonly sock: NetlinkSocketLike) {}

  static async open(): Promise<PeerQueues | undefined> {
    try {
      const mod = (await import('netlink')) as unknown as { createNetlink?: (p: number) => NetlinkSocketLike; default?: { createNetlink: (p: number) => NetlinkSocketLike } };
      const create = mod.createNetlink ?? mod.default?.createNetlink;
      if (create === undefined) return undefined;
      const sock = create(NETLINK_SOCK_DIAG);
      sock.unref();
      return new PeerQueues(sock);
    } catch {
      return undefined;
    }
  }

  /** The receive-queue state of the sockets bound at `addresses` ('unknown' when none is seen). */
  async check(addresses: readonly string[]): Promise<Map<string, PeerQueueState>> {
    const req = Buffer.alloc(24);
    req.writeUInt8(AF_UNIX, 0);
    req.writeUInt32LE(0xffffffff, 4); // every state
    req.writeUInt32LE(UDIAG_SHOW_NAME | UDIAG_SHOW_RQLEN, 12);
    req.writeUInt32LE(0xffffffff, 16); // no cookie
    req.writeUInt32LE(0xffffffff, 20);
    const [msgs] = await this.sock.request(SOCK_DIAG_BY_FAMILY, req, { flags: NLM_F_DUMP, timeout: DIAG_TIMEOUT_MS });
    const want = new Set(addresses);
    const found = new Map<string, PeerQueueState>();
    for (const s of parseUnixDiag(msgs)) {
      if (!want.has(s.name)) continue;
      // Several sockets can carry a name (one unlinked but still open): any that holds data counts.
      if (found.get(s.name) !== 'queued') found.set(s.name, s.rqueue === 0 ? 'empty' : 'queued');
    }
    for (const a of addresses) if (!found.has(a)) found.set(a, 'unknown');
    return found;
  }

  close(): void {
    try {
      this.sock.close();
    } catch {
      // already closed
    }
  }
}
