/**
 * Micro-measurements of single UPnP-path levers, in-process on loopback
 * (not part of `npm run bench`; figures in bench/README.md):
 *
 *   node dist/bench/micro-upnp.js http|xml|dh|server|gena [distRoot]
 *
 * `distRoot` (default: this build) is the dist/ directory whose
 * src/upnp modules are measured, so a build of the previous commit can be
 * measured back to back with this one. Each lever runs 3 times; the medians
 * of the 3 per-operation means of process CPU time (loopback server
 * included, the figure that a loaded machine disturbs least) and of wall
 * time are printed.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUNS = 3;

const here = path.dirname(fileURLToPath(import.meta.url));
const distRoot = path.resolve(process.argv[3] ?? path.join(here, '..'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function timeRuns(label: string, n: number, once: () => Promise<void> | void): Promise<void> {
  for (let i = 0; i < Math.min(50, n); i++) await once();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await once();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6 / n);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / n);
  }
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(4)).join(', ');
  console.log(`${label}: median CPU ${median(cpu).toFixed(4)} ms/op (${fmt(cpu)}), median wall ${median(wall).toFixed(4)} ms/op (${fmt(wall)}); n=${n}`);
}

/** A SOAP answer the size of a GetDeviceInfo response (an M1 in base64). */
const SOAP_BODY =
  '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
  '<s:Body><u:GetDeviceInfoResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"><NewDeviceInfo>' +
  Buffer.alloc(400, 0x5a).toString('base64') +
  '</NewDeviceInfo></u:GetDeviceInfoResponse></s:Body></s:Envelope>\n';

async function benchHttp(): Promise<void> {
  const mod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/http-client.js')).href)) as {
    httpRequest: (url: string, o: object) => Promise<{ status: number; body: Buffer }>;
  };
  // Answers like hostapd: one SOAP answer per connection, then close.
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Content-Length': Buffer.byteLength(SOAP_BODY), Connection: 'close' });
      res.end(SOAP_BODY);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/wps_control`;
  await timeRuns(`http ${distRoot}`, 1000, async () => {
    const res = await mod.httpRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '"urn:schemas-wifialliance-org:service:WFAWLANConfig:1#GetDeviceInfo"' },
      body: '<?xml version="1.0"?><s:Envelope/>',
      requireIpLiteral: true,
    });
    if (res.status !== 200 || res.body.length === 0) throw new Error('bad response');
  });
  server.close();
}

async function benchXml(): Promise<void> {
  const mod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/xml.js')).href)) as {
    parseXmlBounded: (t: string, max: number, what: string) => object;
  };
  await timeRuns(`xml ${distRoot}`, 20_000, () => {
    mod.parseXmlBounded(SOAP_BODY, 64 * 1024, 'bench');
  });
}

/**
 * The DH key pool: one in-memory PIN registration with each side
 * generating its key pair in the run (as before the pool) and with both
 * pairs taken from a stocked DhKeyPool, whose refills run between the
 * timed registrations as a daemon's setImmediate runs them between events.
 */
async function benchDh(): Promise<void> {
  const reg = (await import(pathToFileURL(path.join(distRoot, 'bench/registration.js')).href)) as typeof import('./registration.js');
  const poolMod = (await import(pathToFileURL(path.join(distRoot, 'src/wps/dh-key-pool.js')).href)) as typeof import('../src/wps/dh-key-pool.js');
  const refills: (() => void)[] = [];
  const pool = new poolMod.DhKeyPool({ defer: (t) => refills.push(t) });
  const drain = (): void => {
    while (refills.length > 0) (refills.shift() as () => void)();
  };
  pool.fill();
  drain();
  await timeRuns(`dh fresh keys ${distRoot}`, 500, () => reg.pinRegistration());
  // Wall time per registration only: the refills are outside the measured path.
  const wall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let total = 0;
    for (let i = 0; i < 500; i++) {
      const t0 = process.hrtime.bigint();
      reg.pinRegistration({ enrollee: pool.take(), registrar: pool.take() });
      total += Number(process.hrtime.bigint() - t0) / 1e6;
      drain();
    }
    wall.push(total / 500);
  }
  console.log(`dh pooled keys ${distRoot}: median wall ${median(wall).toFixed(4)} ms/op on the critical path (${wall.map((x) => x.toFixed(4)).join(', ')}); n=500`);
}

/** An UpnpHttpServer of either build: routes through `.route` (node:http) or `.app` (express, before). */
interface AnyUpnpServer {
  route?: (method: string, path: string, h: unknown) => void;
  app?: { post: (path: string, h: unknown) => void };
  start(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/**
 * The device's HTTP: CPU per SOAP round trip (a GetDeviceInfo-sized answer)
 * through UpnpHttpServer and soapControlHandler, the client a plain
 * node:http request per connection as hostapd's and wpa_supplicant's are.
 */
async function benchServer(): Promise<void> {
  const srvMod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/http-server.js')).href)) as { UpnpHttpServer: new (o: object) => AnyUpnpServer };
  const soapMod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/soap-server.js')).href)) as { soapControlHandler: (s: object) => unknown };
  const ST = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
  const server = new srvMod.UpnpHttpServer({ host: '127.0.0.1', closeEachConnection: true });
  const handler = soapMod.soapControlHandler({ serviceType: ST, actions: { GetDeviceInfo: () => ({ NewDeviceInfo: Buffer.alloc(400, 0x5a).toString('base64') }) } });
  if (server.route) server.route('POST', '/wps_control', handler);
  else server.app?.post('/wps_control', handler);
  const { port } = await server.start();
  const body = `<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetDeviceInfo xmlns:u="${ST}"></u:GetDeviceInfo></s:Body></s:Envelope>\n`;
  await timeRuns(`server ${distRoot}`, 1000, () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/wps_control', method: 'POST', agent: false, headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${ST}#GetDeviceInfo"`, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${String(res.statusCode)}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    }),
  );
  await server.close();
}

/**
 * GENA delivery: a publisher and a subscriber on loopback, events published
 * in bursts of 6 (what one proxied enrollment sends an ER); wall and CPU per
 * event until the subscriber has every one, SEQ order checked.
 */
async function benchGena(): Promise<void> {
  const srvMod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/http-server.js')).href)) as { UpnpHttpServer: new (o: object) => AnyUpnpServer & { baseUrl: string } };
  const pubMod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/gena-publisher.js')).href)) as {
    GenaPublisher: new (o: object) => { mount(x: unknown, p: string): void; publish(p: Record<string, string>): void; close(): void };
  };
  const subMod = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/gena-subscriber.js')).href)) as {
    GenaSubscriber: new (o: object) => { start(): Promise<void>; subscribe(url: string, h: object): Promise<unknown>; close(): Promise<void> };
  };
  const server = new srvMod.UpnpHttpServer({ host: '127.0.0.1' });
  const pub = new pubMod.GenaPublisher({ initialState: () => ({ X: '0' }) });
  pub.mount(server.route ? server : server.app, '/event');
  await server.start();
  const sub = new subMod.GenaSubscriber({ address: '127.0.0.1' });
  await sub.start();
  let got = 0;
  let lastSeq = -1;
  let waiter: (() => void) | undefined;
  let want = 0;
  await sub.subscribe(`${server.baseUrl}/event`, {
    onEvent: (_p: unknown, info: { seq: number }) => {
      if (info.seq !== lastSeq + 1) throw new Error(`SEQ ${info.seq} after ${lastSeq}`);
      lastSeq = info.seq;
      got++;
      if (got >= want) waiter?.();
    },
  });
  want = 1;
  while (got < 1) await new Promise<void>((r) => setTimeout(r, 10));
  await timeRuns(`gena burst of 6 ${distRoot}`, 100, async () => {
    want = got + 6;
    const done = new Promise<void>((r) => (waiter = r));
    for (let i = 0; i < 6; i++) pub.publish({ X: String(i) });
    await done;
  });
  pub.close();
  await sub.close();
  await server.close();
}

const what = process.argv[2];
if (what === 'http') await benchHttp();
else if (what === 'xml') await benchXml();
else if (what === 'dh') await benchDh();
else if (what === 'server') await benchServer();
else if (what === 'gena') await benchGena();
else {
  console.error('usage: micro-upnp.js http|xml|dh|server|gena [distRoot]');
  process.exitCode = 2;
}
