// Floods and abuse from a namespace host of its own, for the hostile tests
// and the bench's hostile section: one Node script run with `node -e` in the
// attacker's namespace, bounded in count and time, that prints what it saw
// as JSON. Nothing here is aimed anywhere but the topology's own addresses.
import type { NetnsHost } from './netns.js';

const SCRIPT = String.raw`
const net = require('node:net');
const dgram = require('node:dgram');
const [mode, json] = process.argv.slice(1);
const o = JSON.parse(json);
const out = (r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const statusOf = (t) => { const m = /^HTTP\/1\.1 (\d{3})/.exec(t); return m ? Number(m[1]) : 0; };
const SERVICE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
const soap = (action) => {
  const body = '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:' + action + ' xmlns:u="' + SERVICE + '"></u:' + action + '></s:Body></s:Envelope>\n';
  return 'POST /wps_control HTTP/1.1\r\nHost: ' + o.address + ':' + o.port + '\r\nContent-Type: text/xml; charset="utf-8"\r\nSOAPACTION: "' + SERVICE + '#' + action + '"\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body;
};
/** One request on its own connection; resolves with the raw reply (bounded in time). */
const request = (raw, limitMs = 5000) => new Promise((resolve) => {
  const s = net.connect(o.port, o.address);
  let got = '';
  const t = setTimeout(() => s.destroy(), limitMs);
  s.on('data', (d) => { if (got.length < 65536) got += d.toString('latin1'); });
  s.on('error', () => undefined);
  s.on('close', () => { clearTimeout(t); resolve(got); });
  s.on('connect', () => s.write(raw));
});
const modes = {
  // SUBSCRIBEs one after the other, each with a callback on our own address.
  async subscribe() {
    const statuses = {};
    for (let i = 0; i < o.count; i++) {
      const r = await request('SUBSCRIBE ' + o.path + ' HTTP/1.1\r\nHost: ' + o.address + ':' + o.port + '\r\nCALLBACK: <http://' + o.self + ':9/cb' + i + '>\r\nNT: upnp:event\r\nTIMEOUT: Second-86400\r\n\r\n');
      const st = statusOf(r);
      statuses[st] = (statuses[st] || 0) + 1;
    }
    out({ statuses });
  },
  // o.conns connections that trickle a request one byte every o.gapMs, reconnecting when closed, for o.seconds.
  async slowloris() {
    const end = Date.now() + o.seconds * 1000;
    const r = { opened: 0, refused503: 0, closedByServer: 0 };
    const one = async () => {
      while (Date.now() < end) {
        r.opened++;
        await new Promise((resolve) => {
          const s = net.connect(o.port, o.address);
          const text = 'POST /wps_control HTTP/1.1\r\nHost: x\r\nSOAPACTION: "' + SERVICE + '#GetDeviceInfo"\r\nX-Slow: ' + 'a'.repeat(4000);
          let i = 0, got = '';
          const tick = setInterval(() => { if (Date.now() > end) { s.destroy(); return; } if (i < text.length) s.write(text[i++]); }, o.gapMs);
          s.on('data', (d) => (got += d.toString('latin1')));
          s.on('error', () => undefined);
          s.on('close', () => { clearInterval(tick); if (statusOf(got) === 503) r.refused503++; else if (Date.now() < end) r.closedByServer++; resolve(); });
        });
        if (Date.now() < end) await wait(20);
      }
    };
    await Promise.all(Array.from({ length: o.conns }, one));
    out(r);
  },
  // Connects that send nothing, o.parallel at a time, each held until the server closes it; at most o.count, for o.seconds.
  async reconnect() {
    const end = Date.now() + o.seconds * 1000;
    const r = { opened: 0 };
    const one = async () => {
      while (Date.now() < end && r.opened < o.count) {
        r.opened++;
        await new Promise((resolve) => {
          const s = net.connect(o.port, o.address);
          const t = setTimeout(() => s.destroy(), Math.max(0, end - Date.now()));
          // Read (and drop) what comes, or the server's close is never seen.
          s.resume();
          s.on('error', () => undefined);
          s.on('close', () => { clearTimeout(t); resolve(); });
        });
      }
    };
    await Promise.all(Array.from({ length: o.parallel }, one));
    out(r);
  },
  // o.action SOAP requests, o.parallel at a time, for o.seconds (at most o.count).
  async soapFlood() {
    const end = Date.now() + o.seconds * 1000;
    const statuses = {};
    let sent = 0;
    const one = async () => {
      while (Date.now() < end && sent < o.count) {
        sent++;
        const st = statusOf(await request(soap(o.action), 3000));
        statuses[st] = (statuses[st] || 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: o.parallel }, one));
    out({ sent, statuses, perSecond: Math.round(sent / o.seconds) });
  },
  // o.count requests pipelined in one write; counts the answers.
  async pipeline() {
    const got = await request(soap(o.action).repeat(o.count), o.waitMs);
    out({ ok: got.split('HTTP/1.1 200 ').length - 1, busy: got.split('HTTP/1.1 503 ').length - 1 });
  },
  // M-SEARCHes to the SSDP group at o.perSecond for o.seconds (at most o.count); counts the answers to us.
  async msearch() {
    const s = dgram.createSocket('udp4');
    let answers = 0, bytesIn = 0, sent = 0, bytesOut = 0;
    s.on('message', (m) => { answers++; bytesIn += m.length; });
    await new Promise((r) => s.bind(0, o.self, r));
    const msg = Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: ' + o.mx + '\r\nST: ' + o.st + '\r\n\r\n');
    const end = Date.now() + o.seconds * 1000;
    const gap = 1000 / o.perSecond;
    while (Date.now() < end && sent < o.count) {
      s.send(msg, 1900, '239.255.255.250');
      sent++; bytesOut += msg.length;
      await wait(gap);
    }
    await wait(o.settleMs);
    out({ sent, answers, bytesOut, bytesIn });
  },
  // ssdp:alive NOTIFYs for o.count distinct WFA devices, LOCATION on o.locationHost.
  async notifyAlive() {
    const s = dgram.createSocket('udp4');
    await new Promise((r) => s.bind(0, o.self, r));
    for (let i = 0; i < o.count; i++) {
      const uuid = 'eeeeeeee-0000-4000-8000-' + String(i).padStart(12, '0');
      // o.nts: the notification types to cycle through (other UPnP devices); the WFADevice by default.
      const nt = o.nts ? o.nts[i % o.nts.length] : 'urn:schemas-wifialliance-org:device:WFADevice:1';
      const m = 'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=86400\r\nLOCATION: http://' + o.locationHost + ':' + (49152 + (i % 100)) + '/wps_device.xml\r\n' +
        'NT: ' + nt + '\r\nNTS: ssdp:alive\r\nSERVER: x UPnP/1.0 y\r\nUSN: uuid:' + uuid + (nt.startsWith('uuid:') ? '' : '::' + nt) + '\r\n\r\n';
      s.send(Buffer.from(m), 1900, '239.255.255.250');
      if (i % 20 === 19) await wait(10);
    }
    await wait(200);
    out({ sent: o.count });
  },
  // One raw request; the status it got.
  async raw() {
    out({ status: statusOf(await request(o.text, o.waitMs || 5000)) });
  },
};
modes[mode]().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

export type AttackMode = 'subscribe' | 'slowloris' | 'reconnect' | 'soapFlood' | 'pipeline' | 'msearch' | 'notifyAlive' | 'raw';

/** Runs one attack from `host` and returns what it reported (not awaited, it runs alongside a legitimate peer); `limitMs` bounds the whole run. */
export async function attack<T = Record<string, unknown>>(host: NetnsHost, mode: AttackMode, opts: Record<string, unknown>, limitMs = 60_000): Promise<T> {
  const r = await host.exec(process.execPath, ['-e', SCRIPT, mode, JSON.stringify({ self: host.address, ...opts })], { timeoutMs: limitMs });
  return JSON.parse(r.stdout) as T;
}

