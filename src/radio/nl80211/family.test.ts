import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildGetFamilyRequest, parseGetFamilyReply, resolveFamily, type NetlinkTransport } from './family.js';
import { parseNetlinkMessages, parseAttributes, NetlinkError, buildNetlinkMessage } from './netlink-message.js';
import { probeNl80211, NL80211_UNAVAILABLE_MESSAGE } from './driver.js';
import { openGenericNetlink } from './transport.js';
import { openApDriver } from '../open-driver.js';

interface Fixture {
  family: string;
  seq: number;
  request: string;
  replies: string[];
  expect: { found: boolean; errno?: number; id?: number; version?: number; hdrSize?: number; maxAttr?: number; multicastGroups?: Record<string, number> };
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../../../fixtures/nl80211/${name}`, import.meta.url)), 'utf8')) as Fixture;
}

const unhex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** Plays recorded kernel replies back, checking that the request is the recorded one. */
function replay(f: Fixture): NetlinkTransport & { sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    sent,
    async request(datagram, _seq, done) {
      sent.push(datagram);
      for (const r of f.replies) if (done(unhex(r))) return;
    },
    close() {},
  };
}

function resolveFrom(f: Fixture) {
  return parseGetFamilyReply(unhex(f.replies[0] ?? ''), f.family, f.seq) ?? parseGetFamilyReply(unhex(f.replies[1] ?? ''), f.family, f.seq);
}

describe('generic netlink family resolution against recorded kernel replies', () => {
  for (const name of ['getfamily-nl80211-enoent.json', 'getfamily-nlctrl.json', 'getfamily-nl80211-newfamily.json']) {
    it(`builds the recorded request and reads the reply of ${name}`, () => {
      const f = fixture(name);
      expect(Buffer.from(buildGetFamilyRequest(f.family, f.seq)).toString('hex')).toBe(f.request);
      const r = resolveFrom(f);
      if (!f.expect.found) {
        expect(r).toEqual({ found: false, errno: f.expect.errno });
        return;
      }
      if (!r?.found) throw new Error('family not found');
      expect(r.family).toMatchObject({ id: f.expect.id, name: f.family, version: f.expect.version, hdrSize: f.expect.hdrSize, maxAttr: f.expect.maxAttr });
      expect(Object.fromEntries(r.family.multicastGroups)).toEqual(f.expect.multicastGroups);
    });
  }

  it('without nl80211 in the kernel the backend says so, in exactly these words', async () => {
    const f = fixture('getfamily-nl80211-enoent.json');
    // The recorded reply carries the recorded sequence number; replay it under whatever number the probe picks.
    const t: NetlinkTransport = {
      async request(datagram, seq, done) {
        const msgs = parseNetlinkMessages(unhex(f.replies[0] ?? ''));
        done(Uint8Array.from(Buffer.concat(msgs.map((m) => buildNetlinkMessage({ ...m, seq })))));
        expect(parseNetlinkMessages(datagram)[0]?.seq).toBe(seq);
      },
      close() {},
    };
    await expect(probeNl80211(t)).rejects.toMatchObject({ code: 'NOT_AVAILABLE', message: NL80211_UNAVAILABLE_MESSAGE });
  });

  it('replies for another sequence number are not taken as the answer', async () => {
    const f = fixture('getfamily-nlctrl.json');
    expect(parseGetFamilyReply(unhex(f.replies[0] ?? ''), 'nlctrl', f.seq + 1)).toBeUndefined();
    await expect(resolveFamily(replay(f), 'nlctrl', 5)).rejects.toBeInstanceOf(NetlinkError);
  });

  it('any bytes as a reply give a resolution, nothing, or a NetlinkError', () => {
    const f = fixture('getfamily-nl80211-newfamily.json');
    const good = unhex(f.replies[0] ?? '');
    const mutated = fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: good.length })).map(([i, v, cut]) => {
      const b = good.slice(0, Math.max(cut, 1));
      if (i < b.length) b[i] = v;
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (b) => {
        try {
          const r = parseGetFamilyReply(b, 'nl80211', f.seq);
          if (r?.found) expect(r.family.name).toBe('nl80211');
        } catch (e) {
          expect(e).toBeInstanceOf(NetlinkError);
        }
      }),
      { numRuns: 1000 },
    );
    const nlmsg = fc.record({ type: fc.integer({ min: 0, max: 0xffff }), flags: fc.integer({ min: 0, max: 0xffff }), seq: fc.nat(), pid: fc.nat(), payload: fc.uint8Array({ maxLength: 40 }) });
    fc.assert(
      fc.property(fc.array(nlmsg, { maxLength: 4 }), (msgs) => {
        const wire = Uint8Array.from(Buffer.concat(msgs.map((m) => buildNetlinkMessage(m))));
        expect(parseNetlinkMessages(wire)).toEqual(msgs);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        try {
          parseNetlinkMessages(b);
        } catch (e) {
          expect(e).toBeInstanceOf(NetlinkError);
        }
        try {
          parseAttributes(b);
        } catch (e) {
          expect(e).toBeInstanceOf(NetlinkError);
        }
      }),
    );
  });
});

describe('nl80211 on this machine', () => {
  it('the kernel has no nl80211 family: driver=nl80211 fails with the clear message', async () => {
    await expect(openApDriver({ driver: 'nl80211', ifname: 'wlan0', address: '02:00:00:00:01:00', channel: 1 })).rejects.toMatchObject({
      code: 'NOT_AVAILABLE',
      message: 'nl80211 is not available on this kernel; use driver=sim',
    });
  });

  it('the same socket resolves the controller family itself, so the refusal is the kernel speaking', async () => {
    const t = await openGenericNetlink();
    try {
      const r = await resolveFamily(t, 'nlctrl', 77);
      expect(r).toMatchObject({ found: true, family: { id: 0x10, name: 'nlctrl' } });
    } finally {
      t.close();
    }
  });
});
