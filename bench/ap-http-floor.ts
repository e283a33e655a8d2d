/**
 * `node dist/bench/ap-http-floor.js [requests] [distRoot ...]` (not part of
 * `npm run bench`): what one SOAP round trip costs the AP's process in
 * Node, layer by layer, to tell the floor of bench 2 from what wpsd adds.
 *
 * The server runs in a child process of its own with the daemons' V8 flags
 * (V8_DAEMON_FLAGS, set the way `wpsd ap` sets them) and reports its own CPU
 * (process.cpuUsage, all threads) over the timed requests; this process is
 * the client, a raw TCP socket per request as wpa_supplicant's ER opens
 * one: it sends the recorded M2 PutMessage request of
 * fixtures/reference/http/08-* (headers and body in one write) and reads
 * the answer until the server closes, one request at a time.
 *
 * Servers, each answering the recorded PutMessage answer's size:
 *   net        node:net alone: read up to the end of the body, write a canned
 *              answer, end the socket (Node's floor per connection)
 *   http       node:http: createServer, body read, writeHead + end of a
 *              canned answer with Connection: close
 *   upnp       src/upnp of each `distRoot` (default: this build):
 *              UpnpHttpServer (as WfaDevice configures it) and
 *              soapControlHandler, the action answering a canned M3: HTTP,
 *              limits, XML parse and build, without WPS
 * Per server, alternating, 3 rounds after a warm-up of `requests` / 2:
 * median server CPU per request (us) and client round-trip median / p95.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, '..', '..');
const ROUNDS = 3;
const ST = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';

/** The recorded M2 PutMessage of wpa_supplicant's ER, and the M3 hostapd answered with (its base64 payload). */
function fixtureRequest(): Buffer {
  const raw = readFileSync(path.join(repo, 'fixtures/reference/http/08-learn-PutMessage-m2-m3.request.http'), 'latin1');
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n').map((l) => (/^content-length:/i.test(l) ? `Content-Length: ${Buffer.byteLength(body, 'latin1')}` : l));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

function fixtureAnswerMessage(): string {
  const raw = readFileSync(path.join(repo, 'fixtures/reference/http/08-learn-PutMessage-m2-m3.response.http'), 'latin1');
  return /<NewOutMessage>([^<]*)<\/NewOutMessage>/.exec(raw)?.[1] ?? '';
}

type ServerKind = 'net' | 'http' | `upnp:${string}`;

interface ChildReport {
  port?: number;
  cpuUs?: number;
}

/** The child's side: start the server, then report CPU on request. */
async function serve(kind: ServerKind): Promise<void> {
  const distRoot = kind.startsWith('upnp:') ? kind.slice(5) : path.join(here, '..');
  const v8mem = (await import(pathToFileURL(path.join(distRoot, 'src/common/v8-memory.js')).href)) as { applyV8Flags(f: readonly string[]): void; V8_DAEMON_FLAGS: readonly string[] };
  v8mem.applyV8Flags(v8mem.V8_DAEMON_FLAGS);
  const message = fixtureAnswerMessage();
  const answerXml =
    '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n' +
    `<u:PutMessageResponse xmlns:u="${ST}">\n<NewOutMessage>${message}</NewOutMessage>\n</u:PutMessageResponse>\n</s:Body>\n</s:Envelope>\n`;
  let port: number;
  if (kind === 'net') {
    const head = `HTTP/1.1 200 OK\r\nServer: x\r\nConnection: close\r\nEXT: \r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(answerXml)}\r\n\r\n`;
    const answer = Buffer.from(head + answerXml);
    const server = net.createServer((s) => {
      let got = 0;
      let need = -1;
      let headText = '';
      s.on('data', (c: Buffer) => {
        got += c.length;
        if (need < 0) {
          headText += c.toString('latin1');
          const end = headText.indexOf('\r\n\r\n');
          if (end < 0) return;
          const cl = /content-length:\s*(\d+)/i.exec(headText.slice(0, end));
          need = end + 4 + Number(cl?.[1] ?? 0);
        }
        if (got >= need) s.end(answer);
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  } else if (kind === 'http') {
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Buffer.concat(chunks);
        res.writeHead(200, ['Server', 'x', 'Connection', 'close', 'EXT', '', 'Content-Type', 'text/xml; charset=utf-8', 'Content-Length', String(Buffer.byteLength(answerXml))]);
        res.end(answerXml);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  } else {
    const srv = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/http-server.js')).href)) as {
      UpnpHttpServer: new (o: object) => { route(m: string, p: string, h: unknown): void; start(): Promise<{ port: number }> };
    };
    const soap = (await import(pathToFileURL(path.join(distRoot, 'src/upnp/soap-server.js')).href)) as { soapControlHandler: (s: object) => unknown };
    const server = new srv.UpnpHttpServer({ host: '127.0.0.1', serverHeader: 'Unspecified, UPnP/1.0, Unspecified', closeEachConnection: true });
    server.route('POST', '/wps_control', soap.soapControlHandler({ serviceType: ST, actions: { PutMessage: () => ({ NewOutMessage: message }) } }));
    port = (await server.start()).port;
  }
  let c0 = process.cpuUsage();
  process.on('message', (m: string) => {
    if (m === 'start') {
      c0 = process.cpuUsage();
      process.send?.({} satisfies ChildReport);
    } else if (m === 'stop') {
      const c = process.cpuUsage(c0);
      process.send?.({ cpuUs: c.user + c.system } satisfies ChildReport);
    } else if (m === 'exit') process.exit(0);
  });
  // A client that dies (Ctrl-C, a crash) takes its servers with it.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ port } satisfies ChildReport);
}

function roundTrip(port: number, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    let status = '';
    s.setNoDelay(true);
    s.on('connect', () => s.write(request));
    s.on('data', (c: Buffer) => {
      if (status === '') status = c.toString('latin1', 0, 12);
    });
    s.on('end', () => {
      s.end();
      if (status !== 'HTTP/1.1 200') reject(new Error(`answer "${status}"`));
      else resolve(performance.now() - t0);
    });
    s.on('error', reject);
  });
}

interface Child {
  label: string;
  port: number;
  ask(m: string): Promise<ChildReport>;
  proc: ReturnType<typeof fork>;
}

async function startChild(label: string, kind: ServerKind): Promise<Child> {
  const proc = fork(fileURLToPath(import.meta.url), ['--serve', kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<ChildReport> => new Promise((r) => proc.once('message', (m) => r(m as ChildReport)));
  const first = await next();
  return {
    label,
    port: first.port as number,
    proc,
    ask: (m) => {
      const p = next();
      proc.send(m);
      return p;
    },
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args[0] ?? 1000);
  const roots = args.slice(1).map((r) => path.resolve(r));
  const request = fixtureRequest();
  const kinds: [string, ServerKind][] = [
    ['net', 'net'],
    ['http', 'http'],
    ...(roots.length > 0 ? roots : [path.join(here, '..')]).map((r): [string, ServerKind] => [`upnp ${r}`, `upnp:${r}`]),
  ];
  const children = [];
  for (const [label, kind] of kinds) children.push(await startChild(label, kind));
  const load0 = loadavg()[0] ?? 0;
  const cpu = new Map<string, number[]>(children.map((c) => [c.label, []]));
  const rtt = new Map<string, number[]>(children.map((c) => [c.label, []]));
  for (const c of children) for (let i = 0; i < n / 2; i++) await roundTrip(c.port, request);
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of round % 2 === 0 ? children : [...children].reverse()) {
      await c.ask('start');
      for (let i = 0; i < n; i++) rtt.get(c.label)?.push(await roundTrip(c.port, request));
      cpu.get(c.label)?.push(((await c.ask('stop')).cpuUs ?? NaN) / n);
    }
  }
  console.log(`load average ${load0.toFixed(2)} -> ${(loadavg()[0] ?? 0).toFixed(2)}; ${ROUNDS} rounds of ${n} requests per server, alternating`);
  console.log('| server | CPU per request, us (median of rounds; rounds) | round trip median / p95, ms |\n|---|---:|---:|');
  for (const c of children) {
    const cs = cpu.get(c.label) ?? [];
    const rs = rtt.get(c.label) ?? [];
    console.log(`| ${c.label} | ${quantile(cs, 0.5).toFixed(0)} (${cs.map((x) => x.toFixed(0)).join(', ')}) | ${quantile(rs, 0.5).toFixed(3)} / ${quantile(rs, 0.95).toFixed(3)} |`);
    c.proc.send('exit');
  }
}

if (process.argv[2] === '--serve') await serve(process.argv[3] as ServerKind);
else await main();
