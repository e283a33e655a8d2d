// Test-only client for a real daemon's wpa_ctrl socket (hostapd / wpa_supplicant).
// Path-bound UNIX sockets work across network namespaces. Commands go over
// one socket, bound in the test process; events over another that is
// ATTACHed, bound by the ctrl event relay (ctrl-relay.ts says why), so replies
// and `<N>EVENT` datagrams never interleave and a burst of events is not lost
// while the test process is busy.
// Deliberately independent of src/ctrl/client.ts: the same sessions check
// wpsd's control sockets, so a misreading of the wpa_ctrl protocol shared by
// wpsd's server and client must not be able to pass through the harness too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEndpoint, request, type CtrlEndpoint } from './ctrl-endpoint.js';
import { openRelayedEndpoint } from './ctrl-relay.js';
import { HarnessError, run, type NetnsHost } from './netns.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** Bound on kept events per session; old ones are dropped first. */
const MAX_EVENTS = 10_000;

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
  private readonly cmd: CtrlEndpoint;
  private mon: CtrlEndpoint | undefined;
  private attaching: Promise<void> | undefined;
  private closed = false;

  private constructor(readonly socketPath: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'wpsd-ctrlc-'));
    this.cmd = new LocalEndpoint(join(this.dir, 'cmd'), socketPath);
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
    return request(this.cmd, command, timeoutMs);
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

  /** Subscribes to events (ATTACH); a second call shares the first. */
  attach(): Promise<void> {
    this.attaching ??= this.attachOnce().catch((err: unknown) => {
      this.attaching = undefined;
      throw err;
    });
    return this.attaching;
  }

  private async attachOnce(): Promise<void> {
    const mon = await openRelayedEndpoint(join(this.dir, 'mon'), this.socketPath);
    if (this.closed) {
      mon.close();
      throw new HarnessError('COMMAND_FAILED', `session on ${this.socketPath} closed while attaching`);
    }
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
    let reply: string;
    try {
      reply = await request(mon, 'ATTACH', DEFAULT_REQUEST_TIMEOUT_MS);
    } catch (err) {
      mon.close();
      throw err;
    }
    if (reply.trim() !== 'OK') {
      mon.close();
      throw new HarnessError('COMMAND_FAILED', `ATTACH answered ${JSON.stringify(reply)}`);
    }
    this.mon = mon;
  }

  /** Events the harness knows it lost (the relay's backlog to this process was full); 0 in a healthy run. */
  get lostEvents(): number {
    return this.mon?.lost ?? 0;
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
        const lost = this.lostEvents > 0 ? ` (${this.lostEvents} events lost in the relay)` : '';
        throw new HarnessError('TIMEOUT', `no event ${re} within ${timeoutMs} ms on ${this.socketPath}${lost}; since cursor:\n  ${seen}`);
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
    this.closed = true;
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
