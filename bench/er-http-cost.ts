/**
 * The ER's HTTP client alone: CPU of the client process per SOAP-sized
 * round trip against a server in a child process that answers as hostapd
 * does (Content-Length, `Connection: close`, then close), so only the
 * client's side is counted. Compares src/upnp/http-client.ts of one or
 * more builds (undici's Pool until 2026-12-02's fourth session, one
 * node:http Agent since) with bare node:http (`agent: false`, a connection
 * per request). Not part of `npm run bench`; figures in bench/README.md.
 *
 *   node dist/bench/er-http-cost.js [--turbofan] [distRoot ...]   (default: this build)
 *
 * The client process runs under the daemons' V8 flags (V8_DAEMON_FLAGS:
 * Sparkplug only, set before any client code runs), so the figures are
 * what `wpsd sta` pays; `--turbofan` leaves V8's defaults, as this bench
 * ran before 2026-12-02's fourth session (a bench process tiers its hot
 * loop up to TurboFan, which the daemon never does).
 *
 * Each round runs every client in turn (ROUND_TRIPS after WARMUP); the
 * first round is the coldest, as in a daemon that has served few learns.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyV8Flags, V8_DAEMON_FLAGS } from '../src/common/v8-memory.js';

const ROUNDS = 4;
const WARMUP = 100;
const ROUND_TRIPS = 1500;

/** A GetDeviceInfo-sized answer (an M1 in base64). */
const BODY =
  '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
  '<u:GetDeviceInfoResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"><NewDeviceInfo>' +
  Buffer.alloc(400, 0x5a).toString('base64') +
  '</NewDeviceInfo></u:GetDeviceInfoResponse></s:Body></s:Envelope>\n';

/** The child: a raw TCP server answering one request per connection like hostapd's httpread/http_server. */
function serve(): void {
  const answer = Buffer.from(
    `HTTP/1.1 200 OK\r\nServer: unspecified, UPnP/1.0, unspecified\r\nConnection: close\r\n` +
      `Content-Type: text/xml; charset="utf-8"\r\nContent-Length: ${Buffer.byteLength(BODY)}\r\n\r\n${BODY}`,
  );
  const srv = net.createServer((s) => {
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /content-length: *(\d+)/i.exec(got.slice(0, end));
      if (m === null || got.length - end - 4 >= Number(m[1])) s.end(answer);
    });
    s.on('error', () => undefined);
  });
  srv.listen(0, '127.0.0.1', () => process.send?.((srv.address() as net.AddressInfo).port));
}

type Client = () => Promise<unknown>;

async function main(dists: string[]): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve']);
  try {
    await measure(dists, await new Promise<number>((r) => child.once('message', (p) => r(p as number))));
  } finally {
    // Also when a build fails to load: the server child must not outlive the bench.
    child.kill();
  }
}

async function measure(dists: string[], port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/wps_control`;
  const reqBody = `<?xml version="1.0"?><s:Envelope>${'x'.repeat(300)}</s:Envelope>`;
  const headers = { 'content-type': 'text/xml; charset="utf-8"', soapaction: '"urn:schemas-wifialliance-org:service:WFAWLANConfig:1#PutMessage"' };
  const clients = new Map<string, Client>();
  for (const d of dists) {
    const mod = (await import(pathToFileURL(path.join(d, 'src/upnp/http-client.js')).href)) as { httpRequest: (u: string, o: object) => Promise<unknown> };
    clients.set(`http-client.ts (${d})`, () => mod.httpRequest(url, { method: 'POST', headers, body: reqBody, requireIpLiteral: true }));
  }
  clients.set('node:http, agent: false', () =>
    new Promise((resolve, reject) => {
      const r = http.request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(reqBody), connection: 'close' } }, (m) => {
        const chunks: Buffer[] = [];
        m.on('data', (c: Buffer) => chunks.push(c));
        m.on('end', () => resolve(Buffer.concat(chunks)));
      });
      r.on('error', reject);
      r.end(reqBody);
    }),
  );
  const cpu = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, once] of clients) {
      for (let i = 0; i < WARMUP; i++) await once();
      const c0 = process.cpuUsage();
      for (let i = 0; i < ROUND_TRIPS; i++) await once();
      const c = process.cpuUsage(c0);
      cpu.set(name, [...(cpu.get(name) ?? []), (c.user + c.system) / 1000 / ROUND_TRIPS]);
    }
  }
  for (const [name, xs] of cpu) console.log(`${name}: client CPU ms per round trip, rounds 1..${ROUNDS}: ${xs.map((x) => x.toFixed(3)).join(' ')}`);
}

if (process.argv[2] === '--serve') serve();
else if (import.meta.url === `file://${process.argv[1]}`) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const args = process.argv.slice(2);
  const turbofan = args[0] === '--turbofan';
  if (!turbofan) applyV8Flags(V8_DAEMON_FLAGS);
  const dists = turbofan ? args.slice(1) : args;
  console.log(turbofan ? 'V8 defaults (TurboFan)' : `V8_DAEMON_FLAGS: ${V8_DAEMON_FLAGS.join(' ')}`);
  await main(dists.length > 0 ? dists.map((d) => path.resolve(d)) : [path.join(here, '..')]);
}
