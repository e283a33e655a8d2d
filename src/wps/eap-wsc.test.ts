import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildEapIdentity,
  buildEapResult,
  buildEapWsc,
  EapCode,
  EapWscError,
  Fragmenter,
  MAX_WSC_MESSAGE_SIZE,
  parseEapHeader,
  parseEapWsc,
  Reassembler,
  WSC_FLAG_LF,
  WSC_FLAG_MF,
  WSC_FRAGMENT_SIZE,
  WSC_ID_ENROLLEE,
  WSC_ID_REGISTRAR,
  WscOpCode,
  type EapWscPacket,
  type WscFragment,
} from './eap-wsc.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const errCode = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof EapWscError) return e.code;
    throw e;
  }
  return 'OK';
};

describe('EAP-WSC framing', () => {
  it('builds WSC_Start exactly as hostapd sends it', () => {
    const start = buildEapWsc({ code: EapCode.Request, identifier: 7, opCode: WscOpCode.Start, flags: 0, data: Buffer.alloc(0) });
    expect(start.toString('hex')).toBe('0107000efe00372a000000010100');
  });

  it('builds a first fragment with LF and the Message Length', () => {
    const p = buildEapWsc({
      code: EapCode.Response,
      identifier: 0x42,
      opCode: WscOpCode.Msg,
      flags: WSC_FLAG_MF | WSC_FLAG_LF,
      messageLength: 0x0123,
      data: Buffer.from([0xaa, 0xbb]),
    });
    expect(p).toEqual(hex('02 42 0012 fe 00372a 00000001 04 03 0123 aabb'));
    expect(parseEapWsc(p)).toEqual({
      code: 2,
      identifier: 0x42,
      opCode: 4,
      flags: 3,
      messageLength: 0x123,
      data: Buffer.from([0xaa, 0xbb]),
    });
  });

  it('ignores bytes after the EAP Length, like link-layer padding', () => {
    const p = Buffer.concat([hex('0107000efe00372a000000010600'), Buffer.alloc(10)]);
    expect(parseEapWsc(p).opCode).toBe(WscOpCode.FragAck);
  });

  it.each([
    ['too short for a header', '0107', 'TRUNCATED'],
    ['EAP Length beyond the data', '0107000ffe00372a000000010100', 'TRUNCATED'],
    ['EAP-Success is not WSC', '03070004', 'BAD_CODE'],
    ['Identity type', '0207000501', 'NOT_WSC'],
    ['other vendor', '0107000efe00137200000001 0100', 'NOT_WSC'],
    ['other vendor type', '0107000efe00372a000000020100', 'NOT_WSC'],
    ['no Op-Code', '0107000cfe00372a00000001', 'TRUNCATED'],
    ['Op-Code 0', '0107000efe00372a000000010000', 'BAD_OPCODE'],
    ['Op-Code 7', '0107000efe00372a000000010700', 'BAD_OPCODE'],
    ['LF without the field', '0107000efe00372a000000010402', 'TRUNCATED'],
    ['Message Length below the data', '01070012fe00372a0000000104020001aabb', 'BAD_MESSAGE_LENGTH'],
    ['Message Length over 50000', '01070012fe00372a000000010403c351aabb', 'BAD_MESSAGE_LENGTH'],
  ])('rejects %s', (_what, h, code) => {
    expect(errCode(() => parseEapWsc(hex(h)))).toBe(code);
  });

  it('refuses to build inconsistent packets', () => {
    const base: EapWscPacket = { code: EapCode.Request, identifier: 1, opCode: WscOpCode.Msg, flags: 0, data: Buffer.alloc(0) };
    expect(errCode(() => buildEapWsc({ ...base, flags: WSC_FLAG_LF }))).toBe('BAD_ARGUMENT');
    expect(errCode(() => buildEapWsc({ ...base, messageLength: 3 }))).toBe('BAD_ARGUMENT');
    expect(errCode(() => buildEapWsc({ ...base, identifier: 256 }))).toBe('BAD_ARGUMENT');
    expect(errCode(() => buildEapWsc({ ...base, opCode: 9 as WscOpCode }))).toBe('BAD_ARGUMENT');
    expect(errCode(() => buildEapWsc({ ...base, data: Buffer.alloc(65535) }))).toBe('TOO_LARGE');
  });

  it('answers arbitrary bytes with a typed error or a packet that rebuilds to the same bytes', () => {
    const wscLike = fc
      .tuple(fc.constantFrom(1, 2, 3), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }))
      .map(([code, id, op, flags, rest]) => {
        const body = Buffer.concat([hex('fe00372a00000001'), Buffer.from([op, flags]), rest]);
        const h = Buffer.from([code, id, 0, 0]);
        h.writeUInt16BE(4 + body.length, 2);
        return new Uint8Array(Buffer.concat([h, body]));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), wscLike), (data) => {
        let p: EapWscPacket;
        try {
          p = parseEapWsc(data);
        } catch (e) {
          expect(e).toBeInstanceOf(EapWscError);
          return;
        }
        const len = Buffer.from(data).readUInt16BE(2);
        expect(buildEapWsc(p).equals(Buffer.from(data).subarray(0, len))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Fragmenter', () => {
  it('splits like hostapd: LF only on the first fragment, MF on all but the last', () => {
    const msg = Buffer.alloc(3000, 0x5a);
    const f = new Fragmenter(WscOpCode.Msg, msg);
    expect(f.fragmentSize).toBe(WSC_FRAGMENT_SIZE);
    const a = f.next();
    const b = f.next();
    const c = f.next();
    expect(f.done).toBe(true);
    expect([a.flags, a.messageLength, a.data.length]).toEqual([WSC_FLAG_MF | WSC_FLAG_LF, 3000, 1396]);
    expect([b.flags, b.messageLength, b.data.length]).toEqual([WSC_FLAG_MF, undefined, 1398]);
    expect([c.flags, c.messageLength, c.data.length]).toEqual([0, undefined, 206]);
    // Every packet but the last fills the fragment size exactly (12-byte EAP header + 1400).
    const pkt = (x: WscFragment) => buildEapWsc({ code: EapCode.Request, identifier: 1, ...x });
    expect(pkt(a).length).toBe(1412);
    expect(pkt(b).length).toBe(1412);
    expect(() => f.next()).toThrow(EapWscError);
  });

  it('sends a message that fits in one packet without flags', () => {
    const fits = new Fragmenter(WscOpCode.Msg, Buffer.alloc(98), 100);
    expect(fits.next()).toEqual({ opCode: WscOpCode.Msg, flags: 0, data: Buffer.alloc(98) });
    expect(fits.done).toBe(true);
    const over = new Fragmenter(WscOpCode.Msg, Buffer.alloc(99), 100);
    expect(over.next().flags).toBe(WSC_FLAG_MF | WSC_FLAG_LF);
    const empty = new Fragmenter(WscOpCode.Ack, Buffer.alloc(0));
    expect(empty.done).toBe(false);
    expect(empty.next().data.length).toBe(0);
    expect(empty.done).toBe(true);
  });

  it('refuses unusable fragment sizes and oversized messages', () => {
    expect(errCode(() => new Fragmenter(WscOpCode.Msg, Buffer.alloc(1), 4))).toBe('BAD_ARGUMENT');
    expect(errCode(() => new Fragmenter(WscOpCode.Msg, Buffer.alloc(1), 70000))).toBe('BAD_ARGUMENT');
    expect(errCode(() => new Fragmenter(WscOpCode.Msg, Buffer.alloc(MAX_WSC_MESSAGE_SIZE + 1)))).toBe('TOO_LARGE');
  });
});

describe('Reassembler', () => {
  const frags = (msg: Buffer, size: number, op: WscOpCode = WscOpCode.Msg): WscFragment[] => {
    const f = new Fragmenter(op, msg, size);
    const out: WscFragment[] = [];
    while (!f.done) out.push(f.next());
    return out;
  };

  it('round-trips any message through fragmenting, EAP framing and reassembly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 6000 }),
        fc.integer({ min: 16, max: 2000 }),
        fc.constantFrom(WscOpCode.Msg, WscOpCode.Ack, WscOpCode.Nack, WscOpCode.Done),
        (m, size, op) => {
          const msg = Buffer.from(m);
          const r = new Reassembler();
          const list = frags(msg, size, op);
          list.forEach((frag, i) => {
            const wire = buildEapWsc({ code: EapCode.Response, identifier: i & 0xff, ...frag });
            expect(wire.length).toBeLessThanOrEqual(12 + size);
            const res = r.push(parseEapWsc(wire));
            if (i < list.length - 1) {
              expect(res.complete).toBe(false);
            } else {
              expect(res).toEqual({ complete: true, opCode: op, message: msg });
            }
          });
          expect(r.inProgress).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never holds more than its bound, whatever fragments arrive', () => {
    const bound = 300;
    const frag = fc.record({
      opCode: fc.constantFrom(...Object.values(WscOpCode)),
      flags: fc.integer({ min: 0, max: 3 }),
      messageLength: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
      data: fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)),
    });
    fc.assert(
      fc.property(fc.array(frag, { maxLength: 30 }), (list) => {
        const r = new Reassembler(bound);
        for (const f of list) {
          try {
            const res = r.push(f);
            if (res.complete) expect(res.message.length).toBeLessThanOrEqual(bound);
          } catch (e) {
            expect(e).toBeInstanceOf(EapWscError);
          }
          expect(r.held).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a fragmented message without a Message Length', () => {
    const r = new Reassembler();
    expect(errCode(() => r.push({ opCode: WscOpCode.Msg, flags: WSC_FLAG_MF, data: Buffer.alloc(10) }))).toBe('NO_MESSAGE_LENGTH');
    expect(r.inProgress).toBe(false);
  });

  it('rejects a declared length over the bound before storing anything', () => {
    const r = new Reassembler(1000);
    const first = { opCode: WscOpCode.Msg, flags: WSC_FLAG_MF | WSC_FLAG_LF, messageLength: 1001, data: Buffer.alloc(10) };
    expect(errCode(() => r.push(first))).toBe('TOO_LARGE');
    expect(r.held).toBe(0);
    expect(errCode(() => r.push({ opCode: WscOpCode.Msg, flags: 0, data: Buffer.alloc(1001) }))).toBe('TOO_LARGE');
  });

  it('keeps its state after a bad fragment, so the exchange can go on or be reset', () => {
    const msg = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const [a, b, c] = frags(msg, 50);
    if (!a || !b || !c) throw new Error('expected three fragments');
    const r = new Reassembler();
    expect(r.push(a)).toEqual({ complete: false, received: 46, total: 100 });
    expect(errCode(() => r.push({ ...b, opCode: WscOpCode.Done }))).toBe('OPCODE_CHANGED');
    expect(errCode(() => r.push({ ...b, data: Buffer.alloc(60) }))).toBe('OVERFLOW');
    expect(errCode(() => r.push({ ...b, flags: 0 }))).toBe('LENGTH_MISMATCH');
    expect(errCode(() => r.push({ ...b, flags: WSC_FLAG_MF | WSC_FLAG_LF, messageLength: 99 }))).toBe('LENGTH_MISMATCH');
    expect(r.push(b).complete).toBe(false);
    expect(r.push(c)).toEqual({ complete: true, opCode: WscOpCode.Msg, message: msg });
    r.push(a);
    r.reset();
    expect(r.inProgress).toBe(false);
    expect(r.held).toBe(0);
  });

  it('rejects an unfragmented packet whose Message Length disagrees with its data', () => {
    const r = new Reassembler();
    expect(errCode(() => r.push({ opCode: WscOpCode.Msg, flags: WSC_FLAG_LF, messageLength: 5, data: Buffer.alloc(4) }))).toBe('LENGTH_MISMATCH');
    expect(r.push({ opCode: WscOpCode.Msg, flags: WSC_FLAG_LF, messageLength: 4, data: Buffer.alloc(4) }).complete).toBe(true);
  });
});

describe('EAP identity and result packets', () => {
  it('uses the WSC identities hostapd recognises', () => {
    expect(WSC_ID_ENROLLEE).toHaveLength(29);
    expect(WSC_ID_REGISTRAR).toHaveLength(30);
    const p = buildEapIdentity(EapCode.Response, 3, WSC_ID_ENROLLEE);
    expect(p.subarray(0, 5).toString('hex')).toBe('0203002201');
    const h = parseEapHeader(p);
    expect(h.type).toBe(1);
    expect(h.identity?.toString()).toBe(WSC_ID_ENROLLEE);
  });

  it('builds and reads EAP-Failure', () => {
    const f = buildEapResult(EapCode.Failure, 9);
    expect(f.toString('hex')).toBe('04090004');
    expect(parseEapHeader(f)).toEqual({ code: 4, identifier: 9, length: 4 });
  });

  it('answers arbitrary bytes with a typed error or a header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        try {
          const h = parseEapHeader(data);
          expect(h.length).toBeLessThanOrEqual(data.length);
        } catch (e) {
          expect(e).toBeInstanceOf(EapWscError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
