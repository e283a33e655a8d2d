import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClientError, UpnpHttpServer, httpRequest, readRequestBody, sendHttpError } from '../src/upnp/index.js';
import { HTTP_CLIENT_CONNECTIONS_PER_ORIGIN } from '../src/upnp/http-client.js';
import { HTTP_MAX_REQUESTS_PER_CONNECTION, sendBody } from '../src/upnp/http-server.js';
import { until } from '../harness/until.js';

/** Sends raw bytes, returns everything the server wrote before closing (or after `waitMs` of silence). */
function raw(port: number, chunks: Array<string | Buffer>, opts: { gapMs?: number; limitMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    const finish = (): void => {
      clearTimeout(limit);
      sock.destroy();
      resolve(out);
    };
    const limit = setTimeout(finish, opts.limitMs ?? 5000);
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('close', finish);
    sock.on('error', () => undefined);
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (sock.destroyed) break;
        sock.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
    });
  });
}


const status = (reply: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);

describe('hardened HTTP server on 127.0.0.1', () => {
  const server = new UpnpHttpServer({
    host: '127.0.0.1',
    maxBodyBytes: 1000,
    maxHeaderBytes: 2048,
    maxConnections: 3,
    headersTimeoutMs: 400,
    requestTimeoutMs: 800,
    idleTimeoutMs: 300,
  });
  let port = 0;
  beforeAll(async () => {
    server.route('POST', '/echo', async (req, res) => {
      try {
        const body = await readRequestBody(req, server.maxBodyBytes);
        sendBody(res, 200, 'text/plain', `got ${body.length}`);
      } catch (e) {
        sendHttpError(res, e);
      }
    });
    server.route('GET', '/', (_req, res) => {
      sendBody(res, 200, 'text/plain', 'ok');
    });
    port = (await server.start()).port;
  });
  afterAll(() => server.close());

  it('serves a well-formed request', async () => {
    const r = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello']);
    expect(status(r)).toBe(200);
    expect(r).toContain('got 5');
  });

  it('answers 400 to an HTTP/1.1 request without Host', async () => {
    expect(status(await raw(port, ['GET / HTTP/1.1\r\nConnection: close\r\n\r\n']))).toBe(400);
  });

  it('answers 431 to oversized headers', async () => {
    const r = await raw(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`]);
    expect(status(r)).toBe(431);
  });

  it('answers 400 to an invalid Content-Length and to Content-Length with Transfer-Encoding', async () => {
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\nhello']))).toBe(400);
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello']))).toBe(400);
    expect(
      status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'])),
    ).toBe(400);
  });

  it('answers 408 when the body is shorter than its Content-Length', async () => {
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nhello']))).toBe(408);
  });

  it('answers 413 to a body over the limit, announced or chunked', async () => {
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n']))).toBe(413);
    const chunk = `100\r\n${'z'.repeat(256)}\r\n`;
    const r = await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...Array(8).fill(chunk)], { gapMs: 5 });
    expect(status(r)).toBe(413);
  });

  it('answers 400 to invalid chunk sizes and oversized chunk extensions', async () => {
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n']))).toBe(400);
    const ext = `5;${'e'.repeat(20_000)}\r\nhello\r\n0\r\n\r\n`;
    expect(status(await raw(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ext]))).toBe(400);
  });

  it('cuts a client that sends its headers too slowly', async () => {
    const trickle = 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: '.split('').concat(Array(200).fill('a'));
    const r = await raw(port, trickle, { gapMs: 20, limitMs: 5000 });
    expect(status(r)).toBe(408);
  });

  it('refuses a source beyond its share with 503; a full table gives way to a newcomer from another address', async () => {
    // Default (long) timeouts here, so that the idle connections are not cut while the test runs.
    const capped = new UpnpHttpServer({ host: '127.0.0.1', maxConnections: 3, maxConnectionsPerSource: 2 });
    capped.route('GET', '/', (_req, res) => {
      sendBody(res, 200, 'text/plain', 'ok');
    });
    const port = (await capped.start()).port;
    const connect = (from: string): Promise<{ sock: net.Socket; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const sock = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve({ sock, closed }));
        const closed = new Promise<void>((r) => sock.on('close', () => r()));
        sock.on('error', () => undefined);
      });
    const get = (from: string): Promise<string> =>
      new Promise((resolve) => {
        const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
        let out = '';
        sock.on('data', (d) => (out += d.toString('latin1')));
        sock.on('error', () => undefined);
        sock.on('close', () => resolve(out));
        sock.on('connect', () => sock.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      });
    const idle: net.Socket[] = [];
    try {
      const flood = [await connect('127.0.0.9'), await connect('127.0.0.9')];
      idle.push(...flood.map((f) => f.sock));
      await until(() => capped.connectionCount === 2, 'capped.connectionCount === 2');
      expect(status(await get('127.0.0.9'))).toBe(503);
      const other = await connect('127.0.0.2');
      idle.push(other.sock);
      await until(() => capped.connectionCount === 3, 'capped.connectionCount === 3');
      // Full: the newcomer gets in, and the slot comes from the address holding the most.
      expect(status(await get('127.0.0.3'))).toBe(200);
      await Promise.race(flood.map((f) => f.closed));
      expect(other.sock.destroyed).toBe(false);
      expect(capped.stats).toMatchObject({ refused: 1, evicted: 1 });
    } finally {
      for (const s of idle) s.destroy();
      await capped.close();
    }
  });

  it('serves at most HTTP_MAX_REQUESTS_PER_CONNECTION pipelined requests of one connection; the rest get 503 without reaching a handler', async () => {
    const srv = new UpnpHttpServer({ host: '127.0.0.1' });
    let handled = 0;
    srv.route('GET', '/', (_req, res) => {
      handled++;
      sendBody(res, 200, 'text/plain', 'ok');
    });
    const p = (await srv.start()).port;
    try {
      const reply = await raw(p, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(500)], { limitMs: 3000 });
      expect(handled).toBe(HTTP_MAX_REQUESTS_PER_CONNECTION);
      expect(reply.split('HTTP/1.1 200 ').length - 1).toBe(HTTP_MAX_REQUESTS_PER_CONNECTION);
      expect(reply.split('HTTP/1.1 503 ').length - 1).toBeGreaterThan(0);
    } finally {
      await srv.close();
    }
  });

  it('answers 404 to unknown paths', async () => {
    expect(status(await raw(port, ['GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']))).toBe(404);
  });
});

describe('the headers every answer of a device server carries', () => {
  const server = new UpnpHttpServer({ host: '127.0.0.1', serverHeader: 'Unspecified, UPnP/1.0, Unspecified', closeEachConnection: true });
  let port = 0;
  beforeAll(async () => {
    server.route('GET', '/whole', (_req, res) => sendBody(res, 200, 'text/xml', '<a>é</a>', ['EXT', '']));
    server.route('GET', '/own', (_req, res) => sendBody(res, 503, 'text/plain', 'x\n', ['SERVER', 'mine', 'Connection', 'close', 'Retry-After', '1']));
    server.route('GET', '/piecemeal', (_req, res) => {
      res.setHeader('SID', 'uuid:1');
      res.end('ok');
    });
    port = (await server.start()).port;
  });
  afterAll(() => server.close());

  const head = async (path: string): Promise<string[]> => {
    const reply = await raw(port, [`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    return (reply.split('\r\n\r\n')[0] ?? '').split('\r\n').filter((l) => !l.startsWith('Date: '));
  };

  it('sendBody: the server\'s Server and Connection first, then the caller\'s headers, Content-Type and the UTF-8 length', async () => {
    expect(await head('/whole')).toEqual(['HTTP/1.1 200 OK', 'Server: Unspecified, UPnP/1.0, Unspecified', 'Connection: close', 'EXT: ', 'Content-Type: text/xml', 'Content-Length: 9']);
  });

  it('a header the caller names takes the server\'s place, once', async () => {
    expect(await head('/own')).toEqual(['HTTP/1.1 503 Service Unavailable', 'SERVER: mine', 'Connection: close', 'Retry-After: 1', 'Content-Type: text/plain', 'Content-Length: 2']);
  });

  it('an answer written with setHeader and end gets them too', async () => {
    const lines = await head('/piecemeal');
    expect(lines).toContain('Server: Unspecified, UPnP/1.0, Unspecified');
    expect(lines).toContain('Connection: close');
    expect(lines).toContain('SID: uuid:1');
    expect(lines.filter((l) => /^connection:/i.test(l))).toHaveLength(1);
  });
});

describe('bounded HTTP client', () => {
  let port = 0;
  const requests: string[] = [];
  let onStall: (() => void) | undefined;
  const srv = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', (d) => {
      requests.push(d.toString());
      const path = /^\w+ (\S+)/.exec(d.toString())?.[1] ?? '';
      if (path === '/stall') onStall?.();
      if (path === '/big') s.end(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(100000)}`);
      else if (path === '/bigchunked') s.end(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${`4000\r\n${'y'.repeat(0x4000)}\r\n`.repeat(8)}0\r\n\r\n`);
      else if (path === '/redirect') s.end('HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n');
      else if (path === '/stall') s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else if (path === '/cut') s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    port = (srv.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => srv.close(() => r())));

  const codeOf = async (url: string, opts: Parameters<typeof httpRequest>[1] = {}): Promise<string> => {
    try {
      await httpRequest(url, opts);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(HttpClientError);
      return (e as HttpClientError).code;
    }
  };

  it('reads a normal response', async () => {
    const r = await httpRequest(`http://127.0.0.1:${port}/`);
    expect([r.status, r.body.toString()]).toEqual([200, 'ok']);
  });

  it('refuses oversized responses, redirects, stalls, cut bodies, hostnames when IP literals are required, and non-http URLs', async () => {
    expect(await codeOf(`http://127.0.0.1:${port}/big`, { maxResponseBytes: 1000 })).toBe('TOO_LARGE');
    expect(await codeOf(`http://127.0.0.1:${port}/bigchunked`, { maxResponseBytes: 1000 })).toBe('TOO_LARGE');
    expect(await codeOf(`http://127.0.0.1:${port}/redirect`)).toBe('REDIRECT');
    expect(await codeOf(`http://127.0.0.1:${port}/stall`, { timeoutMs: 300 })).toBe('TIMEOUT');
    // The peer closes before the body announced is complete: an error, not a short body.
    expect(await codeOf(`http://127.0.0.1:${port}/cut`)).toBe('NETWORK');
    expect(await codeOf(`http://localhost:${port}/`, { requireIpLiteral: true })).toBe('HOSTNAME_REFUSED');
    expect(await codeOf('file:///etc/passwd')).toBe('INVALID_URL');
    expect(await codeOf('not a url')).toBe('INVALID_URL');
  });

  it('sends Connection: close on a new connection per request, and the caller\'s signal abandons a request with its reason', async () => {
    requests.length = 0;
    for (let i = 0; i < 3; i++) expect((await httpRequest(`http://127.0.0.1:${port}/`)).body.toString()).toBe('ok');
    expect(requests).toHaveLength(3); // the server reads one request per connection
    for (const r of requests) expect(r).toMatch(/\r\nconnection: close\r\n/i);
    const ac = new AbortController();
    const reason = new Error('caller gave up');
    onStall = () => ac.abort(reason);
    await expect(httpRequest(`http://127.0.0.1:${port}/stall`, { signal: ac.signal })).rejects.toBe(reason);
    onStall = undefined;
    await expect(httpRequest(`http://127.0.0.1:${port}/`, { signal: ac.signal })).rejects.toBe(reason);
    expect((await httpRequest(`http://127.0.0.1:${port}/`)).body.toString()).toBe('ok');
  });

  it('a request waiting for one of the origin\'s connections still ends at its deadline, and leaves the pool usable', async () => {
    let stalled = 0;
    let allStalled: () => void = () => undefined;
    const inFlight = new Promise<void>((r) => (allStalled = r));
    onStall = () => {
      if (++stalled === HTTP_CLIENT_CONNECTIONS_PER_ORIGIN) allStalled();
    };
    const ac = new AbortController();
    const reason = new Error('done stalling');
    const stalls = Array.from({ length: HTTP_CLIENT_CONNECTIONS_PER_ORIGIN }, () => httpRequest(`http://127.0.0.1:${port}/stall`, { signal: ac.signal }).catch((e: unknown) => e));
    await inFlight;
    expect(await codeOf(`http://127.0.0.1:${port}/`, { timeoutMs: 200 })).toBe('TIMEOUT');
    ac.abort(reason);
    expect(await Promise.all(stalls)).toEqual(Array(HTTP_CLIENT_CONNECTIONS_PER_ORIGIN).fill(reason));
    onStall = undefined;
    expect((await httpRequest(`http://127.0.0.1:${port}/`)).body.toString()).toBe('ok');
  });
});
