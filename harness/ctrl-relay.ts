// Event sockets of ctrl sessions, bound by a relay process (ctrl-relay-main.ts)
// in a namespace the harness owns, where net.unix.max_dgram_qlen is
// RELAY_MAX_DGRAM_QLEN. In the root namespace it is 10: hostapd and
// wpa_supplicant send events non-blocking and drop one whose monitor's queue
// is full, so a burst (one ER learning 32 APs: 64 events) lost events
// whenever the harness's event loop was busy. The relay reads them at once
// and passes them on over a pipe, which never drops. The host's own sysctls
// are left alone. One relay per harness process, shared by its attached
// sessions; it and its namespace go with the last one (or at exit, or on the
// signals of disposeAllOnSignals, like any topology).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Handlers, type CtrlEndpoint } from './ctrl-endpoint.js';
import { lineReader, RELAY_MAX_DGRAM_QLEN, type RelayAnswer, type RelayRequest } from './ctrl-relay-protocol.js';
import { createLoneNamespace, HarnessError, type ManagedProcess, type Topology } from './netns.js';

/** How long the relay gets to start (a namespace, a sysctl, a Node process) and to answer a request. */
const RELAY_TIMEOUT_MS = 20_000;

/** The built relay program: beside this module in dist/harness, or the build's copy when the sources run (vitest). */
function relayScript(): string {
  const script = import.meta.filename.endsWith('.js')
    ? join(import.meta.dirname, 'ctrl-relay-main.js')
    : join(import.meta.dirname, '..', 'dist', 'harness', 'ctrl-relay-main.js');
  if (!existsSync(script)) throw new HarnessError('COMMAND_FAILED', `${script} is missing: build first (npm run build)`);
  return script;
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

class RelayedEndpoint implements CtrlEndpoint {
  lost = 0;
  readonly handlers = new Handlers();
  private closed = false;

  constructor(
    private readonly relay: Relay,
    readonly id: number,
    readonly remotePath: string,
    private readonly onClose: () => void,
  ) {}

  onMessage(h: (msg: string) => void): () => void {
    return this.handlers.add(h);
  }

  send(text: string): Promise<void> {
    return this.relay.send(this.id, this.remotePath, text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.relay.close(this.id);
    this.onClose();
  }
}

class Relay {
  private readonly endpoints = new Map<number, RelayedEndpoint>();
  private readonly opening = new Map<number, Pending>();
  private readonly sending = new Map<number, Pending>();
  private nextId = 1;
  private nextSeq = 1;
  private failure: Error | undefined;
  private stopping = false;

  private constructor(
    private readonly topo: Topology,
    private readonly proc: ManagedProcess,
  ) {}

  /** Makes the namespace and starts the relay in it; `onExit` when it ends without stop(). */
  static async start(onExit: () => void): Promise<Relay> {
    const script = relayScript();
    const { topo, ns } = await createLoneNamespace('ctrlev', { 'net.unix.max_dgram_qlen': String(RELAY_MAX_DGRAM_QLEN) });
    try {
      const proc = topo.spawnIn(ns, process.execPath, [script], { label: `ctrl-relay@${ns}`, stdio: 'piped' });
      const relay = new Relay(topo, proc);
      const ready = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new HarnessError('TIMEOUT', `ctrl relay: not ready within ${RELAY_TIMEOUT_MS} ms: ${proc.output().slice(-500)}`)), RELAY_TIMEOUT_MS);
        relay.onReady = (qlen) => {
          clearTimeout(timer);
          resolve(qlen);
        };
        void proc.exited.then(() => {
          clearTimeout(timer);
          reject(new HarnessError('EXITED', `ctrl relay exited (${String(proc.exitCode)}): ${proc.output().slice(-500)}`));
        });
      });
      proc.child.stdout?.on('data', lineReader((line) => relay.answer(line), (message) => relay.die(`ctrl relay: ${message}`)));
      proc.child.stdin?.on('error', (err) => relay.die(`ctrl relay: stdin: ${err.message}`));
      void proc.exited.then(() => {
        if (!relay.stopping) relay.die(`ctrl relay exited (${String(proc.exitCode)}): ${proc.output().slice(-500)}`);
        onExit();
      });
      const qlen = await ready;
      if (qlen < RELAY_MAX_DGRAM_QLEN) throw new HarnessError('COMMAND_FAILED', `ctrl relay: max_dgram_qlen is ${qlen} in ${ns}, not ${RELAY_MAX_DGRAM_QLEN}`);
      return relay;
    } catch (err) {
      topo.disposeSync();
      throw err;
    }
  }

  private onReady: (qlen: number) => void = () => undefined;

  private write(req: RelayRequest): void {
    if (!this.failure) this.proc.child.stdin?.write(`${JSON.stringify(req)}\n`);
  }

  private pending(table: Map<number, Pending>, key: number, what: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        table.delete(key);
        reject(new HarnessError('TIMEOUT', `ctrl relay: no answer to ${what} within ${RELAY_TIMEOUT_MS} ms`));
      }, RELAY_TIMEOUT_MS);
      table.set(key, { resolve, reject, timer });
    });
  }

  private settle(table: Map<number, Pending>, key: number, err?: Error): void {
    const p = table.get(key);
    if (!p) return;
    table.delete(key);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
  }

  /** Binds `localPath` in the relay; `onClose` runs when the endpoint is closed. */
  async open(localPath: string, remotePath: string, onClose: () => void): Promise<CtrlEndpoint> {
    const id = this.nextId++;
    const ep = new RelayedEndpoint(this, id, remotePath, () => {
      this.endpoints.delete(id);
      onClose();
    });
    const opened = this.pending(this.opening, id, `open ${localPath}`);
    this.endpoints.set(id, ep);
    this.write({ op: 'open', id, path: localPath });
    try {
      await opened;
    } catch (err) {
      this.endpoints.delete(id);
      this.close(id);
      throw err;
    }
    return ep;
  }

  send(id: number, to: string, text: string): Promise<void> {
    const seq = this.nextSeq++;
    const sent = this.pending(this.sending, seq, `send ${text.split(' ')[0] ?? ''}`);
    this.write({ op: 'send', id, seq, to, text });
    return sent;
  }

  close(id: number): void {
    this.write({ op: 'close', id });
  }

  private answer(line: string): void {
    let a: RelayAnswer;
    try {
      a = JSON.parse(line) as RelayAnswer;
    } catch {
      this.die(`ctrl relay: not JSON: ${line.slice(0, 200)}`);
      return;
    }
    switch (a.op) {
      case 'ready':
        this.onReady(a.qlen);
        break;
      case 'data':
        this.endpoints.get(a.id)?.handlers.deliver(a.msg);
        break;
      case 'dropped': {
        const ep = this.endpoints.get(a.id);
        if (ep) ep.lost += a.count;
        break;
      }
      case 'opened':
        this.settle(this.opening, a.id);
        break;
      case 'sent':
        this.settle(this.sending, a.seq);
        break;
      case 'failed': {
        const err = new HarnessError('COMMAND_FAILED', `ctrl relay: ${a.message}`);
        // A socket error after open (the daemon went away) fails nothing: requests time out, as on a local socket.
        if (a.seq !== undefined) this.settle(this.sending, a.seq, err);
        else this.settle(this.opening, a.id, err);
        break;
      }
    }
  }

  /** Fails whatever waits on the relay, and every later request. */
  private die(message: string): void {
    this.failure ??= new HarnessError('EXITED', message);
    for (const table of [this.opening, this.sending]) for (const key of [...table.keys()]) this.settle(table, key, this.failure);
  }

  /** Ends the relay and deletes its namespace, synchronously (also fine from a process 'exit' handler). */
  stop(): void {
    this.stopping = true;
    this.topo.disposeSync();
  }
}

/** The relay and how many endpoints use (or are about to use) it. */
interface Shared {
  relay: Promise<Relay>;
  users: number;
}

let shared: Shared | undefined;

function forget(s: Shared): void {
  if (shared === s) shared = undefined;
}

function release(s: Shared): void {
  if (--s.users > 0) return;
  forget(s);
  void s.relay.then(
    (r) => r.stop(),
    () => undefined,
  );
}

/**
 * A socket bound at `localPath` by the relay (started on first use), talking
 * to `remotePath`; what it receives arrives through the relay's pipe.
 */
export async function openRelayedEndpoint(localPath: string, remotePath: string): Promise<CtrlEndpoint> {
  if (!shared) {
    const fresh: Shared = { relay: Relay.start(() => forget(fresh)), users: 0 };
    // A failed start is reported to the callers below; the next open starts afresh.
    fresh.relay.catch(() => forget(fresh));
    shared = fresh;
  }
  const mine = shared;
  mine.users++;
  try {
    const relay = await mine.relay;
    return await relay.open(localPath, remotePath, () => release(mine));
  } catch (err) {
    release(mine);
    throw err;
  }
}
