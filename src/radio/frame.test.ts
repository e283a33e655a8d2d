import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  parseFrame,
  buildFrame,
  FrameError,
  managementFrame,
  eapolDataFrame,
  eapolFromDataFrame,
  dataAddressing,
  FcFlag,
  type Frame,
  type ManagementBody,
  type DataFrame,
} from './frame.js';
import { parseEapol, buildEapol, EapolError, EapolType } from './eapol.js';
import { macFromBytes } from './mac.js';
import { buildWpsIe } from './wps-ie.js';
import { parseElements } from './elements.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const AP = '02:00:00:00:01:00';
const STA = '02:00:00:00:02:00';
const BC = 'ff:ff:ff:ff:ff:ff';

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => macFromBytes(b));
const u16 = fc.integer({ min: 0, max: 0xffff });
const elements = fc.array(fc.record({ id: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 5 });
const body: fc.Arbitrary<ManagementBody> = fc.oneof(
  fc.record({ subtype: fc.constantFrom('beacon' as const, 'probe-response' as const), timestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), beaconInterval: u16, capability: u16, elements }),
  fc.record({ subtype: fc.constant('probe-request' as const), elements }),
  fc.record({ subtype: fc.constant('authentication' as const), algorithm: u16, transaction: u16, status: u16, rest: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ subtype: fc.constant('association-request' as const), capability: u16, listenInterval: u16, elements }),
  fc.record({ subtype: fc.constant('reassociation-request' as const), capability: u16, listenInterval: u16, currentAp: mac, elements }),
  fc.record({ subtype: fc.constantFrom('association-response' as const, 'reassociation-response' as const), capability: u16, status: u16, aid: u16, elements }),
  fc.record({ subtype: fc.constantFrom('deauthentication' as const, 'disassociation' as const), reason: u16, elements }),
  fc.record({ subtype: fc.constant('action' as const), body: fc.uint8Array({ minLength: 1, maxLength: 30 }) }),
);
const header = fc.record({ flags: fc.integer({ min: 0, max: 0x3f }), duration: u16, addr1: mac, addr2: mac, addr3: mac, sequenceControl: u16 });
const mgmt: fc.Arbitrary<Frame> = fc.record({ kind: fc.constant('management' as const), header, body });
const data: fc.Arbitrary<Frame> = fc
  .record({ subtype: fc.integer({ min: 0, max: 15 }), header: fc.record({ flags: fc.integer({ min: 0, max: 0x7f }), duration: u16, addr1: mac, addr2: mac, addr3: mac, sequenceControl: u16 }), addr4: mac, qos: u16, payload: fc.uint8Array({ maxLength: 60 }) })
  .map(({ subtype, header: h, addr4, qos, payload }) => {
    const f: DataFrame = { kind: 'data', subtype, header: h, payload };
    if ((h.flags & 3) === 3) f.addr4 = addr4;
    if (subtype & 8) f.qosControl = qos;
    return f;
  });

describe('802.11 frames', () => {
  it('any bytes parse into a frame that re-encodes to the same bytes, or a FrameError', () => {
    const frameLike = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 120 })).map(([a, b, rest]) => Uint8Array.from([a, b, ...rest]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 120 }), frameLike), (buf) => {
        try {
          expect(buildFrame(parseFrame(buf))).toEqual(buf);
        } catch (e) {
          expect(e).toBeInstanceOf(FrameError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every management and data frame survives build then parse', () => {
    fc.assert(
      fc.property(fc.oneof(mgmt, data), (f) => {
        expect(parseFrame(buildFrame(f))).toEqual(f);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes a probe request with a WPS element as on the air', () => {
    const f = managementFrame(BC, STA, BC, { subtype: 'probe-request', elements: [{ id: 0, data: new Uint8Array(0) }, ...parseElements(buildWpsIe(hex('104a000110')))] });
    expect(buildFrame(f)).toEqual(hex('4000 0000 ffffffffffff 020000000200 ffffffffffff 0000 0000 dd09 0050f204 104a000110'));
  });

  it('reads an association response with the AID field bits', () => {
    const wire = hex('1000 3a01 020000000200 020000000100 020000000100 1000 0104 0000 01c0 dd07506f9a1b060140');
    const f = parseFrame(wire);
    expect(f.kind).toBe('management');
    if (f.kind !== 'management' || f.body.subtype !== 'association-response') throw new Error('not an association response');
    expect(f.body.status).toBe(0);
    expect(f.body.aid & 0x3fff).toBe(1);
    expect(f.body.elements[0]?.id).toBe(221);
  });

  it('refuses control frames, protocol version 1, protected management frames and short bodies', () => {
    expect(() => parseFrame(hex('d400 0000 020000000200'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => parseFrame(hex('4100' + '00'.repeat(22)))).toThrow(expect.objectContaining({ code: 'BAD_VERSION' }));
    expect(() => parseFrame(hex('c040' + '00'.repeat(24)))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => parseFrame(hex('8000' + '00'.repeat(22) + '0000'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => parseFrame(hex('4000' + '00'.repeat(22) + '0005'))).toThrow(expect.objectContaining({ code: 'BAD_ELEMENTS' }));
  });
});

describe('EAPOL in data frames', () => {
  const eapol = buildEapol({ version: 2, type: EapolType.START, body: new Uint8Array(0) });

  it('a station sends EAPOL To DS with BSSID, SA, DA', () => {
    const f = eapolDataFrame({ direction: 'to-ap', bssid: AP, station: STA, fourAddr: false, eapol });
    expect(buildFrame(f)).toEqual(hex('0801 0000 020000000100 020000000200 020000000100 0000 aaaa03000000888e 02010000'));
    const back = parseFrame(buildFrame(f));
    if (back.kind !== 'data') throw new Error('not data');
    expect(eapolFromDataFrame(back)).toEqual(eapol);
    expect(dataAddressing(back)).toMatchObject({ sa: STA, da: AP, bssid: AP, toDs: true, fromDs: false });
  });

  it('a backhaul STA in 4-address mode sets To DS and From DS and carries Address 4', () => {
    const f = eapolDataFrame({ direction: 'from-ap', bssid: AP, station: STA, fourAddr: true, eapol });
    const wire = buildFrame(f);
    expect(wire[1]).toBe(FcFlag.TO_DS | FcFlag.FROM_DS);
    expect(wire.length).toBe(30 + 8 + 4);
    const back = parseFrame(wire);
    if (back.kind !== 'data') throw new Error('not data');
    expect(back.addr4).toBe(AP);
    expect(dataAddressing(back)).toMatchObject({ ra: STA, ta: AP, sa: AP, da: STA });
    expect(eapolFromDataFrame(back)).toEqual(eapol);
  });

  it('ignores data that is not LLC/SNAP EAPOL', () => {
    const f: DataFrame = { kind: 'data', subtype: 0, header: { flags: 1, duration: 0, addr1: AP, addr2: STA, addr3: AP, sequenceControl: 0 }, payload: hex('aaaa030000000800 4500') };
    expect(eapolFromDataFrame(f)).toBeUndefined();
    const sealed = eapolDataFrame({ direction: 'to-ap', bssid: AP, station: STA, fourAddr: false, eapol: new Uint8Array(4) });
    sealed.header.flags |= FcFlag.PROTECTED;
    expect(eapolFromDataFrame(sealed)).toBeUndefined();
  });
});

describe('EAPOL header', () => {
  it('reads version, type EAP-Packet/Start/Logoff/Key and length', () => {
    expect(EapolType).toMatchObject({ EAP_PACKET: 0, START: 1, LOGOFF: 2, KEY: 3 });
    expect(parseEapol(hex('02 00 0005 0101000501'))).toEqual({ version: 2, type: 0, body: hex('0101000501') });
    expect(parseEapol(hex('01 02 0000'))).toEqual({ version: 1, type: 2, body: new Uint8Array(0) });
  });

  it('ignores link padding after the body but refuses a body longer than received', () => {
    expect(parseEapol(hex('02 01 0000 00000000')).body.length).toBe(0);
    expect(() => parseEapol(hex('02 00 0010 01'))).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(() => parseEapol(hex('0200'))).toThrow(EapolError);
  });

  it('any bytes parse into a PDU that re-encodes to the bytes it covers, or an EapolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (buf) => {
        try {
          const v = parseEapol(buf);
          expect(buildEapol(v)).toEqual(buf.subarray(0, 4 + v.body.length));
        } catch (e) {
          expect(e).toBeInstanceOf(EapolError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }), (version, type, b) => {
        expect(parseEapol(buildEapol({ version, type, body: b }))).toEqual({ version, type, body: b });
      }),
    );
  });
});
