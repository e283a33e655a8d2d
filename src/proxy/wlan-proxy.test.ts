import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WlanEventType } from '../wfa/wlan-event.js';
import { WlanEventProxy, WlanProxyError } from './wlan-proxy.js';

const A = Buffer.from('020000000a01', 'hex');
const B = Buffer.from('020000000a02', 'hex');
const IE = Buffer.from('104a000110', 'hex');

function proxy(o: { probeIntervalMs?: number; maxEnrollees?: number } = {}) {
  let t = 1_000_000;
  const sent: { type: number; mac: string; msg: string }[] = [];
  const p = new WlanEventProxy({ publish: (type, mac, msg) => sent.push({ type, mac: mac.toString('hex'), msg: msg.toString('hex') }), now: () => t, ...o });
  return { p, sent, advance: (ms: number) => (t += ms) };
}

describe('WLANEvent proxy of wireless Enrollees', () => {
  it('a Probe Request becomes WLANEvent type 1 with the Enrollee MAC and its WPS attributes', () => {
    const { p, sent } = proxy();
    expect(p.probeRequest(A, IE)).toBe(true);
    expect(sent).toEqual([{ type: WlanEventType.ProbeRequest, mac: A.toString('hex'), msg: IE.toString('hex') }]);
  });

  it('probes are limited per Enrollee: a station probing all the time does not silence another one', () => {
    const { p, sent, advance } = proxy({ probeIntervalMs: 1_000 });
    expect(p.probeRequest(A, IE)).toBe(true);
    for (let i = 0; i < 50; i++) {
      advance(10);
      expect(p.probeRequest(A, IE)).toBe(false);
    }
    expect(p.probeRequest(B, IE)).toBe(true);
    advance(600);
    expect(p.probeRequest(A, IE)).toBe(true);
    expect(p.probeRequest(B, IE)).toBe(false);
    expect(sent.map((s) => s.mac)).toEqual([A, B, A].map((m) => m.toString('hex')));
  });

  it('EAP messages (type 2) are never rate-limited', () => {
    const { p, sent } = proxy();
    for (let i = 0; i < 5; i++) p.eapMessage(A, Buffer.from([i]));
    expect(sent.map((s) => [s.type, s.msg])).toEqual([0, 1, 2, 3, 4].map((i) => [WlanEventType.Eap, `0${i}`]));
  });

  it('remembers a bounded number of Enrollees, forgetting the least recently proxied', () => {
    const { p } = proxy({ maxEnrollees: 3 });
    for (let i = 0; i < 10; i++) p.probeRequest(Buffer.from([2, 0, 0, 0, 0, i]), IE);
    expect(p.trackedEnrollees).toBe(3);
    // The first Enrollee was forgotten, so its next probe goes out again.
    expect(p.probeRequest(Buffer.from([2, 0, 0, 0, 0, 0]), IE)).toBe(true);
    expect(p.probeRequest(Buffer.from([2, 0, 0, 0, 0, 9]), IE)).toBe(false);
  });

  it('a clock that goes backwards does not block an Enrollee for ever', () => {
    const { p, advance } = proxy();
    expect(p.probeRequest(A, IE)).toBe(true);
    advance(-10_000);
    expect(p.probeRequest(A, IE)).toBe(true);
  });

  it('refuses a MAC address that is not 6 octets', () => {
    const { p, sent } = proxy();
    expect(() => p.probeRequest(Buffer.alloc(5), IE)).toThrow(WlanProxyError);
    expect(() => p.eapMessage(Buffer.alloc(7), IE)).toThrow(WlanProxyError);
    expect(sent).toEqual([]);
  });

  it('never proxies one Enrollee twice within the interval, whatever the timing', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 700 })), { maxLength: 60 }), (steps) => {
        const { p, sent, advance } = proxy({ probeIntervalMs: 1_000 });
        let t = 0;
        const times: { mac: string; t: number }[] = [];
        for (const [who, dt] of steps) {
          advance(dt);
          t += dt;
          if (p.probeRequest(Buffer.from([2, 0, 0, 0, 0, who]), IE)) times.push({ mac: String(who), t });
        }
        expect(sent.length).toBe(times.length);
        for (let i = 0; i < times.length; i++) {
          for (let j = i + 1; j < times.length; j++) {
            const a = times[i];
            const b = times[j];
            if (a && b && a.mac === b.mac) expect(b.t - a.t).toBeGreaterThanOrEqual(1_000);
          }
        }
      }),
    );
  });
});
