import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  GenaPublisher,
  GenaSubscriber,
  UpnpHttpServer,
  nextEventSeq,
  type GenaEventInfo,
  type GenaPublisherOptions,
} from '../src/upnp/index.js';
import { Logger, LogLevel } from '../src/common/log.js';
import { until } from '../harness/until.js';


interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A bare NOTIFY receiver on `host`, answering with `status` (or holding answers while `hold` is set). */
class CallbackSink {
  readonly got: Received[] = [];
  status = 200;
  hold: Promise<void> | undefined;
  private server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      this.got.push({ headers: req.headers, body });
      void (this.hold ?? Promise.resolve()).then(() => res.writeHead(this.status).end());
    });
  });
  constructor(readonly host = '127.0.0.1') {}
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, this.host, () => r()));
    return `http://${this.host}:${(this.server.address() as AddressInfo).port}/cb`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Raw GENA request, optionally from a chosen local address. */
function gena(url: string, method: string, headers: Record<string, string>, localAddress?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, ...(localAddress ? { localAddress } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function publisherOn(opts: Partial<GenaPublisherOptions> = {}): Promise<{ pub: GenaPublisher; url: string }> {
  const server = new UpnpHttpServer({ host: '127.0.0.1' });
  const pub = new GenaPublisher({ initialState: () => ({ Status: 'idle', Count: '0' }), ...opts });
  pub.mount(server, '/event');
  await server.start();
  cleanups.push(() => server.close(), () => pub.close());
  return { pub, url: `${server.baseUrl}/event` };
}

async function sink(host?: string): Promise<{ sink: CallbackSink; url: string }> {
  const s = new CallbackSink(host);
  const url = await s.start();
  cleanups.push(() => s.close());
  return { sink: s, url };
}

describe('GENA publisher and subscriber end to end on 127.0.0.1', () => {
  it('subscribes, gets the initial event with SEQ 0, then NOTIFYs with increasing SEQ, renews and unsubscribes', async () => {
    const { pub, url } = await publisherOn();
    const sub = new GenaSubscriber({ address: '127.0.0.1' });
    await sub.start();
    cleanups.push(() => sub.close());
    const events: Array<[Record<string, string>, GenaEventInfo]> = [];
    const s = await sub.subscribe(url, { onEvent: (p, i) => events.push([p, i]) }, { timeoutSec: 300 });
    expect(s.sid).toMatch(/^uuid:/);
    expect(s.timeoutSec).toBe(300);
    await until(() => events.length === 1, 'initial event');
    expect(events[0]?.[0]).toEqual({ Status: 'idle', Count: '0' });
    expect(events[0]?.[1]).toMatchObject({ sid: s.sid, seq: 0, seqGap: false });

    pub.publish({ Status: 'busy <&>' });
    pub.publish({ Count: '2' });
    await until(() => events.length === 3, 'two events');
    expect(events.map(([p, i]) => [p, i.seq, i.seqGap])).toEqual([
      [{ Status: 'idle', Count: '0' }, 0, false],
      [{ Status: 'busy <&>' }, 1, false],
      [{ Count: '2' }, 2, false],
    ]);

    const renew = await gena(url, 'SUBSCRIBE', { sid: s.sid, timeout: 'Second-600' });
    expect(renew.status).toBe(200);
    expect(renew.headers['sid']).toBe(s.sid);
    expect(renew.headers['timeout']).toBe('Second-600');

    await sub.unsubscribe(s);
    expect(pub.subscriberCount).toBe(0);
    expect((await gena(url, 'SUBSCRIBE', { sid: s.sid })).status).toBe(412);
  });

  it('sends NOTIFY with NT, NTS, SID, SEQ and the UDA property set body', async () => {
    const { pub, url } = await publisherOn();
    const { sink: cb, url: cbUrl } = await sink();
    const r = await gena(url, 'SUBSCRIBE', { callback: `<${cbUrl}>`, nt: 'upnp:event', timeout: 'Second-1800' });
    expect(r.status).toBe(200);
    expect(r.headers['timeout']).toBe('Second-1800');
    await until(() => cb.got.length === 1, 'initial NOTIFY');
    pub.publish({ Name: 'value' });
    await until(() => cb.got.length === 2, 'NOTIFY');
    const n = cb.got[1];
    expect(n?.headers).toMatchObject({ nt: 'upnp:event', nts: 'upnp:propchange', sid: r.headers['sid'], seq: '1' });
    expect(n?.headers['content-type']).toMatch(/^text\/xml/);
    expect(n?.body).toContain('<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">');
    expect(n?.body.replace(/\s+/g, '')).toContain('<e:property><Name>value</Name></e:property>');
  });

  it('tries several callback URLs in order when the first does not answer', async () => {
    const { url } = await publisherOn();
    const dead = new CallbackSink();
    const deadUrl = await dead.start();
    await dead.close();
    const { sink: cb, url: cbUrl } = await sink();
    const r = await gena(url, 'SUBSCRIBE', { callback: `<${deadUrl}><${cbUrl}>`, nt: 'upnp:event' });
    expect(r.status).toBe(200);
    await until(() => cb.got.length === 1, 'initial NOTIFY via the second URL');
    expect(cb.got[0]?.headers['seq']).toBe('0');
  });

  it('answers 412 for unknown SIDs, missing CALLBACK or wrong NT, and 400 for SID together with CALLBACK', async () => {
    const { url } = await publisherOn();
    const unknown = 'uuid:00000000-0000-0000-0000-000000000000';
    expect((await gena(url, 'SUBSCRIBE', { sid: unknown })).status).toBe(412);
    expect((await gena(url, 'UNSUBSCRIBE', { sid: unknown })).status).toBe(412);
    expect((await gena(url, 'SUBSCRIBE', { nt: 'upnp:event' })).status).toBe(412);
    expect((await gena(url, 'SUBSCRIBE', { callback: '<http://127.0.0.1:9/>', nt: 'upnp:other' })).status).toBe(412);
    expect((await gena(url, 'SUBSCRIBE', { callback: 'http://127.0.0.1:9/', nt: 'upnp:event' })).status).toBe(412);
    expect((await gena(url, 'SUBSCRIBE', { sid: unknown, callback: '<http://127.0.0.1:9/>' })).status).toBe(400);
    expect((await gena(url, 'SUBSCRIBE', { callback: '<http://127.0.0.1:9/>', nt: 'upnp:event', timeout: 'Minute-3' })).status).toBe(400);
  });

  it('refuses a callback to another host than the subscriber, unless same-subnet is allowed', async () => {
    const { pub, url } = await publisherOn();
    const { url: otherUrl } = await sink('127.0.0.2');
    expect((await gena(url, 'SUBSCRIBE', { callback: `<${otherUrl}>`, nt: 'upnp:event' }, '127.0.0.1')).status).toBe(412);
    expect((await gena(url, 'SUBSCRIBE', { callback: '<http://localhost:9/>', nt: 'upnp:event' })).status).toBe(412);
    expect(pub.subscriberCount).toBe(0);
    // The same callback is fine when it comes from 127.0.0.2 itself.
    expect((await gena(url, 'SUBSCRIBE', { callback: `<${otherUrl}>`, nt: 'upnp:event' }, '127.0.0.2')).status).toBe(200);

    const wide = await publisherOn({ callbackPolicy: 'same-subnet', subnetPrefixLength: 8 });
    expect((await gena(wide.url, 'SUBSCRIBE', { callback: `<${otherUrl}>`, nt: 'upnp:event' }, '127.0.0.1')).status).toBe(200);
  });

  it('a source over its share replaces its own oldest subscription; a full table gives way to a newcomer from the source holding the most', async () => {
    const { pub, url } = await publisherOn({ maxSubscribers: 4, maxSubscribersPerSource: 3 });
    const flood = await sink('127.0.0.9');
    const legit = await sink('127.0.0.2');
    const later = await sink('127.0.0.3');
    const sub = (cb: string, from: string): Promise<{ status: number; sid: string }> =>
      gena(url, 'SUBSCRIBE', { callback: `<${cb}>`, nt: 'upnp:event', timeout: 'Second-86400' }, from).then((r) => ({ status: r.status, sid: String(r.headers['sid']) }));
    const mine = await sub(legit.url, '127.0.0.2');
    const floods: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await sub(flood.url, '127.0.0.9');
      expect(r.status).toBe(200);
      floods.push(r.sid);
    }
    // 3 of the flood's (its newest) and the legitimate one.
    const held = () => pub.subscribers().map((s) => s.sid);
    expect(held().sort()).toEqual([mine.sid, ...floods.slice(-3)].sort());
    // A third host arriving at a full table takes a slot from the flood, not from the legitimate ER.
    const newcomer = await sub(later.url, '127.0.0.3');
    expect(newcomer.status).toBe(200);
    expect(held()).toContain(mine.sid);
    expect(held()).toContain(newcomer.sid);
    expect(pub.subscriberCount).toBe(4);
  });

  it('drops a subscriber after repeated delivery failures', async () => {
    const { pub, url } = await publisherOn({ maxFailures: 3 });
    const { sink: cb, url: cbUrl } = await sink();
    cb.status = 500;
    expect((await gena(url, 'SUBSCRIBE', { callback: `<${cbUrl}>`, nt: 'upnp:event' })).status).toBe(200);
    pub.publish({ A: '1' });
    pub.publish({ A: '2' });
    await until(() => pub.subscriberCount === 0, 'subscriber dropped');
    expect(cb.got.length).toBe(3);
  });

  it('keeps a bounded queue per subscriber, dropping the oldest events (visible as a SEQ gap)', async () => {
    const { pub, url } = await publisherOn({ maxQueuedEvents: 3 });
    const { sink: cb, url: cbUrl } = await sink();
    let release: () => void = () => undefined;
    cb.hold = new Promise<void>((r) => (release = r));
    expect((await gena(url, 'SUBSCRIBE', { callback: `<${cbUrl}>`, nt: 'upnp:event' })).status).toBe(200);
    await until(() => cb.got.length === 1, 'initial NOTIFY in flight');
    for (let i = 1; i <= 10; i++) pub.publish({ N: String(i) });
    expect(pub.subscribers()[0]?.queued).toBe(3);
    release();
    await until(() => cb.got.length === 4, 'queued events');
    expect(cb.got.map((g) => g.headers['seq'])).toEqual(['0', '8', '9', '10']);
  });

  it('expires subscriptions after their TIMEOUT', async () => {
    let now = 1_000_000;
    const { pub, url } = await publisherOn({ now: () => now, minTimeoutSec: 1 });
    const { url: cbUrl } = await sink();
    const r = await gena(url, 'SUBSCRIBE', { callback: `<${cbUrl}>`, nt: 'upnp:event', timeout: 'Second-5' });
    expect(r.headers['timeout']).toBe('Second-5');
    expect(pub.subscriberCount).toBe(1);
    now += 5001;
    expect(pub.subscriberCount).toBe(0);
    expect((await gena(url, 'SUBSCRIBE', { sid: String(r.headers['sid']) })).status).toBe(412);
  });

  it('renews before the granted TIMEOUT runs out, keeping the SID', async () => {
    const { pub, url } = await publisherOn({ minTimeoutSec: 1 });
    const sub = new GenaSubscriber({ address: '127.0.0.1' });
    await sub.start();
    cleanups.push(() => sub.close());
    const s = await sub.subscribe(url, { onEvent: () => undefined }, { timeoutSec: 2 });
    const firstExpiry = pub.subscribers()[0]?.expiresAt ?? 0;
    await until(() => (pub.subscribers()[0]?.expiresAt ?? 0) > firstExpiry, 'renewal', { timeoutMs: 6000 });
    expect(pub.subscribers().map((x) => x.sid)).toEqual([s.sid]);
    expect(sub.subscriptions[0]?.sid).toBe(s.sid);
  });

  it('reports a subscription as lost when the publisher refuses renewal and resubscription', async () => {
    const { pub, url } = await publisherOn({ minTimeoutSec: 1 });
    const sub = new GenaSubscriber({ address: '127.0.0.1' });
    await sub.start();
    cleanups.push(() => sub.close());
    let lost = '';
    await sub.subscribe(url, { onEvent: () => undefined, onLost: (why) => (lost = why) }, { timeoutSec: 1 });
    pub.close();
    await until(() => lost !== '', 'onLost', { timeoutMs: 6000 });
    expect(lost).toMatch(/503/);
    expect(sub.subscriptions).toEqual([]);
  });

  it('logs an async event handler that rejects and keeps delivering later events', async () => {
    const { pub, url } = await publisherOn();
    const warnings: string[] = [];
    const sub = new GenaSubscriber({ address: '127.0.0.1', logger: new Logger({ level: LogLevel.WARNING, sink: (l) => warnings.push(l) }) });
    await sub.start();
    cleanups.push(() => sub.close());
    const seqs: number[] = [];
    // Assignable to onEvent's void return: its rejection must neither go unhandled nor stop the subscription.
    await sub.subscribe(url, {
      onEvent: async (_p, i) => {
        seqs.push(i.seq);
        await Promise.resolve();
        throw new Error(`handler broke at ${i.seq}`);
      },
    });
    await until(() => seqs.length === 1, 'initial event');
    pub.publish({ Status: 'busy' });
    await until(() => seqs.length === 2 && warnings.length === 2, 'second event and its warning');
    expect(seqs).toEqual([0, 1]);
    expect(warnings).toEqual(['gena: event handler failed: handler broke at 0', 'gena: event handler failed: handler broke at 1']);
  });

  it('wraps SEQ from 2^32-1 to 1, never to 0', () => {
    expect(nextEventSeq(0)).toBe(1);
    expect(nextEventSeq(0xfffffffe)).toBe(0xffffffff);
    expect(nextEventSeq(0xffffffff)).toBe(1);
  });
});

describe('GENA subscriber callback listener', () => {
  const sub = new GenaSubscriber({ address: '127.0.0.1' });
  const server = new UpnpHttpServer({ host: '127.0.0.1' });
  const pub = new GenaPublisher({ initialState: () => ({ X: '1' }) });
  beforeAll(async () => {
    pub.mount(server, '/ev');
    await server.start();
    await sub.start();
  });
  afterAll(async () => {
    await sub.close();
    pub.close();
    await server.close();
  });

  it('answers 412 to NOTIFY with a wrong SID or path and 400 to a bad body, delivering nothing', async () => {
    const events: unknown[] = [];
    const s = await sub.subscribe(`${server.baseUrl}/ev`, { onEvent: (p) => events.push(p) });
    await until(() => events.length === 1, 'initial event');
    const post = async (path: string, headers: Record<string, string>, body: string, localAddress = '127.0.0.1'): Promise<number> => {
      const u = new URL(s.callbackUrl);
      return new Promise((resolve, reject) => {
        const req = http.request({ host: u.hostname, port: u.port, path, method: 'NOTIFY', headers, localAddress }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
    };
    const good = '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><X>2</X></e:property></e:propertyset>';
    const hdr = { nt: 'upnp:event', nts: 'upnp:propchange', sid: s.sid, seq: '1' };
    const path = new URL(s.callbackUrl).pathname;
    expect(await post(path, { ...hdr, sid: 'uuid:nope' }, good)).toBe(412);
    expect(await post('/event/0000', hdr, good)).toBe(412);
    expect(await post(path, hdr, '<e:propertyset><oops>')).toBe(400);
    expect(await post(path, { ...hdr, nts: 'upnp:other' }, good)).toBe(400);
    // Right path and SID, but not from the publisher's address: an injected event.
    expect(await post(path, { ...hdr, seq: '1' }, good, '127.0.0.7')).toBe(412);
    expect(events.length).toBe(1);
    expect(await post(path, { ...hdr, seq: '5' }, good)).toBe(200);
    expect(events.length).toBe(2);
  });
});
