/**
 * Bounded HTTP requests for control points and event publishers (undici 7).
 *
 * API:
 *   httpRequest(url, opts?): Promise<HttpResponse>   throws HttpClientError
 *   HttpResponse { status, headers (lower-case names), body: Buffer }
 *   HttpClientError (code: 'invalid-url' | 'hostname-refused' | 'timeout' | 'aborted' | 'too-large' | 'network' | 'redirect')
 *   HTTP_CLIENT_* named limits
 *
 * Every request has a total deadline and a response size cap, never follows
 * redirects (a 3xx is an error), and with requireIpLiteral refuses URLs that
 * name a host instead of an address (a device description must not make us
 * resolve names; the caller decides when that applies). Connections are not
 * kept alive, like hostapd's UPnP client. The caller's AbortSignal ends a
 * request at once (code 'aborted'), before its deadline.
 */
import net from 'node:net';
import { request } from 'undici';

/** Whole request, connect to last body byte. */
export const HTTP_CLIENT_TIMEOUT_MS = 10_000;
/** Largest response body accepted. */
export const HTTP_CLIENT_MAX_RESPONSE_BYTES = 64 * 1024;

export type HttpClientErrorCode = 'invalid-url' | 'hostname-refused' | 'timeout' | 'aborted' | 'too-large' | 'network' | 'redirect';

export class HttpClientError extends Error {
  readonly code: HttpClientErrorCode;
  constructor(code: HttpClientErrorCode, message: string) {
    super(message);
    this.name = 'HttpClientError';
    this.code = code;
  }
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Refuse URLs whose host is not an IPv4/IPv6 literal. */
  requireIpLiteral?: boolean;
  /** Ends the request at once when it aborts (the caller's work went away). */
  signal?: AbortSignal;
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
    throw new HttpClientError('invalid-url', `invalid URL "${url}"`);
  }
  if (u.protocol !== 'http:') throw new HttpClientError('invalid-url', `URL "${url}" is not http:`);
  if (u.username !== '' || u.password !== '') throw new HttpClientError('invalid-url', 'URL with credentials refused');
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (requireIpLiteral && net.isIP(host) === 0) {
    throw new HttpClientError('hostname-refused', `URL host "${u.hostname}" is not an IP address`);
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

export async function httpRequest(url: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  const u = checkHttpUrl(url, opts.requireIpLiteral ?? false);
  const timeoutMs = opts.timeoutMs ?? HTTP_CLIENT_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? HTTP_CLIENT_MAX_RESPONSE_BYTES;
  const method = opts.method ?? 'GET';
  const callerAborted = (): boolean => opts.signal?.aborted === true;
  if (callerAborted()) throw new HttpClientError('aborted', `${method} ${u.href}: aborted before it started`);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal === undefined ? deadline : AbortSignal.any([deadline, opts.signal]);
  try {
    const res = await request(u, {
      method: method as 'GET',
      headers: opts.headers ?? {},
      body: opts.body === undefined ? null : typeof opts.body === 'string' ? opts.body : Buffer.from(opts.body),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // One request per connection: no pooled sockets left behind, as hostapd does.
      reset: true,
    });
    const headers = flattenHeaders(res.headers as Record<string, string | string[] | undefined>);
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBytes) {
      res.body.destroy();
      throw new HttpClientError('too-large', `response of ${declared} bytes exceeds the limit of ${maxBytes}`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      total += b.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new HttpClientError('too-large', `response exceeds the limit of ${maxBytes} bytes`);
      }
      chunks.push(b);
    }
    if (res.statusCode >= 300 && res.statusCode < 400) {
      throw new HttpClientError('redirect', `redirect (${res.statusCode}) not followed`);
    }
    return { status: res.statusCode, headers, body: Buffer.concat(chunks, total) };
  } catch (e) {
    if (e instanceof HttpClientError) throw e;
    if (callerAborted()) throw new HttpClientError('aborted', `${method} ${u.href}: aborted`);
    if (deadline.aborted) throw new HttpClientError('timeout', `${method} ${u.href}: no complete response within ${timeoutMs} ms`);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
      throw new HttpClientError('timeout', `${method} ${u.href}: ${err.message}`);
    }
    throw new HttpClientError('network', `${method} ${u.href}: ${err.message}`);
  }
}
