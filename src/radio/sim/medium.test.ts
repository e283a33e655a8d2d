import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, lstatSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { Medium, type MediumAirEvent, type MediumFrameEvent, type MediumOptions } from './medium.js';
import { frameAirtimeUs } from './airtime.js';
import { SimLink } from './link.js';
import { buildFrame, managementFrame, parseFrame } from '../frame.js';
import type { MacAddress } from '../mac.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const BC = 'ff:ff:ff:ff:ff:ff';

/** A small probe request from `sa` to `da`, tagged with `n` in its SSID so each frame is recognisable. */
function frame(sa: MacAddress, da: MacAddress, n: number): Uint8Array {
  return buildFrame(managementFrame(da, sa, BC, { subtype: 'probe-request', elements: [{ id: 0, data: Uint8Array.of(n) }] }));
}

function tag(raw: Uint8Array): number {
  const f = parseFrame(raw);
  if (f.kind !== 'management' || f.body.subtype !== 'probe-request') throw new Error('unexpected frame');
  return f.body.elements[0]?.data[0] ?? -1;
}

interface Radio {
  link: SimLink;
  got: number[];
  /** Resolves when a frame with tag `n` has arrived. */
  arrival(n: number): Promise<void>;
}

async function radio(path: string, addr: MacAddress, channel = 1): Promise<Radio> {
  const link = await SimLink.connect(path, { addresses: [addr], channel });
  const got: number[] = [];
  const waiting = new Map<number, () => void>();
  link.onFrame((raw) => {
    const n = tag(raw);
    got.push(n);
    waiting.get(n)?.();
  });
  return {
    link,
    got,
    arrival: (n) => (got.includes(n) ? Promise.resolve() : new Promise((resolve) => waiting.set(n, resolve))),
  };
}

function nextFrameEvent(m: Medium): Promise<MediumFrameEvent> {
  return new Promise((resolve) => m.once('frame', resolve));
}

describe('sim medium with three radios', () => {
  let dir: string;
  let path: string;
  let medium: Medium;
  const radios: Radio[] = [];

  async function start(opts: MediumOptions = {}): Promise<[Radio, Radio, Radio]> {
    medium = new Medium({ seed: 1, ...opts });
    await medium.listen(path);
    const rs = [await radio(path, A), await radio(path, B), await radio(path, C)] as [Radio, Radio, Radio];
    radios.push(...rs);
    return rs;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `wpsd-medium-${process.pid}-`));
    path = join(dir, 'medium.sock');
  });

  afterEach(async () => {
    for (const r of radios.splice(0)) await r.link.close();
    await medium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a broadcast frame to every radio but the sender', async () => {
    const [a, b, c] = await start();
    a.link.send(frame(A, BC, 1));
    await Promise.all([b.arrival(1), c.arrival(1)]);
    // B answers with a broadcast; A sees it, and had it received its own frame that would have come first.
    b.link.send(frame(B, BC, 2));
    await Promise.all([a.arrival(2), c.arrival(2)]);
    expect(a.got).toEqual([2]);
    expect(b.got).toEqual([1]);
    expect(c.got).toEqual([1, 2]);
  });

  it('delivers a unicast frame only to its addressee', async () => {
    const [a, b, c] = await start();
    a.link.send(frame(A, B, 3));
    a.link.send(frame(A, BC, 4));
    await Promise.all([b.arrival(4), c.arrival(4)]);
    expect(b.got).toEqual([3, 4]);
    expect(c.got).toEqual([4]);
  });

  it('keeps radios on another channel out of the conversation', async () => {
    const [a, b, c] = await start();
    c.link.setChannel(6);
    c.link.send(frame(C, BC, 5)); // on channel 6 nobody hears it
    a.link.send(frame(A, BC, 6));
    await b.arrival(6);
    c.link.setChannel(1);
    a.link.send(frame(A, BC, 7));
    await c.arrival(7);
    expect(b.got).toEqual([6, 7]);
    expect(c.got).toEqual([7]);
    expect(a.got).toEqual([]);
  });

  it('with loss 1.0 drops every delivery', async () => {
    const [a, b, c] = await start({ loss: 1 });
    const ev = nextFrameEvent(medium);
    a.link.send(frame(A, BC, 8));
    const e = await ev;
    expect(e.deliveredTo).toEqual([]);
    expect(e.lostTo).toHaveLength(2);
    const ev2 = nextFrameEvent(medium);
    b.link.send(frame(B, A, 9));
    expect((await ev2).lostTo).toHaveLength(1);
    // Closing the medium ends each stream after anything it had written.
    const closed = [b, c, a].map((r) => new Promise<void>((resolve) => r.link.onClose(() => resolve())));
    await medium.close();
    await Promise.all(closed);
    expect([a.got, b.got, c.got]).toEqual([[], [], []]);
  });

  it('applies the delay to every delivery', async () => {
    const pending: { fn: () => void; ms: number }[] = [];
    const [a, b, c] = await start({ delayMs: 250, schedule: (fn, ms) => pending.push({ fn, ms }) });
    const ev = nextFrameEvent(medium);
    a.link.send(frame(A, BC, 10));
    expect((await ev).deliveredTo).toHaveLength(2);
    expect(pending.map((p) => p.ms)).toEqual([250, 250]);
    expect(b.got).toEqual([]);
    for (const p of pending.splice(0)) p.fn();
    await Promise.all([b.arrival(10), c.arrival(10)]);
    expect(a.got).toEqual([]);
  });

  it('loses a seeded, reproducible share of deliveries at loss 0.5', async () => {
    const [a] = await start({ loss: 0.5, seed: 42 });
    const lost: number[] = [];
    medium.on('frame', (e: MediumFrameEvent) => lost.push(e.lostTo.length));
    for (let i = 0; i < 40; i++) a.link.send(frame(A, BC, 11));
    await new Promise<void>((resolve) => {
      const check = (): void => void (lost.length === 40 ? resolve() : setImmediate(check));
      check();
    });
    const total = lost.reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(10);
    expect(total).toBeLessThan(70);
    const again = new Medium({ loss: 0.5, seed: 42 });
    expect(again.seed).toBe(42);
  });

  it('drops a client that declares an oversized message and keeps serving the others', async () => {
    const [a, b] = await start();
    const rogue = createConnection(path);
    await new Promise((resolve) => rogue.once('connect', resolve));
    const ended = new Promise<void>((resolve) => rogue.once('close', () => resolve()));
    rogue.on('error', () => undefined);
    rogue.on('data', () => undefined);
    rogue.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 3]));
    await ended;
    a.link.send(frame(A, B, 12));
    await b.arrival(12);
    expect(medium.registeredRadios()).toHaveLength(3);
  });

  it('refuses a second medium on a live socket and replaces a stale socket file', async () => {
    await start();
    const other = new Medium();
    await expect(other.listen(path)).rejects.toMatchObject({ code: 'IN_USE' });
    // A socket file nobody listens on (left by a killed medium) is taken over.
    const stale = join(dir, 'stale.sock');
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', stale]);
    expect(lstatSync(stale).isSocket()).toBe(true);
    await other.listen(stale);
    const r = await radio(stale, A);
    radios.push(r);
    expect(other.registeredRadios()).toHaveLength(1);
    await r.link.close();
    radios.pop();
    await other.close();
    expect(existsSync(stale)).toBe(false);
  });

  it('refuses a loss outside [0, 1]', () => {
    expect(() => new Medium({ loss: 1.5 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    expect(() => new Medium({ delayMs: -1 })).toThrow(expect.objectContaining({ code: 'BAD_OPTION' }));
    medium = new Medium();
  });
});

describe('sim medium with airtime', () => {
  let dir: string;
  let medium: Medium;
  const links: SimLink[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `wpsd-medium-air-${process.pid}-`));
  });

  afterEach(async () => {
    for (const l of links.splice(0)) await l.close();
    await medium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A probe request of about `len` octets from `sa` to `da`, tagged `n`. */
  function big(sa: MacAddress, da: MacAddress, n: number, len: number): Uint8Array {
    return buildFrame(managementFrame(da, sa, BC, { subtype: 'probe-request', elements: [{ id: 0, data: Uint8Array.of(n) }, { id: 221, data: new Uint8Array(len > 255 ? 255 : len) }, ...Array.from({ length: Math.floor(len / 255) }, () => ({ id: 221, data: new Uint8Array(255) }))] }));
  }

  it('frames on a channel wait for each other and arrive when their air (and ACK) ends, on a virtual clock', async () => {
    let now = 0;
    const timers: Array<{ fn: () => void; ms: number }> = [];
    medium = new Medium({ seed: 1, airtime: { rateMbps: 6 }, nowUs: () => now, schedule: (fn, ms) => timers.push({ fn, ms }) });
    const path = join(dir, 'medium.sock');
    await medium.listen(path);
    const a = await radio(path, A);
    const b = await radio(path, B);
    const c = await radio(path, C, 11);
    links.push(a.link, b.link, c.link);
    const air: MediumAirEvent[] = [];
    const queued = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const on = (e: MediumAirEvent): void => {
          air.push(e);
          if (air.length === n) {
            medium.off('air', on);
            resolve();
          }
        };
        medium.on('air', on);
      });
    const f1 = big(A, B, 1, 1000);
    const f2 = big(A, B, 2, 1000);
    const both = queued(2);
    a.link.send(f1);
    a.link.send(f2);
    await both;
    const d1 = frameAirtimeUs(f1.length, true, 6);
    const d2 = frameAirtimeUs(f2.length, true, 6);
    expect(air.map((e) => [e.startUs, e.endUs])).toEqual([
      [0, d1],
      [d1, d1 + d2],
    ]);
    // Nothing is delivered before the first frame's air ends.
    expect(b.got).toEqual([]);
    expect(timers.map((t) => t.ms)).toEqual([d1 / 1000]);
    now = d1;
    const first = b.arrival(1);
    timers.shift()?.fn();
    await first;
    expect(b.got).toEqual([1]);
    expect(timers.map((t) => t.ms)).toEqual([d2 / 1000]);
    // Another channel's air is its own: C's frame on channel 11 starts at once.
    const other = queued(3);
    c.link.send(big(C, BC, 3, 1000));
    await other;
    expect(air[2]).toMatchObject({ channel: 11, startUs: d1 });
    now = d1 + d2;
    const second = b.arrival(2);
    timers.shift()?.fn();
    await second;
    expect(b.got).toEqual([1, 2]);
    expect(medium.airtimeStats().find((s) => s.channel === 1)).toEqual({ channel: 1, busyUs: d1 + d2, frames: 2, dropped: 0 });
  });

  it('refuses a rate that is not an OFDM rate', () => {
    expect(() => new Medium({ airtime: { rateMbps: 11 } })).toThrow(/not an OFDM rate/);
  });
});
