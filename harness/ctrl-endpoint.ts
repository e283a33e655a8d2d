// One datagram socket of a ctrl session, talking to a daemon's wpa_ctrl
// socket: bound here in the harness process (LocalEndpoint, for commands) or
// in the ctrl event relay (ctrl-relay.ts, for ATTACHed events).
import { DgramSocket } from 'node-unix-socket';
import { HarnessError } from './netns.js';

export interface CtrlEndpoint {
  /** The daemon's socket. */
  readonly remotePath: string;
  /** Datagrams known to have been lost on the way to the handlers (0 where a loss cannot be seen). */
  readonly lost: number;
  /** Calls `h` with every datagram received; returns the unsubscribe. */
  onMessage(h: (msg: string) => void): () => void;
  send(text: string): Promise<void>;
  close(): void;
}

/** Delivers to the handlers of the moment (one may unsubscribe itself while called). */
export class Handlers {
  private list: Array<(msg: string) => void> = [];

  add(h: (msg: string) => void): () => void {
    this.list.push(h);
    return () => {
      this.list = this.list.filter((x) => x !== h);
    };
  }

  deliver(msg: string): void {
    for (const h of [...this.list]) h(msg);
  }
}

/** A socket bound at `localPath` in this process. */
export class LocalEndpoint implements CtrlEndpoint {
  readonly lost = 0;
  private readonly sock = new DgramSocket();
  private readonly handlers = new Handlers();

  constructor(
    localPath: string,
    readonly remotePath: string,
  ) {
    this.sock.bind(localPath);
    this.sock.on('data', (buf: Buffer) => this.handlers.deliver(buf.toString('utf8')));
    this.sock.on('error', () => {
      /* daemon went away; requests time out */
    });
  }

  onMessage(h: (msg: string) => void): () => void {
    return this.handlers.add(h);
  }

  send(text: string): Promise<void> {
    const b = Buffer.from(text, 'utf8');
    return new Promise((resolve, reject) => {
      this.sock.sendTo(b, 0, b.length, this.remotePath, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): void {
    try {
      this.sock.close();
    } catch {
      /* already closed */
    }
  }
}

/** Sends `text` and resolves with the first datagram that is not an event (`<N>...`). */
export async function request(ep: CtrlEndpoint, text: string, timeoutMs: number): Promise<string> {
  let off: () => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const reply = new Promise<string>((resolve, reject) => {
    off = ep.onMessage((msg) => {
      if (/^<\d>/.test(msg)) return;
      resolve(msg);
    });
    timer = setTimeout(() => reject(new HarnessError('TIMEOUT', `no reply to ${text.split(' ')[0]} from ${ep.remotePath}`)), timeoutMs);
  });
  // A failed send leaves `reply` to time out with nobody awaiting it.
  reply.catch(() => undefined);
  try {
    await ep.send(text);
    return await reply;
  } finally {
    off();
    if (timer) clearTimeout(timer);
  }
}
