import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeType as A, attrBytes, attrString, attrU16, attrU8, encodeAttributes } from '../wps/attributes.js';
import { MessageType } from '../wps/values.js';
import { ENROLLEE_DONE_TIMEOUT_MS, ENROLLEE_TIMEOUT_MS, EnrolleeTable, parseProxiedTlvs } from './enrollee-table.js';
import { WscProtocolError } from '../wps/message.js';

const MAC = Buffer.from('0266a0ee1727', 'hex');
const UUID1 = Buffer.alloc(16, 1);
const UUID2 = Buffer.alloc(16, 2);

function probe(uuid: Buffer, name: string, methods = 0x108): Buffer {
  return encodeAttributes([attrU8(A.Version, 0x10), attrU16(A.ConfigMethods, methods), attrBytes(A.UuidE, uuid), attrU16(A.DevicePasswordId, 4), attrString(A.DeviceName, name)]);
}
function m1Like(uuid: Buffer, name: string): Buffer {
  return encodeAttributes([attrU8(A.Version, 0x10), attrU8(A.MessageType, MessageType.M1), attrBytes(A.UuidE, uuid), attrU16(A.ConfigMethods, 0x14d), attrU16(A.DevicePasswordId, 0), attrString(A.DeviceName, name), attrString(A.SerialNumber, '12345')]);
}

describe('Enrollees seen through an AP', () => {
  it('a probe adds an Enrollee (announce, M1=0); the same probe again does not announce; an M1 fills in and announces (M1=1)', () => {
    let now = 1000;
    const t = new EnrolleeTable(() => now);
    const a = t.update(MAC, parseProxiedTlvs(probe(UUID1, 'phone')), true);
    expect(a?.announce).toBe(true);
    expect(a?.enrollee).toMatchObject({ m1Received: false, configMethods: 0x108, devicePasswordId: 4, deviceName: 'phone' });
    expect(t.update(MAC, parseProxiedTlvs(probe(UUID1, 'phone')), true)?.announce).toBe(false);
    const b = t.update(MAC, parseProxiedTlvs(m1Like(UUID2, 'phone-m1')), false);
    expect(b?.announce).toBe(true);
    expect(b?.enrollee).toMatchObject({ m1Received: true, configMethods: 0x14d, devicePasswordId: 0, deviceName: 'phone-m1', serialNumber: '12345' });
    expect(b?.enrollee.uuid.equals(UUID2)).toBe(true);
    // A later probe does not overwrite what M1 said (wps_er_add_sta_data), except the strings.
    const c = t.update(MAC, parseProxiedTlvs(probe(UUID1, 'again', 0x80)), true);
    expect(c?.enrollee).toMatchObject({ configMethods: 0x14d, devicePasswordId: 0, deviceName: 'again' });
    expect(c?.enrollee.uuid.equals(UUID2)).toBe(true);
    now += ENROLLEE_TIMEOUT_MS - 1;
    expect(t.expire()).toEqual([]);
    now += 1;
    expect(t.expire().length).toBe(1);
    expect(t.size).toBe(0);
  });

  it('EAP messages other than M1 from an unknown MAC add nothing; a finished run leaves after 10 s', () => {
    let now = 0;
    const t = new EnrolleeTable(() => now);
    const ack = encodeAttributes([attrU8(A.Version, 0x10), attrU8(A.MessageType, MessageType.WscAck)]);
    expect(t.update(MAC, parseProxiedTlvs(ack), false)).toBeUndefined();
    const e = t.update(MAC, parseProxiedTlvs(m1Like(UUID1, 'x')), false)?.enrollee;
    expect(e).toBeDefined();
    t.finishSoon(e as NonNullable<typeof e>);
    now = ENROLLEE_DONE_TIMEOUT_MS;
    expect(t.expire().length).toBe(1);
  });

  it('the table is bounded: beyond the limit new Enrollees are ignored', () => {
    const t = new EnrolleeTable(() => 0, 3);
    for (let i = 0; i < 10; i++) t.update(Buffer.from([2, 0, 0, 0, 0, i]), parseProxiedTlvs(probe(UUID1, 'p')), true);
    expect(t.size).toBe(3);
  });

  it('a full table makes room for a new Enrollee by dropping the finished one closest to expiry, never one still in use', () => {
    let now = 0;
    const t = new EnrolleeTable(() => now, 3);
    const mac = (i: number): Buffer => Buffer.from([2, 0, 0, 0, 0, i]);
    const m1 = parseProxiedTlvs(m1Like(UUID1, 'x'));
    const [a, b] = [t.update(mac(1), m1, false)?.enrollee, t.update(mac(2), m1, false)?.enrollee];
    t.update(mac(3), m1, false);
    expect(t.update(mac(4), m1, false)).toBeUndefined();
    now = 5;
    t.finishSoon(b as NonNullable<typeof b>);
    now = 6;
    t.finishSoon(a as NonNullable<typeof a>);
    const d = t.update(mac(4), m1, false);
    expect(d?.evicted).toBe(b);
    expect(t.get(mac(2))).toBeUndefined();
    expect(t.size).toBe(3);
    // A message after the run makes an entry live again: it is not dropped for another.
    t.update(mac(1), parseProxiedTlvs(probe(UUID1, 'p')), true);
    expect(t.update(mac(5), m1, false)).toBeUndefined();
    expect(t.size).toBe(3);
  });

  it('proxied TLVs: wrong-sized known attributes and truncation are a WscProtocolError (the wps_parse_msg of src/wps), never anything else', () => {
    expect(() => parseProxiedTlvs(encodeAttributes([attrBytes(A.UuidE, Buffer.alloc(5))]))).toThrow(WscProtocolError);
    expect(() => parseProxiedTlvs(Buffer.from([0x10, 0x47, 0x00, 0x10, 1]))).toThrow(WscProtocolError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          const t = parseProxiedTlvs(b);
          new EnrolleeTable(() => 0).update(MAC, t, true);
        } catch (e) {
          expect(e).toBeInstanceOf(WscProtocolError);
        }
      }),
    );
  });
});
