import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_PBC_SESSIONS, PBC_WALK_TIME_MS, PbcError, PbcSessions, type PbcSession } from './pbc.js';

const mac = (n: number) => Buffer.from([2, 0, 0, 0, 0, n]);
const uuid = (n: number) => Buffer.alloc(16, n);

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('PBC session overlap', () => {
  it('does not call one device probing again an overlap', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    expect(p.probeRequest(mac(1), uuid(1))).toEqual({ recorded: true, overlap: false });
    c.advance(1000);
    expect(p.probeRequest(mac(1), uuid(1)).overlap).toBe(false);
    expect(p.sessions()).toHaveLength(1);
    expect(p.isOverlap()).toBe(false);
  });

  it('does not call one UUID seen from two MAC addresses an overlap', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.probeRequest(mac(1), uuid(1));
    expect(p.probeRequest(mac(2), uuid(1)).overlap).toBe(false);
    expect(p.sessions()).toHaveLength(2);
  });

  it('detects two different Enrollees within the monitor time', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.probeRequest(mac(1), uuid(1));
    c.advance(60_000);
    expect(p.probeRequest(mac(2), uuid(2)).overlap).toBe(true);
    expect(p.isOverlap()).toBe(true);
    expect(p.buttonPushed()).toBe(false);
    expect(p.active).toBe(false);
  });

  it('forgets sessions older than 120 s, and counts one exactly 120 s old', () => {
    const secondAfter = (ms: number): PbcSessions => {
      const c = clock();
      const p = new PbcSessions({ now: c.now });
      p.addSession(mac(1), uuid(1));
      c.advance(ms);
      p.addSession(mac(2), uuid(2));
      return p;
    };
    expect(secondAfter(120_000).isOverlap()).toBe(true);
    const late = secondAfter(120_001);
    expect(late.isOverlap()).toBe(false);
    expect(late.isOverlap(mac(2), uuid(2))).toBe(false);
    expect(late.sessions()).toHaveLength(1);
  });

  it('counts the Enrollee of an M1 being processed even before it is in the table', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.addSession(mac(1), uuid(1));
    expect(p.isOverlap(mac(1), uuid(1))).toBe(false);
    expect(p.isOverlap(mac(9), uuid(9))).toBe(true);
  });

  it('agrees with hostapd wps_registrar_pbc_overlap on any sequence of sessions', () => {
    // A direct transcription of hostapd's loop, to check the distinct-UUID rule against.
    function hostapdOverlap(list: PbcSession[], now: number, uuidE?: Buffer): boolean {
      let count = uuidE ? 1 : 0;
      let first: PbcSession | undefined;
      for (const s of list) {
        if (now - s.timestamp > 120_000) break;
        if (first && s.uuidE.equals(first.uuidE)) continue;
        if (!uuidE || !uuidE.equals(s.uuidE)) count++;
        if (!first) first = s;
      }
      return count > 1;
    }
    const step = fc.record({ dt: fc.integer({ min: 0, max: 70_000 }), m: fc.integer({ min: 1, max: 3 }), u: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), (steps, q) => {
        const c = clock();
        const p = new PbcSessions({ now: c.now });
        for (const s of steps) {
          c.advance(s.dt);
          p.addSession(mac(s.m), uuid(s.u));
        }
        const list = p.sessions();
        const qu = q === undefined ? undefined : uuid(q);
        expect(p.isOverlap(undefined, qu)).toBe(hostapdOverlap(list, c.now(), qu));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps denying PBC after an overlap, also to the other Enrollee, until the button is pressed again', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.addSession(mac(1), uuid(1));
    // M1 from a second Enrollee: overlap, and it is not added to the table.
    expect(p.isOverlap(mac(2), uuid(2))).toBe(true);
    expect(p.overlapForced).toBe(true);
    // The table alone holds only Enrollee 1, yet its M1 is refused too (hostapd force_pbc_overlap).
    expect(p.isOverlap(mac(1), uuid(1))).toBe(true);
    expect(p.isOverlap()).toBe(false);
    expect(p.buttonPushed()).toBe(true);
    expect(p.overlapForced).toBe(false);
    expect(p.isOverlap(mac(1), uuid(1))).toBe(false);
  });

  it('forces the overlap when Probe Requests show two Enrollees', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.probeRequest(mac(1), uuid(1));
    p.probeRequest(mac(2), uuid(2));
    p.removeSession(uuid(2));
    expect(p.isOverlap()).toBe(false);
    expect(p.isOverlap(mac(1), uuid(1))).toBe(true);
  });

  it('keeps the session table bounded under a probe flood', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    for (let i = 0; i < MAX_PBC_SESSIONS + 50; i++) {
      const m = Buffer.alloc(6);
      m.writeUInt32BE(i, 2);
      p.addSession(m, uuid(1));
    }
    expect(p.sessions()).toHaveLength(MAX_PBC_SESSIONS);
  });

  it('refuses malformed MAC addresses and UUIDs', () => {
    const p = new PbcSessions({ now: () => 0 });
    expect(() => p.addSession(Buffer.alloc(5), uuid(1))).toThrow(PbcError);
    expect(() => p.addSession(mac(1), Buffer.alloc(15))).toThrow(PbcError);
    expect(p.sessions()).toHaveLength(0);
  });
});

describe('PBC mode', () => {
  it('runs for the 120 s walk time after the button is pushed', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    expect(p.buttonPushed()).toBe(true);
    expect(p.active).toBe(true);
    expect(p.expiresAt).toBe(c.now() + PBC_WALK_TIME_MS);
    c.advance(PBC_WALK_TIME_MS - 1);
    expect(p.active).toBe(true);
    c.advance(1);
    expect(p.active).toBe(false);
    expect(p.expiresAt).toBeUndefined();
  });

  it('can be cancelled', () => {
    const p = new PbcSessions({ now: () => 5 });
    p.buttonPushed();
    p.stop();
    expect(p.active).toBe(false);
  });

  it('ends on success and ignores the finished Enrollee’s probes for 5 s', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.probeRequest(mac(1), uuid(1));
    expect(p.buttonPushed()).toBe(true);
    p.completed(uuid(1));
    expect(p.active).toBe(false);
    expect(p.sessions()).toHaveLength(0);
    c.advance(4_999);
    expect(p.probeRequest(mac(1), uuid(1))).toEqual({ recorded: false, overlap: false });
    // Another Enrollee is recorded normally meanwhile.
    expect(p.probeRequest(mac(2), uuid(2)).recorded).toBe(true);
    p.removeSession(uuid(2));
    c.advance(1);
    expect(p.probeRequest(mac(1), uuid(1)).recorded).toBe(true);
  });

  it('starts fresh after clear()', () => {
    const c = clock();
    const p = new PbcSessions({ now: c.now });
    p.addSession(mac(1), uuid(1));
    p.addSession(mac(2), uuid(2));
    p.buttonPushed();
    p.clear();
    expect(p.isOverlap()).toBe(false);
    expect(p.active).toBe(false);
  });
});
