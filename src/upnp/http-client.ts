/**
 * Bounded HTTP requests for control points and event publishers (undici 7).
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
 * resolve names; the caller decides when that applies). Connections are not
 * kept alive, like hostapd's UPnP client: every request says
 * `Connection: close` (hostapd closes after each answer anyway).
 *
 * One undici Pool per origin, kept across requests in a bounded table: the
 * global Agent drops an origin's pool as soon as its last connection closes,
 * which with one request per connection means a new pool and client for
 * every request (0.71x the CPU per loopback round trip with the kept pool;
 * bench/README.md).
 *
 * `ordered` requests (GENA NOTIFY) go over one kept-alive connection per
 * origin, pipelined up to HTTP_CLIENT_ORDERED_PIPELINE deep, so they reach
 * the peer in the order they were made; a peer that answers
 * `Connection: close` gets a new connection for the next one, and undici
 * resends the requests pipelined behind a closed connection's last answer.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { Dispatcher, Pool } from 'undici';
import { WpsdError } from '../common/errors.js';

/** Whole request, connect to last body byte. */
export const HTTP_CLIENT_TIMEOUT_MS = 10_000;
/** Largest response body accepted. */
export const HTTP_CLIENT_MAX_RESPONSE_BYTES = 64 * 1024;
/**
 * Origins whose pool is kept; the least recently used one is closed (after
 * its requests finish) beyond this. A 32-AP fleet and its event callbacks
 * fit; a flood of advertised locations only churns the table.
 */
export const HTTP_CLIENT_MAX_ORIGINS = 128;
/** Connections at once to one origin; further requests wait for one (within their deadline). */
export const HTTP_CLIENT_CONNECTIONS_PER_ORIGIN = 4;
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
 * undici is loaded on the first request, and only its Pool (with the client
 * it needs; requests go through dispatch(), not the request API): its index
 * also loads fetch, WebSocket, caches and mocks, and fetch's cookie code
 * touches globalThis.Headers, which loads Node's own copy of undici too:
 * ~9 MiB of resident memory that a UPnP client never uses (bench/README.md,
 * "Resident memory"). Should a later undici move the file, the package's
 * index is loaded instead.
 */
let PoolClass: typeof Pool | undefined;
async function loadPool(): Promise<typeof Pool> {
  PoolClass ??= loadUndiciPool();
  return Promise.resolve(PoolClass);
}

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

/** The kept pool for `origin` (its ordered one: one pipelined connection), most recently used last. */
function poolFor(PoolOf: typeof Pool, origin: string, ordered: boolean): Pool {
  const key = ordered ? `${origin} ordered` : origin;
  let pool = pools.get(key);
  if (pool !== undefined) {
    pools.delete(key);
  } else {
    pool = new PoolOf(origin, ordered ? { connections: 1, pipelining: HTTP_CLIENT_ORDERED_PIPELINE } : { connections: HTTP_CLIENT_CONNECTIONS_PER_ORIGIN });
    if (pools.size >= HTTP_CLIENT_MAX_ORIGINS) {
      const [oldest, evicted] = pools.entries().next().value as [string, Pool];
      pools.delete(oldest);
      evicted.close().catch(() => undefined);
    }
  }
  pools.set(key, pool);
  return pool;
}

/** The error a failed request ends with, from undici's error and which deadline fired. */
function requestError(e: unknown, what: () => string, timeoutMs: number, timedOut: boolean): unknown {
  if (e instanceof HttpClientError) return e;
  if (timedOut) return new HttpClientError('TIMEOUT', `${what()}: no complete response within ${timeoutMs} ms`);
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') return new HttpClientError('TIMEOUT', `${what()}: ${err.message}`);
  return new HttpClientError('NETWORK', `${what()}: ${err.message}`);
}

/**
 * One request through the origin's pool with undici's dispatch handler:
 * the body is gathered from the chunks as they come (no response stream,
 * no async iteration), and the deadline is one timer (no AbortSignal per
 * request): the SOAP round trip is the ER's hot path.
 */
export async function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  const u = checkHttpUrl(url, opts.requireIpLiteral ?? false);
  const callerSignal = opts.signal;
  callerSignal?.throwIfAborted();
  const timeoutMs = opts.timeoutMs ?? HTTP_CLIENT_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? HTTP_CLIENT_MAX_RESPONSE_BYTES;
  const ordered = opts.ordered === true;
  // Only an error message needs it.
  const what = (): string => `${opts.method ?? 'GET'} ${u.href}`;
  const PoolOf = PoolClass ?? (await loadPool());
  return new Promise<HttpResponse>((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    /** Set once the request is over (answered, failed or abandoned): later callbacks change nothing. */
    let settled = false;
    let timedOut = false;
    let status = 0;
    let headers: Record<string, string> = {};
    let chunks: Buffer[] = [];
    let total = 0;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    };
    /** Ends the request now; a request still queued for a connection is aborted when it starts. */
    const abandon = (err: unknown): void => {
      if (settled) return;
      finish();
      reject(err);
      controller?.abort(err instanceof Error ? err : new Error(String(err)));
    };
    // The whole-request deadline; undici's headersTimeout/bodyTimeout only bound each wait.
    const timer = setTimeout(() => {
      timedOut = true;
      abandon(requestError(undefined, what, timeoutMs, true));
    }, timeoutMs);
    // Like AbortSignal.timeout: a pending deadline alone does not keep the process alive (the socket does).
    timer.unref();
    const onAbort = (): void => abandon(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while undici was loading: the listener came too late to hear it.
    if (callerSignal?.aborted === true) onAbort();
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (settled) c.abort(new Error('request abandoned'));
        // A request undici resends behind a closed pipelined connection starts over.
        chunks = [];
        total = 0;
      },
      onResponseStart(_c, statusCode, h) {
        status = statusCode;
        headers = flattenHeaders(h);
        chunks = [];
        total = 0;
        const declared = headers['content-length'];
        if (declared !== undefined && Number(declared) > maxBytes) {
          abandon(new HttpClientError('TOO_LARGE', `response of ${declared} bytes exceeds the limit of ${maxBytes}`));
        }
      },
      onResponseData(_c, chunk) {
        if (settled) return;
        total += chunk.length;
        if (total > maxBytes) {
          abandon(new HttpClientError('TOO_LARGE', `response exceeds the limit of ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        finish();
        if (status >= 300 && status < 400) reject(new HttpClientError('REDIRECT', `redirect (${status}) not followed`));
        else resolve({ status, headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) });
      },
      onResponseError(_c, err) {
        if (settled) return;
        finish();
        reject(requestError(err, what, timeoutMs, timedOut));
      },
    };
    try {
      poolFor(PoolOf, u.origin, ordered).dispatch(
        {
          origin: u.origin,
          path: `${u.pathname}${u.search}`,
          method: (opts.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: opts.headers ?? {},
          body: opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : Buffer.from(opts.body),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          // Sends `Connection: close` and closes after the answer: no pooled sockets left behind, as hostapd does.
          // Ordered requests keep their connection, and may be pipelined (undici pipelines only requests marked idempotent).
          reset: !ordered,
          ...(ordered ? { idempotent: true } : {}),
        },
        handler,
      );
    } catch (e) {
      if (!settled) {
        finish();
        reject(requestError(e, what, timeoutMs, false));
      }
    }
  });
}
