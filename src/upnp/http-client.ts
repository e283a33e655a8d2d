/**
 * Bounded HTTP requests for control points and event publishers.
 *
 * API:
 *   httpRequest(url, opts?): Promise<HttpResponse>   throws HttpClientError
 *   HttpResponse { status, headers (lower-case names), body: Buffer }
 *   HttpClientError (code: 'INVALID_URL' | 'HOSTNAME_REFUSED' | 'TIMEOUT' | 'TOO_LARGE' | 'NETWORK' | 'REDIRECT')
 *   HTTP_CLIENT_* named limits
 *
 * Every request has a total deadline and a response size cap, never follows
 * redirects (a 3xx is an error), and with requireIpLiteral refuses URLs that
 * name a host instead of an address (a device description must not make us
 * resolve names; the caller decides when that applies).
 *
 * Requests go over a new connection each, like hostapd's UPnP client: every
 * one says `Connection: close` (hostapd closes after each answer anyway).
 * These go through node:http, one Agent (no keep-alive, at most
 * HTTP_CLIENT_CONNECTIONS_PER_ORIGIN connections per origin, further
 * requests wait for one within their deadline): under the daemons' V8
 * flags (Sparkplug only) an ER learn of Debian hostapd costs 0.4-0.85 ms
 * less CPU than through undici's Pool (7.15-7.9 against 7.9-8.3 ms; a
 * round trip in a hot loop 0.49 against 0.54 ms), and an ER that never
 * loads undici (WebAssembly parser; node:http's is in the binary) is
 * 3.6 MiB smaller at idle (bench/README.md, "fourth session").
 *
 * `ordered` requests (GENA NOTIFY) stay on undici: one kept-alive
 * connection per origin, pipelined up to HTTP_CLIENT_ORDERED_PIPELINE deep,
 * so they reach the peer in the order they were made; a peer that answers
 * `Connection: close` gets a new connection for the next one, and undici
 * resends the requests pipelined behind a closed connection's last answer
 * (node:http does not pipeline). One undici Pool per origin, kept across
 * requests in a bounded table.
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Dispatcher, Pool } from 'undici';
import { WpsdError } from '../common/errors.js';

/** Whole request, connect to last body byte. */
export const HTTP_CLIENT_TIMEOUT_MS = 10_000;
/** Largest response body accepted. */
export const HTTP_CLIENT_MAX_RESPONSE_BYTES = 64 * 1024;
/**
 * Origins whose ordered pool is kept; the least recently used one is closed
 * (after its requests finish) beyond this. A 32-AP fleet's event callbacks
 * fit; a flood of subscribers only churns the table.
 */
export const HTTP_CLIENT_MAX_ORIGINS = 128;
/** Connections at once to one origin; further requests wait for one (within their deadline). */
export const HTTP_CLIENT_CONNECTIONS_PER_ORIGIN = 4;
/**
 * Connection-per-request connections at once, all origins together: a
 * 32-AP fleet learned at once with its subscriptions fits; beyond it
 * requests wait for a connection (within their deadline).
 */
export const HTTP_CLIENT_MAX_CONNECTIONS = 128;
/**
 * Ordered requests in flight on an origin's one connection. hostapd sends
 * one NOTIFY at a time, each on a new connection; 4 lets a burst of events
 * (six per proxied enrollment) go out without waiting a round trip each.
 */
export const HTTP_CLIENT_ORDERED_PIPELINE = 4;

export type HttpClientErrorCode = 'INVALID_URL' | 'HOSTNAME_REFUSED' | 'TIMEOUT' | 'TOO_LARGE' | 'NETWORK' | 'REDIRECT';

export class HttpClientError extends WpsdError<HttpClientErrorCode> {}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Refuse URLs whose host is not an IPv4/IPv6 literal. */
  requireIpLiteral?: boolean;
  /** Abandons the request; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Sent over the origin's one kept-alive connection, pipelined behind the
   * earlier ordered requests to it (see above); the caller keeps requests
   * that must arrive in order on one origin.
   */
  ordered?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Parses and checks an http: URL; throws HttpClientError. */
export function checkHttpUrl(url: string, requireIpLiteral: boolean): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HttpClientError('INVALID_URL', `invalid URL "${url}"`);
  }
  if (u.protocol !== 'http:') throw new HttpClientError('INVALID_URL', `URL "${url}" is not http:`);
  if (u.username !== '' || u.password !== '') throw new HttpClientError('INVALID_URL', 'URL with credentials refused');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (requireIpLiteral && net.isIP(host) === 0) {
    throw new HttpClientError('HOSTNAME_REFUSED', `URL host "${u.hostname}" is not an IP address`);
  }
  return u;
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

const pools = new Map<string, Pool>();

/**
 * undici is loaded on the first ordered request, and only its Pool (with the client
 * it needs; requests go through dispatch(), not the request API): its index
 * also loads fetch, WebSocket, caches and mocks, and fetch's cookie code
 * touches globalThis.Headers, which loads Node's own copy of undici too:
 * ~9 MiB of resident memory that a UPnP client never uses (bench/README.md,
 * "Resident memory"). Should a later undici move the file, the package's
 * index is loaded instead.
 */
let PoolClass: typeof Pool | undefined;

const requireUndici = createRequire(import.meta.url);

function loadUndiciPool(): typeof Pool {
  try {
    const PoolOf = requireUndici('undici/lib/dispatcher/pool.js') as typeof Pool;
    if (typeof PoolOf === 'function' && typeof PoolOf.prototype.dispatch === 'function') return PoolOf;
  } catch {
    // a layout this code does not know: the index below
  }
  return (requireUndici('undici') as typeof import('undici')).Pool;
}

/** The kept pool for `origin`: one pipelined connection; most recently used last. */
function poolFor(PoolOf: typeof Pool, origin: string): Pool {
  let pool = pools.get(origin);
  if (pool !== undefined) {
    pools.delete(origin);
  } else {
    pool = new PoolOf(origin, { connections: 1, pipelining: HTTP_CLIENT_ORDERED_PIPELINE });
    if (pools.size >= HTTP_CLIENT_MAX_ORIGINS) {
      const [oldest, evicted] = pools.entries().next().value as [string, Pool];
      pools.delete(oldest);
      evicted.close().catch(() => undefined);
    }
  }
  pools.set(origin, pool);
  return pool;
}

/** The error a failed request ends with, from the transport's error and whether the deadline fired. */
function requestError(e: unknown, what: () => string, timeoutMs: number, timedOut: boolean): unknown {
  if (e instanceof HttpClientError) return e;
  if (timedOut) return new HttpClientError('TIMEOUT', `${what()}: no complete response within ${timeoutMs} ms`);
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') return new HttpClientError('TIMEOUT', `${what()}: ${err.message}`);
  return new HttpClientError('NETWORK', `${what()}: ${err.message}`);
}

/**
 * One request's limits and outcome, whichever transport carries it: the
 * whole-request deadline (one timer), the caller's signal, the size cap and
 * the body gathered from its chunks (no response stream is read through an
 * async iterator: the SOAP round trip is the ER's hot path). Methods, not
 * closures, so a request allocates one object for all of this.
 */
class Exchange {
  /** Set once the request is over (answered, failed or abandoned): later callbacks change nothing. */
  settled = false;
  private timedOut = false;
  private status = 0;
  private headers: Record<string, string> = {};
  private chunks: Buffer[] = [];
  private total = 0;
  private readonly timer: NodeJS.Timeout;
  /** Ends the transport's part (set by the transport once it has one). */
  cancel: ((err: Error) => void) | undefined;

  constructor(
    private readonly url: URL,
    private readonly method: string,
    private readonly timeoutMs: number,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (r: HttpResponse) => void,
    private readonly reject: (e: unknown) => void,
  ) {
    this.timer = setTimeout(this.onDeadline, timeoutMs);
    // Like AbortSignal.timeout: a pending deadline alone does not keep the process alive (the socket does).
    this.timer.unref();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Only an error message needs it. */
  private readonly what = (): string => `${this.method} ${this.url.href}`;

  private readonly onDeadline = (): void => {
    this.timedOut = true;
    this.abandon(requestError(undefined, this.what, this.timeoutMs, true));
  };

  readonly onAbort = (): void => this.abandon(this.signal?.reason);

  private finish(): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  /** Ends the request now; the transport is told to stop. */
  abandon(err: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(err);
    this.cancel?.(err instanceof Error ? err : new Error(String(err)));
  }

  /** A (re)started attempt: what an earlier one gathered is dropped. */
  restart(): void {
    this.chunks = [];
    this.total = 0;
  }

  /** The status line and headers; false when the request was abandoned for them. */
  head(status: number, headers: Record<string, string>): boolean {
    this.status = status;
    this.headers = headers;
    this.restart();
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > this.maxBytes) {
      this.abandon(new HttpClientError('TOO_LARGE', `response of ${declared} bytes exceeds the limit of ${this.maxBytes}`));
      return false;
    }
    return true;
  }

  data(chunk: Buffer): void {
    if (this.settled) return;
    this.total += chunk.length;
    if (this.total > this.maxBytes) {
      this.abandon(new HttpClientError('TOO_LARGE', `response exceeds the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.chunks.push(chunk);
  }

  end(): void {
    if (this.settled) return;
    this.finish();
    const { status, chunks } = this;
    if (status >= 300 && status < 400) this.reject(new HttpClientError('REDIRECT', `redirect (${status}) not followed`));
    else this.resolve({ status, headers: this.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.total) });
  }

  error(e: unknown): void {
    if (this.settled) return;
    this.finish();
    this.reject(requestError(e, this.what, this.timeoutMs, this.timedOut));
  }
}

let onceAgent: http.Agent | undefined;

/** A request on a connection of its own (node:http, `Connection: close`). */
function requestOnce(u: URL, opts: HttpRequestOptions, ex: Exchange): void {
  const body = opts.body;
  const headers: http.OutgoingHttpHeaders = { ...opts.headers, connection: 'close' };
  if (body !== undefined) headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  onceAgent ??= new http.Agent({ keepAlive: false, maxSockets: HTTP_CLIENT_CONNECTIONS_PER_ORIGIN, maxTotalSockets: HTTP_CLIENT_MAX_CONNECTIONS });
  const req = http.request({
    agent: onceAgent,
    host: u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname,
    port: u.port === '' ? 80 : Number(u.port),
    path: `${u.pathname}${u.search}`,
    method: opts.method ?? 'GET',
    headers,
  });
  ex.cancel = (err) => req.destroy(err);
  req.on('response', (res) => {
    // node:http already lower-cases names and joins repeated fields, all but set-cookie.
    const h = res.headers;
    if (!ex.head(res.statusCode ?? 0, h['set-cookie'] === undefined ? (h as Record<string, string>) : flattenHeaders(h))) return;
    res.on('data', (c: Buffer) => ex.data(c));
    res.on('end', () => ex.end());
    res.on('error', (e) => ex.error(e));
    // A connection closed before the body's end (no 'end'); after an end this changes nothing.
    res.on('close', () => ex.error(new Error('connection closed before the end of the response')));
  });
  req.on('error', (e) => ex.error(e));
  req.end(body);
}

/** An ordered request through the origin's pipelined undici pool (dispatch handler, no response stream). */
function requestOrdered(PoolOf: typeof Pool, u: URL, opts: HttpRequestOptions, ex: Exchange, timeoutMs: number): void {
  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      ex.cancel = (err) => c.abort(err);
      if (ex.settled) c.abort(new Error('request abandoned'));
      // A request undici resends behind a closed pipelined connection starts over.
      ex.restart();
    },
    onResponseStart(_c, statusCode, h) {
      ex.head(statusCode, flattenHeaders(h));
    },
    onResponseData(_c, chunk) {
      ex.data(chunk);
    },
    onResponseEnd() {
      ex.end();
    },
    onResponseError(_c, err) {
      ex.error(err);
    },
  };
  poolFor(PoolOf, u.origin).dispatch(
    {
      origin: u.origin,
      path: `${u.pathname}${u.search}`,
      method: (opts.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: opts.headers ?? {},
      body: opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : Buffer.from(opts.body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // Keeps its connection; undici pipelines only requests marked idempotent.
      idempotent: true,
    },
    handler,
  );
}

export function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  let u: URL;
  try {
    u = checkHttpUrl(url, opts.requireIpLiteral ?? false);
    opts.signal?.throwIfAborted();
  } catch (e) {
    return Promise.reject(e);
  }
  const timeoutMs = opts.timeoutMs ?? HTTP_CLIENT_TIMEOUT_MS;
  return new Promise<HttpResponse>((resolve, reject) => {
    const ex = new Exchange(u, opts.method ?? 'GET', timeoutMs, opts.maxResponseBytes ?? HTTP_CLIENT_MAX_RESPONSE_BYTES, opts.signal, resolve, reject);
    try {
      if (opts.ordered === true) requestOrdered((PoolClass ??= loadUndiciPool()), u, opts, ex, timeoutMs);
      else requestOnce(u, opts, ex);
    } catch (e) {
      ex.error(e);
    }
  });
}
