// The HTTP client's ordered requests (GENA NOTIFY): in the order made, one at
// a time on one kept-alive connection per origin, a new connection after a
// peer's `Connection: close`, and a request whose kept connection the peer
// closed under it sent again ahead of the ones behind it.
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_CLIENT_ORDERED_PIPELINE, HTTP_CLIENT_ORDERED_QUEUE, HttpClientError, httpRequest } from '../src/upnp/http-client.js';

interface Seen {
  seq: string;
  /** The client's port: one per connection. */
  conn: number;
  /** Requests on that connection so far, this one included. */
  nth: number;
}

/** A peer on 127.0.0.1 recording what arrives; `answer` decides per request (default 200 and keep the connection). */
async function peer(answer: (seen: Seen, res: http.ServerResponse, socket: net.Socket) => void = (_s, res) => res.end('ok')): Promise<{ url: string; seen: Seen[]; inFlight: () => number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const perConn = new Map<number, number>();
  let running = 0;
  let most = 0;
  const srv = http.createServer((req, res) => {
    const conn = req.socket.remotePort ?? 0;
    const nth = (perConn.get(conn) ?? 0) + 1;
    perConn.set(conn, nth);
    const s: Seen = { seq: String(req.headers['seq']), conn, nth };
    seen.push(s);
    most = Math.max(most, ++running);
    res.on('close', () => running--);
    // Answers come late and in varying time, so that an overtaking request would show.
    setTimeout(() => answer(s, res, req.socket), 5 + (Number(s.seq) % 3) * 10);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/event`,
    seen,
    inFlight: () => most,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

/** Generous deadlines: a queue of a hundred answers, each a little late, on a loaded machine. */
const notify = (url: string, seq: number): Promise<string> =>
  httpRequest(url, { method: 'NOTIFY', headers: { seq: String(seq) }, body: `<e>${seq}</e>`, ordered: true, timeoutMs: 60_000 }).then((r) => `${r.status} ${r.body.toString()}`);

describe('ordered HTTP requests', () => {
  const peers: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
  });

  it('arrive in the order made, one at a time, on one kept connection', async () => {
    const p = await peer();
    peers.push(p);
    const sent = Array.from({ length: 3 * HTTP_CLIENT_ORDERED_PIPELINE }, (_v, i) => i);
    // A caller hands over HTTP_CLIENT_ORDERED_PIPELINE at a time, as the GENA publisher does.
    for (let i = 0; i < sent.length; i += HTTP_CLIENT_ORDERED_PIPELINE) {
      const batch = sent.slice(i, i + HTTP_CLIENT_ORDERED_PIPELINE);
      expect(await Promise.all(batch.map((n) => notify(p.url, n)))).toEqual(batch.map(() => '200 ok'));
    }
    expect(p.seen.map((s) => s.seq)).toEqual(sent.map(String));
    expect(new Set(p.seen.map((s) => s.conn)).size).toBe(1);
    expect(p.inFlight()).toBe(1);
  });

  it('take a new connection after a peer answers Connection: close, still in order', async () => {
    const p = await peer((_s, res) => {
      res.setHeader('connection', 'close');
      res.end('ok');
    });
    peers.push(p);
    expect(await Promise.all([0, 1, 2, 3].map((n) => notify(p.url, n)))).toEqual(Array(4).fill('200 ok'));
    expect(p.seen.map((s) => s.seq)).toEqual(['0', '1', '2', '3']);
    expect(new Set(p.seen.map((s) => s.conn)).size).toBe(4);
  });

  it('send a request again, ahead of the ones behind it, when the peer closes its kept connection under it', async () => {
    let cut = false;
    const p = await peer((s, res, socket) => {
      // The second request on the first connection: the peer drops the connection without an answer.
      if (!cut && s.nth === 2) {
        cut = true;
        socket.destroy();
        return;
      }
      res.end('ok');
    });
    peers.push(p);
    expect(await notify(p.url, 0)).toBe('200 ok');
    expect(await Promise.all([1, 2, 3].map((n) => notify(p.url, n)))).toEqual(Array(3).fill('200 ok'));
    expect(p.seen.map((s) => s.seq)).toEqual(['0', '1', '1', '2', '3']);
    expect(new Set(p.seen.map((s) => s.conn)).size).toBe(2);
  });

  it('a request abandoned while it waits its turn goes nowhere; the ones behind it still go', async () => {
    const p = await peer();
    peers.push(p);
    const ac = new AbortController();
    const reason = new Error('caller gave up');
    const first = notify(p.url, 0);
    const abandoned = httpRequest(p.url, { method: 'NOTIFY', headers: { seq: '1' }, ordered: true, signal: ac.signal }).catch((e: unknown) => e);
    const last = notify(p.url, 2);
    ac.abort(reason);
    expect(await abandoned).toBe(reason);
    expect([await first, await last]).toEqual(['200 ok', '200 ok']);
    expect(p.seen.map((s) => s.seq)).toEqual(['0', '2']);
  });

  it('refuse a request beyond HTTP_CLIENT_ORDERED_QUEUE waiting for one origin at once (BUSY); the others all go', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    const p = await peer((_s, res) => void released.then(() => res.end('ok')));
    peers.push(p);
    // One on the connection, HTTP_CLIENT_ORDERED_QUEUE waiting, one more refused.
    const accepted = Array.from({ length: HTTP_CLIENT_ORDERED_QUEUE + 1 }, (_v, i) => notify(p.url, i));
    const refused = await notify(p.url, HTTP_CLIENT_ORDERED_QUEUE + 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpClientError);
    expect((refused as HttpClientError).code).toBe('BUSY');
    release();
    expect(await Promise.all(accepted)).toEqual(Array(HTTP_CLIENT_ORDERED_QUEUE + 1).fill('200 ok'));
    expect(p.seen.map((s) => s.seq)).toEqual(Array.from({ length: HTTP_CLIENT_ORDERED_QUEUE + 1 }, (_v, i) => String(i)));
  });
});
