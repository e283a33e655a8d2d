/**
 * The floor under bench 4b: what a minimal Node program spends per proxied
 * enrollment doing the External Registrar's round trips and crypto, with
 * none of wpsd's layers. The ER here is a child process under the daemons'
 * V8 flags (V8_DAEMON_FLAGS); this process plays the AP and is not counted.
 *
 * Per enrollment, as in bench 4b (counted in the real ER with strace: 6
 * NOTIFYs, 4.25 TCP connects, 3 event datagrams and one command):
 * - a WPS_ER_PIN command datagram in, "OK" out;
 * - 6 GENA NOTIFYs (a probe, M1, M3, M5, M7, WSC_Done, each a WLANEvent
 *   property set of the real size) on one kept connection, each answered 200;
 * - for M1, M3, M5, M7 the registrar's crypto (DH key pair and shared
 *   secret over MODP group 5, the KDF, ~18 HMAC-SHA-256, 3 AES-128-CBC
 *   encryptions and 2 decryptions) and one PutWLANResponse POST on a
 *   connection of its own, which the AP answers and closes;
 * - 3 event datagrams (2 WPS-ER-ENROLLEE-ADD, 1 WPS-SUCCESS).
 * No checks beyond reading what is needed: a floor, not a registrar.
 *
 * Transports (the second argument):
 * - `libs`: what wpsd used at the start of issue 17's fourth session:
 *   node:http server for NOTIFY, fast-xml-parser for the property set,
 *   undici (one Pool per origin, request()) for the POST; `libs-http-client`
 *   has node:http for the POST, as wpsd since;
 * - `raw`: node:net both ways, HTTP read and written by hand;
 * - the parts in between (see MODES), and wpsd's own layers on top of the
 *   libraries: `wpsd-gena` (src/upnp/gena-subscriber.ts receiving),
 *   `wpsd-soap` (src/er/wfa-soap.ts putWlanResponse sending), `wpsd-both`;
 *   FLOOR_WPSD_DIST=/other/dist takes them from another build (an A/B).
 * Datagrams are UDP on loopback (wpa_ctrl's are UNIX datagrams: the same
 * kind of send). Everything runs on loopback.
 *
 *   node dist/bench/er-bulk-floor.js [enrollments=400] [MODE[,MODE...]|all] [concurrent=8]
 *
 * (modes: see MODES; default libs,raw) prints, per mode, the ER's CPU
 * (utime + stime, all threads, /proc/PID/stat) per enrollment over the
 * enrollments after a warm-up of 100, per block of 100.
 *
 *   node dist/bench/er-bulk-floor.js crypto [enrollments=400]
 *
 * prints the registrar's crypto alone (no transport, this process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createCipheriv, createDecipheriv, createDiffieHellmanGroup, createHash, createHmac, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { applyV8Flags, V8_DAEMON_FLAGS } from '../src/common/v8-memory.js';
import { HTTP_MAX_REQUESTS_PER_CONNECTION } from '../src/upnp/http-server.js';
import { cpuMs } from './learn-cpu.js';

/** Each part of the ER's transport: what wpsd uses (node:http, undici, fast-xml-parser) or the bare minimum. */
interface Mode {
  /** wpsd: the ER's own GenaSubscriber (src/upnp/gena-subscriber.ts: UpnpHttpServer, checks, parsePropertySet). */
  server: 'http' | 'net' | 'wpsd';
  /** wpsd: the ER's own putWlanResponse (src/er/wfa-soap.ts: soapCall, httpRequest). */
  client: 'undici' | 'http' | 'net' | 'wpsd';
  xml: 'fxp' | 'indexOf';
  /** The AP keeps the POSTs' connection open (hostapd and wpsd ap close it after each answer). */
  apKeepAlive?: boolean;
}
const MODES: Record<string, Mode> = {
  libs: { server: 'http', client: 'undici', xml: 'fxp' },
  'libs-http-client': { server: 'http', client: 'http', xml: 'fxp' },
  'libs-net-client': { server: 'http', client: 'net', xml: 'fxp' },
  'libs-net-server': { server: 'net', client: 'undici', xml: 'fxp' },
  'net-fxp': { server: 'net', client: 'net', xml: 'fxp' },
  raw: { server: 'net', client: 'net', xml: 'indexOf' },
  'libs-ap-keepalive': { server: 'http', client: 'undici', xml: 'fxp', apKeepAlive: true },
  'wpsd-gena': { server: 'wpsd', client: 'undici', xml: 'fxp' },
  'wpsd-soap': { server: 'http', client: 'wpsd', xml: 'fxp' },
  'wpsd-both': { server: 'wpsd', client: 'wpsd', xml: 'fxp' },
};
const SERVER_TEXT = { http: 'node:http', net: 'node:net', wpsd: "wpsd's GenaSubscriber" } as const;
const CLIENT_TEXT = { undici: 'undici', http: 'node:http', net: 'node:net', wpsd: "wpsd's putWlanResponse" } as const;
function modeText(m: Mode): string {
  return `NOTIFY ${SERVER_TEXT[m.server]}, POST ${CLIENT_TEXT[m.client]}${m.apKeepAlive === true ? ' (kept connections)' : ''}, XML ${m.server === 'wpsd' ? "wpsd's" : m.xml === 'fxp' ? 'fast-xml-parser' : 'indexOf'}`;
}
const WARMUP = 100;
const BLOCK = 100;
const LOOPBACK = '127.0.0.1';
const SID = 'uuid:00000000-0000-4000-8000-000000000001';
const MSG_TYPE = 0x1022;
const PUBLIC_KEY = 0x1032;
/** Sizes of the Enrollee's messages in bench 4b (bytes of WSC attributes). */
const SIZES: Record<string, number> = { probe: 180, m1: 420, m3: 130, m5: 150, m7: 150, done: 70 };
const TYPES: Record<string, number> = { probe: 0x04, m1: 0x04, m3: 0x07, m5: 0x09, m7: 0x0b, done: 0x0f };
const NEXT: Record<string, string> = { m1: 'm3', m3: 'm5', m5: 'm7', m7: 'done' };
const PUT_WLAN_RESPONSE_OK =
  '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
  '<u:PutWLANResponseResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"></u:PutWLANResponseResponse></s:Body></s:Envelope>\n';

function tlv(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value]);
}

/** A WSC message of `size` bytes: Version, Message Type, (M1) a real public key, then padding attributes. */
function wscMessage(kind: string, publicKey: Buffer): Buffer {
  const parts = [tlv(0x104a, Buffer.from([0x10])), tlv(MSG_TYPE, Buffer.from([TYPES[kind] ?? 0]))];
  if (kind === 'm1') parts.push(tlv(PUBLIC_KEY, publicKey));
  let len = parts.reduce((n, p) => n + p.length, 0);
  const size = SIZES[kind] ?? 100;
  while (len + 4 < size) {
    const chunk = Math.min(size - len - 4, 64);
    parts.push(tlv(0x1049, randomBytes(chunk)));
    len += chunk + 4;
  }
  return Buffer.concat(parts);
}

function macBytes(text: string): Buffer {
  return Buffer.from(text.replaceAll(':', ''), 'hex');
}

function macText(i: number): string {
  return `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
}

function base64Lines(b: Buffer): string {
  return (b.toString('base64').match(/.{1,72}/g) ?? []).join('\n') + '\n';
}

function propertySet(kind: string, mac: string, publicKey: Buffer): string {
  const ev = Buffer.concat([Buffer.from([kind === 'probe' ? 1 : 2]), Buffer.from(mac, 'latin1'), wscMessage(kind, publicKey)]);
  return `<?xml version="1.0"?>\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">\n<e:property>\n<WLANEvent>${base64Lines(ev)}</WLANEvent>\n</e:property>\n</e:propertyset>\n`;
}

// ------------------------------------------------------------------ the ER (child)

interface Run {
  dh: ReturnType<typeof createDiffieHellmanGroup>;
  authKey: Buffer;
  keyWrapKey: Buffer;
}

function hmac(key: Buffer, ...data: Buffer[]): Buffer {
  const h = createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
}

function encrypt(key: Buffer, plain: Buffer): Buffer {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([iv, c.update(plain), c.final()]);
}

function decrypt(key: Buffer, data: Buffer): Buffer {
  const d = createDecipheriv('aes-128-cbc', key, data.subarray(0, 16));
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data.subarray(16)), d.final()]);
}

/** The attribute `type` of a WSC message, by a walk over its TLVs. */
function attr(msg: Buffer, type: number): Buffer | undefined {
  for (let i = 0; i + 4 <= msg.length; ) {
    const t = msg.readUInt16BE(i);
    const l = msg.readUInt16BE(i + 2);
    if (t === type) return msg.subarray(i + 4, i + 4 + l);
    i += 4 + l;
  }
  return undefined;
}

/** The registrar's crypto for one received message; returns the answer (undefined for Done). */
function registrarStep(runs: Map<string, Run>, mac: string, msg: Buffer): Buffer | undefined {
  const type = attr(msg, MSG_TYPE)?.[0];
  if (type === TYPES.m1) {
    const dh = createDiffieHellmanGroup('modp5');
    dh.generateKeys();
    const secret = dh.computeSecret(attr(msg, PUBLIC_KEY) ?? Buffer.alloc(192, 1));
    const dhKey = createHash('sha256').update(secret).digest();
    const kdk = hmac(dhKey, randomBytes(16), Buffer.from(mac), randomBytes(16));
    const k = Buffer.concat([1, 2, 3].map((i) => hmac(kdk, Buffer.from([0, 0, 0, i]), Buffer.from('Wi-Fi Easy and Secure Key Derivation'), Buffer.from([0, 0, 2, 0x80]))));
    const run = { dh, authKey: k.subarray(0, 32), keyWrapKey: k.subarray(32, 48) };
    runs.set(mac, run);
    const m2 = Buffer.concat([randomBytes(200), dh.getPublicKey()]);
    return Buffer.concat([m2, hmac(run.authKey, msg, m2).subarray(0, 8)]);
  }
  const run = runs.get(mac);
  if (run === undefined) return undefined;
  hmac(run.authKey, msg);
  if (type === TYPES.m3) {
    const psk1 = hmac(run.authKey, randomBytes(4));
    const psk2 = hmac(run.authKey, randomBytes(4));
    const rHash = Buffer.concat([hmac(run.authKey, randomBytes(16), psk1, randomBytes(192)), hmac(run.authKey, randomBytes(16), psk2, randomBytes(192))]);
    const settings = Buffer.concat([randomBytes(20), hmac(run.authKey, randomBytes(20)).subarray(0, 8)]);
    const m4 = Buffer.concat([rHash, encrypt(run.keyWrapKey, settings)]);
    return Buffer.concat([m4, hmac(run.authKey, msg, m4).subarray(0, 8)]);
  }
  if (type === TYPES.m5 || type === TYPES.m7) {
    const plain = decrypt(run.keyWrapKey, randomBytes(64));
    hmac(run.authKey, plain);
    hmac(run.authKey, plain, randomBytes(192));
    const settings = type === TYPES.m5 ? randomBytes(28) : randomBytes(120);
    const out = Buffer.concat([randomBytes(40), encrypt(run.keyWrapKey, Buffer.concat([settings, hmac(run.authKey, settings).subarray(0, 8)]))]);
    return Buffer.concat([out, hmac(run.authKey, msg, out).subarray(0, 8)]);
  }
  runs.delete(mac);
  return undefined;
}

function putWlanResponseBody(msg: Buffer, mac: string): string {
  return (
    '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    '<u:PutWLANResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">' +
    `<NewMessage>${base64Lines(msg)}</NewMessage><NewWLANEventType>2</NewWLANEventType><NewWLANEventMAC>${mac}</NewWLANEventMAC>` +
    '</u:PutWLANResponse></s:Body></s:Envelope>\n'
  );
}

const SOAP_ACTION = '"urn:schemas-wifialliance-org:service:WFAWLANConfig:1#PutWLANResponse"';

/** The dist directory whose src/ the wpsd modes load (an A/B of two builds): this build's by default. */
function distRoot(): string {
  return process.env['FLOOR_WPSD_DIST'] ?? fileURLToPath(new URL('..', import.meta.url));
}

async function child(mode: Mode, apPort: number, ctrlPort: number): Promise<void> {
  applyV8Flags(V8_DAEMON_FLAGS);
  const dist = distRoot();
  const runs = new Map<string, Run>();
  const ctrl = dgram.createSocket('udp4');
  await new Promise<void>((r) => ctrl.bind(0, LOOPBACK, r));
  const event = (line: string): void => ctrl.send(line, ctrlPort, LOOPBACK);
  ctrl.on('message', (m, rinfo) => {
    if (m.toString('latin1').startsWith('WPS_ER_PIN ')) ctrl.send('OK\n', rinfo.port, rinfo.address);
  });
  let post: (body: string) => void = () => undefined;
  let postMessage: ((msg: Buffer, mac: string) => void) | undefined;
  if (mode.client === 'wpsd') {
    const { putWlanResponse } = (await import(`${dist}/src/er/wfa-soap.js`)) as typeof import('../src/er/wfa-soap.js');
    const url = `http://${LOOPBACK}:${apPort}/control`;
    const signal = new AbortController().signal;
    postMessage = (msg, mac) => {
      putWlanResponse(url, msg, macBytes(mac), signal).catch(() => undefined);
    };
  } else if (mode.client === 'undici') {
    const { Pool } = createRequire(import.meta.url)('undici') as typeof import('undici');
    const pool = new Pool(`http://${LOOPBACK}:${apPort}`);
    post = (body) => {
      void pool
        .request({ path: '/control', method: 'POST', headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: SOAP_ACTION }, body })
        .then((r) => r.body.dump())
        .catch(() => undefined);
    };
  } else if (mode.client === 'http') {
    const agent = new http.Agent({ keepAlive: false });
    post = (body) => {
      const req = http.request(`http://${LOOPBACK}:${apPort}/control`, { method: 'POST', agent, headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: SOAP_ACTION, 'content-length': Buffer.byteLength(body) } }, (res) => res.resume());
      req.on('error', () => undefined);
      req.end(body);
    };
  } else {
    const head = `POST /control HTTP/1.1\r\nHost: ${LOOPBACK}:${apPort}\r\nContent-Type: text/xml; charset="utf-8"\r\nSOAPACTION: ${SOAP_ACTION}\r\nContent-Length: `;
    post = (body) => {
      const s = net.connect(apPort, LOOPBACK);
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.end(`${head}${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
  }
  const onWlanEvent = (text: string): void => {
    const ev = Buffer.from(text, 'base64');
    const mac = ev.subarray(1, 18).toString('latin1');
    const msg = ev.subarray(18);
    if (ev[0] === 1 || attr(msg, MSG_TYPE)?.[0] === TYPES.m1) event(`<3>WPS-ER-ENROLLEE-ADD 00000000-0000-0000-0000-000000000000 ${mac} M1=1 config_methods=0x2388 dev_passwd_id=0 pri_dev_type=1-0050F204-1 |dev|m|n|1|2|`);
    const reply = ev[0] === 2 ? registrarStep(runs, mac, msg) : undefined;
    if (reply !== undefined) {
      if (postMessage !== undefined) postMessage(reply, mac);
      else post(putWlanResponseBody(reply, mac));
    }
    else if (ev[0] === 2) event('<3>WPS-SUCCESS ');
  };
  const { XMLParser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
  // src/upnp/xml.ts's options for a document without `&`.
  const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true, processEntities: false, htmlEntities: false });
  const onBody = (body: string): void => {
    let text: string | undefined;
    if (mode.xml === 'fxp') {
      const tree = parser.parse(body) as { propertyset?: { property?: { WLANEvent?: string } } };
      text = tree.propertyset?.property?.WLANEvent;
    } else {
      const a = body.indexOf('<WLANEvent>');
      const b = body.indexOf('</WLANEvent>');
      if (a >= 0 && b > a) text = body.slice(a + 11, b);
    }
    if (typeof text === 'string') onWlanEvent(text);
  };
  let port: number;
  let path = '/event/x';
  if (mode.server === 'wpsd') {
    const { GenaSubscriber } = (await import(`${dist}/src/upnp/gena-subscriber.js`)) as typeof import('../src/upnp/gena-subscriber.js');
    const { Logger, LogLevel } = (await import(`${dist}/src/common/log.js`)) as typeof import('../src/common/log.js');
    const sub = new GenaSubscriber({ address: LOOPBACK, requireIpLiteral: true, logger: new Logger({ level: process.env['FLOOR_DEBUG'] === undefined ? LogLevel.ERROR : LogLevel.DEBUG }) });
    await sub.start();
    const s = await sub.subscribe(`http://${LOOPBACK}:${apPort}/event`, {
      onEvent: (props) => {
        const text = props['WLANEvent'];
        if (text !== undefined) onWlanEvent(text);
      },
    });
    const u = new URL(s.callbackUrl);
    port = Number(u.port);
    path = u.pathname;
  } else if (mode.server === 'http') {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ok = req.headers['sid'] === SID && req.headers['nt'] === 'upnp:event' && req.headers['nts'] === 'upnp:propchange' && req.headers['seq'] !== undefined;
        res.writeHead(ok ? 200 : 412, { 'Content-Length': '0' }).end();
        if (ok) onBody(Buffer.concat(chunks).toString('utf8'));
      });
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
    port = (server.address() as net.AddressInfo).port;
  } else {
    const server = net.createServer((s) => {
      let buf: Buffer = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
          const total = end + 4 + Number(cl?.[1] ?? 0);
          if (buf.length < total) return;
          const body = buf.subarray(end + 4, total).toString('utf8');
          buf = buf.subarray(total);
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
          onBody(body);
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
    port = (server.address() as net.AddressInfo).port;
  }
  process.stdout.write(`${port} ${ctrl.address().port} ${path}\n`);
}

// ------------------------------------------------------------------ the AP (this process)

interface Ap {
  done: Map<string, () => void>;
  notify: (kind: string, mac: string) => void;
}

async function measure(mode: string, enrollments: number, concurrent: number): Promise<number[]> {
  const publicKey = (() => {
    const dh = createDiffieHellmanGroup('modp5');
    return dh.generateKeys();
  })();
  const bodies = new Map<string, string>();
  let seq = 0;
  const ap: Ap = { done: new Map(), notify: () => undefined };
  // The AP's control URL: answers PutWLANResponse and closes, then sends the Enrollee's next message.
  const keepAlive = MODES[mode]?.apKeepAlive === true;
  const answer = `HTTP/1.1 200 OK\r\n${keepAlive ? '' : 'Connection: close\r\n'}Content-Type: text/xml; charset="utf-8"\r\nContent-Length: ${Buffer.byteLength(PUT_WLAN_RESPONSE_OK)}\r\n\r\n${PUT_WLAN_RESPONSE_OK}`;
  const onPut = (request: string): void => {
    const mac = /<NewWLANEventMAC>([^<]*)</.exec(request)?.[1] ?? '';
    const state = states.get(mac);
    if (state === undefined || !/<NewMessage>[^<]/.test(request)) return;
    const next = NEXT[state];
    if (next === undefined) return;
    states.set(mac, next);
    ap.notify(next, mac);
    if (next === 'done') {
      states.delete(mac);
      ap.done.get(mac)?.();
    }
  };
  const control = net.createServer((s) => {
    let buf = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      buf += d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const cl = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + cl) return;
        const request = buf.slice(0, end + 4 + cl);
        buf = buf.slice(end + 4 + cl);
        if (request.startsWith('SUBSCRIBE ')) {
          s.end(`HTTP/1.1 200 OK\r\nSID: ${SID}\r\nTIMEOUT: Second-1800\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        if (keepAlive) s.write(answer);
        else s.end(answer);
        onPut(request);
        if (!keepAlive) return;
      }
    });
    s.on('error', () => undefined);
  });
  const states = new Map<string, string>();
  await new Promise<void>((r) => control.listen(0, LOOPBACK, r));
  const ctrl = dgram.createSocket('udp4');
  await new Promise<void>((r) => ctrl.bind(0, LOOPBACK, r));
  const pinReplies: Array<() => void> = [];
  ctrl.on('message', (m) => {
    if (m.toString('latin1') === 'OK\n') pinReplies.shift()?.();
  });
  const apPort = (control.address() as net.AddressInfo).port;
  const script = fileURLToPath(import.meta.url);
  const proc: ChildProcess = spawn(process.execPath, [script, '--child', mode, String(apPort), String(ctrl.address().port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [erPort, erCtrlPort, eventPath] = await new Promise<[number, number, string]>((resolve, reject) => {
    let out = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(\d+) (\d+) (\/\S*)$/m.exec(out);
      if (m !== null) resolve([Number(m[1]), Number(m[2]), m[3] ?? '/']);
    });
    proc.once('exit', (c) => reject(new Error(`floor ER exited ${String(c)}`)));
  });
  // A kept connection, renewed after as many requests as the ER's server answers on one (HTTP_MAX_REQUESTS_PER_CONNECTION).
  let gena: net.Socket | undefined;
  let sentOnGena = 0;
  const genaSocket = (): net.Socket => {
    if (gena === undefined || sentOnGena >= HTTP_MAX_REQUESTS_PER_CONNECTION) {
      gena?.end();
      gena = net.connect(erPort, LOOPBACK);
      gena.on('data', () => undefined);
      gena.on('error', () => undefined);
      sentOnGena = 0;
    }
    sentOnGena++;
    return gena;
  };
  ap.notify = (kind, mac) => {
    const key = `${kind}/${mac}`;
    let body = bodies.get(key);
    if (body === undefined) {
      body = propertySet(kind, mac, publicKey);
      bodies.set(key, body);
    }
    genaSocket().write(
      `NOTIFY ${eventPath} HTTP/1.1\r\nHOST: ${LOOPBACK}:${erPort}\r\nCONTENT-TYPE: text/xml; charset="utf-8"\r\nNT: upnp:event\r\nNTS: upnp:propchange\r\nSID: ${SID}\r\nSEQ: ${seq++}\r\nCONTENT-LENGTH: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  const enroll = async (i: number): Promise<void> => {
    const mac = macText(i % 256);
    await new Promise<void>((r) => {
      pinReplies.push(r);
      ctrl.send(`WPS_ER_PIN any 12345670`, erCtrlPort, LOOPBACK);
    });
    await new Promise<void>((r) => {
      ap.done.set(mac, r);
      states.set(mac, 'm1');
      ap.notify('probe', mac);
      ap.notify('m1', mac);
    });
  };
  const perBlock: number[] = [];
  try {
    let next = 0;
    const runMany = async (n: number): Promise<void> => {
      const end = next + n;
      const worker = async (): Promise<void> => {
        while (next < end) await enroll(next++);
      };
      await Promise.all(Array.from({ length: concurrent }, worker));
    };
    await runMany(WARMUP);
    for (let done = 0; done < enrollments; done += BLOCK) {
      const c0 = cpuMs(proc.pid ?? 0);
      await runMany(BLOCK);
      perBlock.push((cpuMs(proc.pid ?? 0) - c0) / BLOCK);
    }
  } finally {
    gena?.destroy();
    proc.kill();
    control.close();
    ctrl.close();
  }
  return perBlock;
}

/** The registrar's crypto alone, in this process under the daemons' flags: the part of every mode that is not transport. */
function cryptoOnly(enrollments: number): number {
  applyV8Flags(V8_DAEMON_FLAGS);
  const publicKey = createDiffieHellmanGroup('modp5').generateKeys();
  const msgs = ['m1', 'm3', 'm5', 'm7', 'done'].map((k) => wscMessage(k, publicKey));
  const runs = new Map<string, Run>();
  const once = (i: number): void => {
    for (const m of msgs) registrarStep(runs, macText(i % 256), m);
  };
  for (let i = 0; i < WARMUP; i++) once(i);
  const c0 = process.cpuUsage();
  for (let i = 0; i < enrollments; i++) once(i);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / enrollments;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === 'crypto') {
    console.log(`the registrar's crypto alone: ${cryptoOnly(Number(args[1] ?? 400)).toFixed(2)} ms CPU per enrollment`);
    return;
  }
  if (args[0] === '--child') {
    const mode = MODES[args[1] ?? ''];
    if (mode === undefined) throw new Error(`unknown mode ${String(args[1])}`);
    await child(mode, Number(args[2]), Number(args[3]));
    return;
  }
  const enrollments = Number(args[0] ?? 400);
  const which = args[1] ?? 'libs,raw';
  const concurrent = Number(args[2] ?? 8);
  const modes = which === 'all' ? Object.keys(MODES) : which.split(',');
  for (const m of modes) if (MODES[m] === undefined) throw new Error(`unknown mode ${m}; modes: ${Object.keys(MODES).join(', ')}, all`);
  console.log(`load average ${loadavg()[0]?.toFixed(2)}; ${enrollments} enrollments after ${WARMUP}, ${concurrent} at a time`);
  for (const mode of modes) {
    const blocks = await measure(mode, enrollments, concurrent);
    const sorted = [...blocks].sort((a, b) => a - b);
    console.log(`${mode} (${modeText(MODES[mode] as Mode)}): ER CPU ms per enrollment, blocks of ${BLOCK}: ${blocks.map((b) => b.toFixed(2)).join(' ')}; median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)}`);
  }
  console.log(`load average ${loadavg()[0]?.toFixed(2)}`);
}

await main();
