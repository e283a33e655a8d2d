/**
 * The ER web console: an express 5 app over a ConsoleBackend, bound to
 * loopback unless told otherwise. JSON API, server-sent events for live
 * state and event lines, and a plain page. Input is checked before it reaches
 * the ER; every error is a short JSON message, never a stack trace.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../common/log.js';
import { WpsdError } from '../common/errors.js';
import { loadAssets, type WebAsset } from './assets.js';
import { EnrollAllRunner } from './enroll-all.js';
import type { ConsoleBackend, ConsoleEvent, ConsoleResult } from './model.js';
import { pageEvent, pageState, type EnrollAllStatus } from './page-state.js';
import { SseHub, sseFrame, type SseHubOptions } from './sse.js';
import {
  WebInputError,
  parseConfigure,
  parseEnrollAll,
  parseLearn,
  parsePbcRequest,
  parsePinRequest,
  parseRevealKey,
} from './validate.js';

/** Largest request body accepted; the biggest form (configure) is well under 1 KiB. */
export const BODY_LIMIT_BYTES = 4096;
/** Backend changes within this window become one 'state' message. */
export const STATE_COALESCE_MS = 50;
/** With this many Enrollees a state message runs to hundreds of kilobytes: pages get one per LARGE_STATE_COALESCE_MS. */
export const LARGE_STATE_ENROLLEES = 200;
export const LARGE_STATE_COALESCE_MS = 300;
/** Open connections the console accepts (pages, their event streams, API calls). */
export const MAX_CONNECTIONS = 64;

export const DEFAULT_CONSOLE_HOST = '127.0.0.1';

export interface ConsoleServerOptions {
  backend: ConsoleBackend;
  /** Address to bind; loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  logger?: Logger;
  sse?: SseHubOptions;
}

export interface ConsoleServer {
  /** http://host:port/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Messages for the ER's refusals (the ctrl replies of wps_er_*). */
const REPLY_TEXT: Readonly<Record<string, string>> = {
  FAIL: 'The External Registrar refused the request.',
  'FAIL-UNKNOWN-UUID': 'No AP or Enrollee with that UUID or MAC address is known to the External Registrar.',
  'FAIL-NO-AP-SETTINGS': "The AP's settings are not known yet: learn the AP first.",
  'FAIL-PBC-OVERLAP': 'More than one Enrollee is in PBC mode (PBC session overlap); use a PIN instead.',
};

/** The console's HTTP refusals; the code names the status, the message is what the page shows. */
const CONSOLE_HTTP_CODES = {
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL',
} as const;
type ConsoleHttpStatus = keyof typeof CONSOLE_HTTP_CODES;

class ConsoleHttpError extends WpsdError<(typeof CONSOLE_HTTP_CODES)[ConsoleHttpStatus]> {
  constructor(
    readonly status: ConsoleHttpStatus,
    message: string,
  ) {
    super(CONSOLE_HTTP_CODES[status], message);
  }
}

function hostnameOf(hostHeader: string): string {
  const h = hostHeader.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i < 0 ? h : h.slice(0, i);
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '::1';
}

export interface ConsoleApp {
  app: Express;
  /** Detaches from the backend and ends every event stream. */
  dispose(): Promise<void>;
}

/** The express app without a listener (for embedding, and for tests). */
export function createConsoleApp(opts: ConsoleServerOptions & { host: string }): ConsoleApp {
  const { backend, logger } = opts;
  const assets = loadAssets();
  const hub = new SseHub(opts.sse);
  let stateTimer: NodeJS.Timeout | undefined;
  const runner = new EnrollAllRunner(backend, (s: EnrollAllStatus) => hub.broadcast('progress', s), logger);

  let lastEnrollees = 0;
  const currentState = () => {
    const st = pageState(backend.snapshot(), runner.latest);
    lastEnrollees = st.enrollees.length;
    return st;
  };
  const onChange = (): void => {
    if (stateTimer !== undefined) return;
    stateTimer = setTimeout(
      () => {
        stateTimer = undefined;
        hub.broadcast('state', currentState());
      },
      lastEnrollees > LARGE_STATE_ENROLLEES ? LARGE_STATE_COALESCE_MS : STATE_COALESCE_MS,
    );
  };
  const onEvent = (ev: ConsoleEvent): void => hub.broadcast('event', pageEvent(ev));
  backend.on('change', onChange);
  backend.on('event', onEvent);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  // DNS rebinding: a page from elsewhere must not reach a loopback console under its own name.
  const checkHost = isLoopbackHost(opts.host);
  const allowedHosts = new Set([...LOOPBACK_NAMES, opts.host.toLowerCase(), `[${opts.host.toLowerCase()}]`]);
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    if (checkHost) {
      const h = req.headers.host;
      if (h === undefined || !allowedHosts.has(hostnameOf(h))) {
        res.status(421).json({ error: 'This console answers only on loopback names (127.0.0.1, localhost).' });
        return;
      }
    }
    next();
  });

  const sendAsset = (res: Response, req: Request, asset: WebAsset): void => {
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', asset.type);
    res.setHeader('ETag', asset.etag);
    res.setHeader('Cache-Control', 'no-cache');
    res.end(asset.body);
  };

  app.get('/', (req, res) => {
    const page = assets.get('index.html');
    if (page === undefined) throw new ConsoleHttpError(500, 'The console page is missing.');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    sendAsset(res, req, page);
  });
  app.get('/favicon.ico', (req, res) => {
    const icon = assets.get('favicon.svg');
    if (icon === undefined) throw new ConsoleHttpError(404, 'Not found.');
    sendAsset(res, req, icon);
  });
  app.get('/static/:name', (req, res) => {
    const name = req.params.name;
    const asset = name === 'index.html' ? undefined : assets.get(name);
    if (asset === undefined) throw new ConsoleHttpError(404, 'Not found.');
    sendAsset(res, req, asset);
  });

  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  app.get('/api/state', (_req, res) => {
    res.json(currentState());
  });

  app.get('/api/events', (req, res) => {
    const snap = backend.snapshot();
    const hello = sseFrame('hello', { state: pageState(snap, runner.latest), events: snap.events.map(pageEvent) });
    if (!hub.add(req, res, hello)) {
      res.status(503).json({ error: 'Too many console pages are open; close one and reload.' });
    }
  });

  // JSON only: a cross-site form cannot send it without a CORS preflight, which this server never grants.
  const jsonBody = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: () => true });
  const requireJson = (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.is('application/json')) {
      next(new ConsoleHttpError(415, 'Send the form as JSON (Content-Type: application/json).'));
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let sameHost: boolean;
      try {
        sameHost = new URL(origin).host === req.headers.host;
      } catch {
        sameHost = false;
      }
      if (!sameHost) {
        next(new ConsoleHttpError(403, 'Requests from other sites are refused.'));
        return;
      }
    }
    next();
  };
  app.use('/api', (req, res, next) => {
    if (req.method !== 'POST') {
      next();
      return;
    }
    requireJson(req, res, (err?: unknown) => (err === undefined ? jsonBody(req, res, next) : next(err)));
  });

  const answer = (res: Response, r: ConsoleResult): void => {
    if (r.ok) {
      res.json({ ok: true, reply: r.reply, message: r.message ?? 'OK' });
      return;
    }
    res.status(409).json({ ok: false, reply: r.reply, error: r.message ?? REPLY_TEXT[r.reply] ?? REPLY_TEXT.FAIL });
  };

  app.post('/api/learn', async (req, res) => {
    const { ap, pin } = parseLearn(req.body);
    logger?.info(`web: learn AP ${ap}`);
    answer(res, await backend.learn(ap, pin));
  });

  app.post('/api/configure', async (req, res) => {
    const { ap, pin, settings } = parseConfigure(req.body);
    logger?.info(`web: configure AP ${ap} ssid=${JSON.stringify(settings.ssid)} ${settings.auth} ${settings.encr}`);
    answer(res, await backend.configure(ap, pin, settings));
  });

  app.post('/api/pin', async (req, res) => {
    const r = parsePinRequest(req.body);
    logger?.info(`web: PIN for Enrollee ${r.enrollee}${r.mac !== undefined ? ` (${r.mac})` : ''}`);
    answer(res, await backend.authorizePin(r));
  });

  app.post('/api/pbc', async (req, res) => {
    const enrollee = parsePbcRequest(req.body);
    logger?.info(`web: PBC for Enrollee ${enrollee}`);
    answer(res, await backend.authorizePbc(enrollee));
  });

  app.post('/api/enroll-all', (req, res) => {
    const r = parseEnrollAll(req.body);
    if (!runner.start(r)) throw new ConsoleHttpError(409, 'An "enroll all" run is already under way.');
    logger?.info(`web: enroll all by ${r.method.toUpperCase()}`);
    res.status(202).json({ ok: true, message: 'Started' });
  });

  app.post('/api/reveal-key', (req, res) => {
    const sel = parseRevealKey(req.body);
    const ap = backend.snapshot().aps.find((a) => a.uuid.toLowerCase() === sel || a.mac.toLowerCase() === sel);
    if (ap === undefined) throw new ConsoleHttpError(404, 'No AP with that UUID or MAC address is known.');
    if (ap.settings === undefined) throw new ConsoleHttpError(409, "The AP's settings are not known yet: learn the AP first.");
    res.json({ key: ap.settings.key, revision: ap.settingsRevision ?? 0 });
  });

  app.use('/api', () => {
    throw new ConsoleHttpError(404, 'No such API call.');
  });
  app.use(() => {
    throw new ConsoleHttpError(404, 'Not found.');
  });

  // Every failure ends here: a status and one sentence, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    let status = 500;
    let body: { error: string; field?: string } = { error: 'The console could not handle the request.' };
    if (err instanceof WebInputError) {
      status = 400;
      body = err.field !== undefined ? { error: err.message, field: err.field } : { error: err.message };
    } else if (err instanceof ConsoleHttpError) {
      status = err.status;
      body = { error: err.message };
    } else if (typeof err === 'object' && err !== null && 'type' in err && typeof (err as { type: unknown }).type === 'string') {
      // body-parser's errors carry a type and a status.
      const t = (err as { type: string }).type;
      if (t === 'entity.too.large') {
        status = 413;
        body = { error: `The request is too large (at most ${BODY_LIMIT_BYTES} bytes).` };
      } else if (t === 'entity.parse.failed') {
        status = 400;
        body = { error: 'The request body is not valid JSON.' };
      } else {
        status = 400;
        body = { error: 'The request body cannot be read.' };
      }
    } else {
      logger?.warn(`web: ${req.method} ${req.path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  });

  return {
    app,
    async dispose() {
      backend.off('change', onChange);
      backend.off('event', onEvent);
      if (stateTimer !== undefined) clearTimeout(stateTimer);
      hub.close();
      await runner.stop();
    },
  };
}

/** Starts the console on host:port (127.0.0.1 and a free port unless told). */
export async function createConsoleServer(opts: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = opts.host ?? DEFAULT_CONSOLE_HOST;
  const { app, dispose } = createConsoleApp({ ...opts, host });
  const server: Server = createServer(app);
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      reject(e);
    };
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch(async (e: unknown) => {
    await dispose();
    throw e;
  });
  server.on('error', (e) => opts.logger?.warn(`web: ${e.message}`));
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  opts.logger?.info(`web: ER console at ${url}`);
  return {
    url,
    host,
    port,
    async close() {
      await dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
