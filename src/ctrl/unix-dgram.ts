/**
 * A UNIX datagram socket on node-unix-socket's native module, loaded
 * directly. The package's own index also loads worker_threads and, to tell
 * glibc from musl, builds a whole diagnostic report (process.report), and
 * declares the stream socket classes we never use: ~2 MiB of resident
 * memory in every daemon (bench/README.md, "Resident memory"). This class
 * behaves as the package's DgramSocket does (node-unix-socket 0.2.7,
 * js/dgram.ts): the module calls `emit('_data', buf, path)` and
 * `emit('_error', err)` on the object it was given, data is re-emitted on
 * the next tick, an error closes the socket. Where the platform's module is
 * not found under the names below, the package's index is used instead.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

export type SendCallback = (err: Error | undefined) => void;

/** What every datagram socket offers, ours and the package's. */
export interface DgramSocket extends EventEmitter {
  bind(socketPath: string): void;
  sendTo(buf: Buffer, offset: number, length: number, destPath: string, onWrite?: SendCallback): void;
  getRecvBufferSize(): number;
  setRecvBufferSize(size: number): void;
  getSendBufferSize(): number;
  setSendBufferSize(size: number): void;
  address(): string;
  close(): void;
}

/** The native class, as its generated typings declare it. */
interface DgramSocketWrap {
  init(thisObj: object): void;
  startRecv(): void;
  bind(bindpath: string): void;
  address(): string;
  getRecvBufferSize(): number;
  setRecvBufferSize(size: number): void;
  getSendBufferSize(): number;
  setSendBufferSize(size: number): void;
  sendTo(buf: Buffer, offset: number, length: number, path: string, cb?: SendCallback): void;
  close(): void;
}
type DgramSocketWrapClass = new (ee: object) => DgramSocketWrap;

const require = createRequire(import.meta.url);

/** The platform packages node-unix-socket 0.2.7 installs on Linux, glibc first (a module for the other libc fails to load). */
function nativeCandidates(): string[] {
  if (process.platform !== 'linux') return [];
  const triples: Record<string, string[]> = {
    x64: ['linux-x64-gnu', 'linux-x64-musl'],
    arm64: ['linux-arm64-gnu', 'linux-arm64-musl'],
    arm: ['linux-arm-gnueabihf'],
  };
  return (triples[process.arch] ?? []).map((t) => `node-unix-socket-${t}/node-unix-socket.${t}.node`);
}

function loadNative(): DgramSocketWrapClass | undefined {
  for (const id of nativeCandidates()) {
    try {
      const mod = require(id) as { DgramSocketWrap?: DgramSocketWrapClass };
      if (typeof mod.DgramSocketWrap === 'function') return mod.DgramSocketWrap;
    } catch {
      // not installed here, or built for the other libc: the next candidate
    }
  }
  return undefined;
}

class NativeDgramSocket extends EventEmitter implements DgramSocket {
  private closed = false;
  private readonly wrap: DgramSocketWrap;

  constructor(Wrap: DgramSocketWrapClass) {
    super();
    // The module calls emit() detached from the object.
    this.emit = this.emit.bind(this);
    this.wrap = new Wrap(this);
    this.wrap.init(this.wrap);
    this.wrap.startRecv();
    this.on('_data', (buf: Buffer, path: string) => process.nextTick(() => this.emit('data', buf, path)));
    this.on('_error', (err: Error) => {
      this.close();
      this.emit('error', err);
    });
  }

  private checkClosed(): void {
    if (this.closed) throw new Error('DgramSocket has been closed');
  }

  bind(socketPath: string): void {
    this.checkClosed();
    this.wrap.bind(socketPath);
  }

  sendTo(buf: Buffer, offset: number, length: number, destPath: string, onWrite?: SendCallback): void {
    this.checkClosed();
    this.wrap.sendTo(buf, offset, length, destPath, onWrite);
  }

  getRecvBufferSize(): number {
    return this.wrap.getRecvBufferSize();
  }

  setRecvBufferSize(size: number): void {
    this.wrap.setRecvBufferSize(size);
  }

  getSendBufferSize(): number {
    return this.wrap.getSendBufferSize();
  }

  setSendBufferSize(size: number): void {
    this.wrap.setSendBufferSize(size);
  }

  address(): string {
    return this.wrap.address();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wrap.close();
  }
}

let factory: (() => DgramSocket) | undefined;

function loadFactory(): () => DgramSocket {
  const Wrap = loadNative();
  if (Wrap !== undefined) return () => new NativeDgramSocket(Wrap);
  const pkg = require('node-unix-socket') as { DgramSocket: new () => DgramSocket };
  return () => new pkg.DgramSocket();
}

/** A new unbound datagram socket, already receiving. */
export function newUnixDgramSocket(): DgramSocket {
  factory ??= loadFactory();
  return factory();
}
