// The ctrl event relay, a program: the harness (ctrl-relay.ts) starts it as
// `ip netns exec <ns> node ctrl-relay-main.js` in a namespace whose
// net.unix.max_dgram_qlen it has raised. The monitor sockets it binds get
// that queue limit (the kernel takes it from the namespace of the process
// that creates the socket), and it does nothing but move their datagrams to
// its stdout, so hostapd / wpa_supplicant (which send events with
// MSG_DONTWAIT and drop one that finds the queue full) lose nothing while the
// harness's own event loop is busy. Requests and answers: ctrl-relay-protocol.ts.
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { DgramSocket } from 'node-unix-socket';
import { lineReader, type RelayAnswer, type RelayRequest } from './ctrl-relay-protocol.js';

/** Answer bytes waiting for the harness to read, beyond which datagrams are dropped (and the drops reported). */
const MAX_BACKLOG_BYTES = 16 * 1024 * 1024;
/** Sockets open at once (the harness opens one per attached session). */
const MAX_SOCKETS = 4096;

// An asynchronous pipe: Node writes process.stdout synchronously when it is a
// pipe, which would stop the relay from reading while the harness does not.
const out = new Socket({ fd: 1, readable: false, writable: true });
const sockets = new Map<number, DgramSocket>();
const dropped = new Map<number, number>();

function answer(a: RelayAnswer): void {
  out.write(`${JSON.stringify(a)}\n`);
}

function reportDrops(): void {
  for (const [id, count] of dropped) answer({ op: 'dropped', id, count });
  dropped.clear();
}

function forward(id: number, buf: Buffer): void {
  if (out.writableLength > MAX_BACKLOG_BYTES) {
    dropped.set(id, (dropped.get(id) ?? 0) + 1);
    return;
  }
  if (dropped.size > 0) reportDrops();
  answer({ op: 'data', id, msg: buf.toString('utf8') });
}

function fail(message: string): never {
  process.stderr.write(`ctrl-relay: ${message}\n`);
  process.exit(2);
}

function open(id: number, path: string): void {
  if (sockets.has(id)) return answer({ op: 'failed', id, message: `socket ${id} is open` });
  if (sockets.size >= MAX_SOCKETS) return answer({ op: 'failed', id, message: `more than ${MAX_SOCKETS} sockets` });
  const sock = new DgramSocket();
  try {
    sock.bind(path);
  } catch (err) {
    sock.close();
    return answer({ op: 'failed', id, message: (err as Error).message });
  }
  sock.on('data', (buf: Buffer) => forward(id, buf));
  sock.on('error', (err: Error) => answer({ op: 'failed', id, message: err.message }));
  sockets.set(id, sock);
  answer({ op: 'opened', id });
}

function send(id: number, seq: number, to: string, text: string): void {
  const sock = sockets.get(id);
  if (!sock) return answer({ op: 'failed', id, seq, message: `no socket ${id}` });
  const b = Buffer.from(text, 'utf8');
  try {
    sock.sendTo(b, 0, b.length, to, (err) => answer(err ? { op: 'failed', id, seq, message: err.message } : { op: 'sent', id, seq }));
  } catch (err) {
    answer({ op: 'failed', id, seq, message: (err as Error).message });
  }
}

function close(id: number): void {
  sockets.get(id)?.close();
  sockets.delete(id);
  dropped.delete(id);
}

function request(line: string): void {
  let r: Partial<RelayRequest> & Record<string, unknown>;
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    fail(`not JSON: ${line.slice(0, 200)}`);
  }
  const id = r.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) fail(`no id: ${line.slice(0, 200)}`);
  if (r.op === 'open' && typeof r.path === 'string') return open(id, r.path);
  if (r.op === 'send' && typeof r.seq === 'number' && typeof r.to === 'string' && typeof r.text === 'string') return send(id, r.seq, r.to, r.text);
  if (r.op === 'close') return close(id);
  fail(`bad request: ${line.slice(0, 200)}`);
}

function shutdown(): void {
  for (const id of [...sockets.keys()]) close(id);
  out.end();
  process.exit(0);
}

out.on('error', shutdown); // the harness is gone
out.on('drain', () => {
  if (dropped.size > 0) reportDrops();
});
process.stdin.on('data', lineReader(request, fail));
process.stdin.on('end', shutdown);
answer({ op: 'ready', qlen: Number(readFileSync('/proc/sys/net/unix/max_dgram_qlen', 'utf8').trim()) });
