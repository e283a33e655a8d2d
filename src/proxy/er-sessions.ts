/**
 * Registration runs of External Registrars with the AP's Enrollee over UPnP
 * (GetDeviceInfo starts one, PutMessage continues it). As hostapd's
 * upnp_wps_peer list: a few at once (the oldest is dropped), a PutMessage is
 * matched to its run by the Enrollee Nonce and, after M2, the Registrar
 * Nonce. Unlike hostapd, a message matching no run is refused without
 * touching any run, idle runs end after a timeout, and a new run replaces
 * the same address's oldest when it holds its share, else one of the
 * address holding the most (a run past M2 last): a GetDeviceInfo flood
 * only ever ends the flooder's own runs.
 *
 * API:
 *   new ErSessions({ now, maxSessions?, idleTimeoutMs? })
 *     .add(enrollee, m1, remote): ErSession
 *     .match(message): ErSession | undefined
 *     .touch(s, message) / .remove(s) / .size / .clear()
 *   MAX_ER_SESSIONS, ER_SESSION_IDLE_MS
 */
import { AttributeType } from '../wps/attributes.js';
import { parseWscTlvs, WscProtocolError } from '../wps/message.js';
import type { Enrollee } from '../wps/enrollee.js';
import { MessageType } from '../wps/values.js';
import { pickEviction } from '../upnp/source-limits.js';

/** hostapd keeps at most 4 peers (it drops the oldest, whoever started it, when a 5th GetDeviceInfo comes). */
export const MAX_ER_SESSIONS = 4;
/**
 * Runs per ER address (hostapd: no per-source bound). An ER's discovery
 * reads M1 once (a run it never continues) and a learn/config starts
 * another; a third from the same address replaces its oldest.
 */
export const MAX_ER_SESSIONS_PER_SOURCE = 2;
/** A run with no PutMessage for this long is forgotten (hostapd never forgets; a WSC run takes seconds). */
export const ER_SESSION_IDLE_MS = 60_000;

export interface ErSession {
  readonly id: number;
  readonly enrollee: Enrollee;
  readonly enrolleeNonce: Buffer;
  registrarNonce: Buffer | undefined;
  readonly remote: string;
  lastActive: number;
}

export interface ErSessionsOptions {
  now: () => number;
  maxSessions?: number;
  maxSessionsPerSource?: number;
  idleTimeoutMs?: number;
  /** Told when a run is dropped without finishing (for the debug log). */
  onDrop?: (s: ErSession, why: 'oldest' | 'idle') => void;
}

interface NonceView {
  type: number | undefined;
  enrolleeNonce: Buffer | undefined;
  registrarNonce: Buffer | undefined;
}

/** The Message Type and nonces of a proxied message, through wps_parse_msg with its workarounds; nothing for an unparsable one. */
function nonces(raw: Uint8Array): NonceView {
  try {
    const tlvs = parseWscTlvs(raw, { workarounds: true });
    return { type: tlvs.messageType, enrolleeNonce: tlvs.get(AttributeType.EnrolleeNonce), registrarNonce: tlvs.get(AttributeType.RegistrarNonce) };
  } catch (e) {
    if (e instanceof WscProtocolError) return { type: undefined, enrolleeNonce: undefined, registrarNonce: undefined };
    throw e;
  }
}

export class ErSessions {
  private readonly list: ErSession[] = [];
  private nextId = 1;
  private readonly max: number;
  private readonly perSource: number;
  private readonly idleMs: number;
  /** The message match() last read, and what it read: touch() of the same message does not parse it again. */
  private lastRaw: Uint8Array | undefined;
  private lastView: NonceView | undefined;

  constructor(private readonly opts: ErSessionsOptions) {
    this.max = opts.maxSessions ?? MAX_ER_SESSIONS;
    this.perSource = opts.maxSessionsPerSource ?? MAX_ER_SESSIONS_PER_SOURCE;
    this.idleMs = opts.idleTimeoutMs ?? ER_SESSION_IDLE_MS;
  }

  get size(): number {
    this.expire();
    return this.list.length;
  }

  add(enrollee: Enrollee, m1: Buffer, remote: string): ErSession {
    this.expire();
    const own = this.list.filter((s) => s.remote === remote);
    // The list is oldest first.
    for (let i = 0; i <= own.length - this.perSource; i++) this.drop(own[i] as ErSession);
    while (this.list.length >= this.max) {
      const victim = pickEviction(this.list, (s) => ({ source: s.remote, local: true, established: s.registrarNonce !== undefined, since: s.id }));
      if (victim === undefined) break;
      this.drop(victim);
    }
    const n = nonces(m1).enrolleeNonce ?? Buffer.alloc(16);
    const s: ErSession = { id: this.nextId++, enrollee, enrolleeNonce: Buffer.from(n), registrarNonce: undefined, remote, lastActive: this.opts.now() };
    this.list.push(s);
    return s;
  }

  /**
   * The run a received message belongs to (hostapd's nonce rules), or
   * undefined. With `remote`, only runs started from that address match
   * (hostapd does not check; a run is one ER's).
   */
  match(raw: Uint8Array, remote?: string): ErSession | undefined {
    this.expire();
    const v = nonces(raw);
    this.lastRaw = raw;
    this.lastView = v;
    if (v.enrolleeNonce === undefined) return undefined;
    return this.list.find((s) => {
      if (remote !== undefined && s.remote !== remote) return false;
      if (!s.enrolleeNonce.equals(v.enrolleeNonce as Buffer)) return false;
      if (v.type !== MessageType.M2 && v.type !== MessageType.M2D && v.registrarNonce !== undefined && s.registrarNonce !== undefined) {
        return s.registrarNonce.equals(v.registrarNonce);
      }
      return true;
    });
  }

  /** Records activity and the Registrar Nonce (learnt from M2). */
  touch(s: ErSession, raw: Uint8Array): void {
    s.lastActive = this.opts.now();
    if (s.registrarNonce === undefined) {
      const v = raw === this.lastRaw && this.lastView !== undefined ? this.lastView : nonces(raw);
      this.lastRaw = undefined;
      this.lastView = undefined;
      if (v.type === MessageType.M2 && v.registrarNonce !== undefined) s.registrarNonce = Buffer.from(v.registrarNonce);
    }
  }

  remove(s: ErSession): void {
    const i = this.list.indexOf(s);
    if (i >= 0) this.list.splice(i, 1);
  }

  private drop(s: ErSession): void {
    this.remove(s);
    this.opts.onDrop?.(s, 'oldest');
  }

  clear(): void {
    this.list.length = 0;
  }

  private expire(): void {
    const t = this.opts.now();
    for (let i = this.list.length - 1; i >= 0; i--) {
      const s = this.list[i];
      if (s && t - s.lastActive >= this.idleMs) {
        this.list.splice(i, 1);
        this.opts.onDrop?.(s, 'idle');
      }
    }
  }
}
