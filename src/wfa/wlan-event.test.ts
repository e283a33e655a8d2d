import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePropertySet } from '../upnp/gena-headers.js';
import { WLAN_EVENT_MAX_BYTES, WlanEventError, WlanEventType, buildWlanEvent, encodeWlanEvent, parseWlanEvent, parseWlanEventBytes } from './wlan-event.js';

const REF = join(import.meta.dirname, '..', '..', 'fixtures', 'reference');

describe('WLANEvent', () => {
  it("reads hostapd's first NOTIFY: type 2 (EAP) from 00:00:00:00:00:00 carrying the dummy WSC_ACK", () => {
    const raw = readFileSync(join(REF, 'http', '04-discovery-NOTIFY-event_43135975_1.request.http'), 'latin1');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const ev = parseWlanEvent(parsePropertySet(body)['WLANEvent'] ?? '');
    expect(ev.type).toBe(WlanEventType.Eap);
    expect(ev.macAddress.toString('hex')).toBe('000000000000');
    expect(ev.message.toString('hex')).toBe(readFileSync(join(REF, 'wsc', 'discovery', 'wlanevent2-ack.hex'), 'utf8').trim());
  });

  it('round-trips type, MAC and message', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2) as fc.Arbitrary<WlanEventType>, fc.uint8Array({ minLength: 6, maxLength: 6 }), fc.uint8Array({ maxLength: 600 }), (type, mac, msg) => {
        const ev = parseWlanEvent(buildWlanEvent(type, mac, msg));
        expect(ev.type).toBe(type);
        expect(ev.macAddress.equals(Buffer.from(mac))).toBe(true);
        expect(ev.message.equals(Buffer.from(msg))).toBe(true);
      }),
    );
  });

  it('refuses short, unknown-type, bad-MAC, oversized and non-base64 events with a typed error', () => {
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (e instanceof WlanEventError) return e.code;
        throw e;
      }
      return 'ok';
    };
    expect(code(() => parseWlanEventBytes(Buffer.alloc(17)))).toBe('TOO_SHORT');
    expect(code(() => parseWlanEventBytes(Buffer.concat([Buffer.from([3]), Buffer.from('00:11:22:33:44:55')])))).toBe('BAD_TYPE');
    expect(code(() => parseWlanEventBytes(Buffer.concat([Buffer.from([1]), Buffer.from('00:11:22:33:44:5g')])))).toBe('BAD_MAC');
    expect(code(() => parseWlanEventBytes(Buffer.concat([Buffer.from([1]), Buffer.from('00-11-22-33-44-55')])))).toBe('BAD_MAC');
    expect(code(() => parseWlanEventBytes(Buffer.alloc(WLAN_EVENT_MAX_BYTES + 1, 1)))).toBe('TOO_LARGE');
    expect(code(() => parseWlanEvent('not base64!'))).toBe('BAD_BASE64');
    expect(code(() => parseWlanEventBytes(encodeWlanEvent(2, Buffer.alloc(6), Buffer.alloc(0))))).toBe('ok');
  });

  it('never throws anything but WlanEventError, whatever the text or bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 })), (text) => {
        try {
          parseWlanEvent(text);
        } catch (e) {
          expect(e).toBeInstanceOf(WlanEventError);
        }
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          parseWlanEventBytes(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(WlanEventError);
        }
      }),
    );
  });
});
