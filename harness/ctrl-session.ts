// Test-only client for a real daemon's wpa_ctrl socket (hostapd / wpa_supplicant).
// Path-bound UNIX sockets work across network namespaces, so this runs in the
// test process itself. Commands go over one socket, events over another that
// is ATTACHed, so replies and `<N>EVENT` datagrams never interleave.
// Deliberately independent of src/ctrl/client.ts: the same sessions check
// wpsd's control sockets, so a misreading of the wpa_ctrl protocol shared by
// wpsd's server and client must not be able to pass through the harness too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DgramSocket } from 'node-unix-socket';
import { HarnessError, run, type NetnsHost } from './netns.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Bound on kept events per session; old ones are dropped first. */
const MAX_EVENTS = 10_000;

class DgramEndpoint {
  readonly sock = new DgramSocket();
  private handlers: Array<(msg: string) => void> = [];

  constructor(
    readonly localPath: string,
    readonly remotePath: string,
  ) {
    this.sock.bind(localPath);
    this.sock.on('data', (buf: Buffer) => {
      const msg = buf.toString('utf8');
      for (const h of [...this.handlers]) h(msg);
    });
    this.sock.on('error', () => {
      /* daemon went away; requests time out */
    });
  }

  onMessage(h: (msg: string) => void): () => void {
    this.handlers.push(h);
    return () => {
      this.handlers = this.handlers.filter((x) => x !== h);
    };
  }

  send(text: string): Promise<void> {
    const b = Buffer.from(text, 'utf8');
    return new Promise((resolve, reject) => {
      this.sock.sendTo(b, 0, b.length, this.remotePath, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends `text` and resolves with the first datagram that is not an event. */
  async request(text: string, timeoutMs: number): Promise<string> {
    let off: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<string>((resolve, reject) => {
      off = this.onMessage((msg) => {
        if (/^<\d>/.test(msg)) return;
        resolve(msg);
      });
      timer = setTimeout(() => reject(new HarnessError('TIMEOUT', `no reply to ${text.split(' ')[0]} from ${this.remotePath}`)), timeoutMs);
    });
    try {
      await this.send(text);
      return await reply;
    } finally {
      off();
      if (timer) clearTimeout(timer);
    }
  }

  close(): void {
    try {
      this.sock.close();
    } catch {
      /* already closed */
    }
  }
}

export interface CtrlEvent {
  /** wpa_ctrl level (the N in `<N>`). */
  level: number;
  /** The event line without the `<N>` prefix, e.g. `WPS-ER-AP-ADD ...`. */
  text: string;
  /** Arrival time (ms since epoch), for ordering only. */
  at: number;
}

export class CtrlSession {
  readonly events: CtrlEvent[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  private readonly dir: string;
  private readonly cmd: DgramEndpoint;
  private mon: DgramEndpoint | undefined;

  private constructor(readonly socketPath: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'wpsd-ctrlc-'));
    this.cmd = new DgramEndpoint(join(this.dir, 'cmd'), socketPath);
  }

  /** Opens a session on `<ctrlDir>/<ifname>` (or a full socket path); `attach` subscribes to events. */
  static async open(socketPath: string, opts: { attach?: boolean; timeoutMs?: number } = {}): Promise<CtrlSession> {
    const s = new CtrlSession(socketPath);
    try {
      const pong = await s.request('PING', opts.timeoutMs);
      if (pong.trim() !== 'PONG') throw new HarnessError('COMMAND_FAILED', `PING answered ${JSON.stringify(pong)}`);
      if (opts.attach ?? true) await s.attach();
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  }

  /** Sends one command and returns the raw reply text (e.g. "OK\n"). */
  request(command: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<string> {
    return this.cmd.request(command, timeoutMs);
  }

  /**
   * Repeats `command` while it answers FAIL (bounded by `timeoutMs`), e.g.
   * wpa_supplicant's WPS_ER_LEARN/CONFIG answer FAIL while the previous
   * operation with that AP is still pending ("Pending operation ongoing").
   * Returns the last reply.
   */
  async requestUntilOk(command: string, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS, intervalMs = 100): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = await this.request(command, Math.max(1, deadline - Date.now()));
      if (!reply.startsWith('FAIL') || Date.now() + intervalMs >= deadline) return reply;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  async attach(): Promise<void> {
    if (this.mon) return;
    const mon = new DgramEndpoint(join(this.dir, 'mon'), this.socketPath);
    mon.onMessage((msg) => {
      const m = /^<(\d)>([\s\S]*)$/.exec(msg);
      if (!m) return;
      this.events.push({ level: Number(m[1]), text: m[2] ?? '', at: Date.now() });
      if (this.events.length > MAX_EVENTS) {
        this.events.shift();
        this.cursor = Math.max(0, this.cursor - 1);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    const reply = await mon.request('ATTACH', DEFAULT_REQUEST_TIMEOUT_MS);
    if (reply.trim() !== 'OK') {
      mon.close();
      throw new HarnessError('COMMAND_FAILED', `ATTACH answered ${JSON.stringify(reply)}`);
    }
    this.mon = mon;
  }

  /** Index where the next waitFor() starts looking; set it to `events.length` to ignore the past. */
  mark(): number {
    this.cursor = this.events.length;
    return this.cursor;
  }

  /**
   * Resolves with the first event at or after the cursor whose text matches
   * `re`, and moves the cursor past it. Rejects after `timeoutMs`.
   */
  async waitFor(re: RegExp, timeoutMs: number): Promise<CtrlEvent> {
    if (!this.mon) throw new HarnessError('COMMAND_FAILED', 'waitFor needs an attached session');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.cursor; i < this.events.length; i++) {
        const ev = this.events[i];
        if (ev && re.test(ev.text)) {
          this.cursor = i + 1;
          return ev;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.slice(this.cursor).map((e) => e.text).join('\n  ');
        throw new HarnessError('TIMEOUT', `no event ${re} within ${timeoutMs} ms on ${this.socketPath}; since cursor:\n  ${seen}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    if (this.mon) {
      // Best effort: the daemon also drops monitors whose socket is gone.
      void this.mon.send('DETACH').catch(() => undefined);
      this.mon.close();
    }
    this.cmd.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs Debian's `wpa_cli` / `hostapd_cli` non-interactively inside `host`'s
 * namespace and returns its stdout, as a user would see it (wpa_cli does its
 * own argument encoding, e.g. wps_er_config hex-encodes SSID and key).
 */
export async function runCli(
  tool: 'wpa_cli' | 'hostapd_cli',
  host: NetnsHost | undefined,
  ctrlDir: string,
  ifname: string,
  args: readonly string[],
): Promise<string> {
  const argv = ['-p', ctrlDir, '-i', ifname, ...args];
  const res = host ? await host.exec(tool, argv) : await run(tool, argv);
  return res.stdout;
}
