import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { MessageReader, encodeMessage, decodeMessage, SimProtocolError, MEDIUM_MAX_FRAME_LEN, type SimMessage } from './protocol.js';
import { macFromBytes } from '../mac.js';

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));
const message: fc.Arbitrary<SimMessage> = fc.oneof(
  fc.record({ type: fc.constant('hello' as const), version: fc.integer({ min: 0, max: 255 }), channel: fc.integer({ min: 1, max: 233 }), addresses: fc.array(mac, { minLength: 1, maxLength: 16 }) }),
  fc.constant({ type: 'welcome' as const }),
  fc.record({ type: fc.constant('frame' as const), frame: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ type: fc.constant('set-channel' as const), channel: fc.integer({ min: 1, max: 233 }) }),
);

describe('sim medium stream protocol', () => {
  it('messages split into arbitrary chunks come out whole and in order', () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), (msgs, cuts) => {
        const wire = Buffer.concat(msgs.map((m) => encodeMessage(m)));
        const reader = new MessageReader();
        const out: SimMessage[] = [];
        let pos = 0;
        for (let i = 0; pos < wire.length; i++) {
          const n = cuts[i % cuts.length] ?? 1;
          out.push(...reader.push(wire.subarray(pos, pos + n)));
          pos += n;
        }
        expect(out).toEqual(msgs);
      }),
    );
  });

  it('any bytes decode to a message or a SimProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        try {
          const m = decodeMessage(b);
          expect(typeof m.type).toBe('string');
        } catch (e) {
          expect(e).toBeInstanceOf(SimProtocolError);
        }
      }),
    );
  });

  it('refuses a declared length above the frame bound before buffering it', () => {
    const reader = new MessageReader();
    const head = Buffer.alloc(4);
    head.writeUInt32BE(MEDIUM_MAX_FRAME_LEN + 2);
    expect(() => reader.push(head)).toThrow(expect.objectContaining({ code: 'TOO_LONG' }));
    expect(() => encodeMessage({ type: 'frame', frame: new Uint8Array(MEDIUM_MAX_FRAME_LEN + 1) })).toThrow(SimProtocolError);
  });

  it('refuses a HELLO on channel 0 and a HELLO whose address count disagrees with its length', () => {
    expect(() => decodeMessage(Uint8Array.from([1, 1, 0, 0, 1, 2, 0, 0, 0, 0, 1]))).toThrow(expect.objectContaining({ code: 'BAD_CHANNEL' }));
    expect(() => decodeMessage(Uint8Array.from([1, 1, 0, 6, 2, 2, 0, 0, 0, 0, 1]))).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});
