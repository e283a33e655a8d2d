import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../upnp/base64.js';
import { ConfigMethods, DevicePasswordId } from '../wps/values.js';
import { base64Lines } from './base64-lines.js';
import { BROADCAST_MAC, SelectedRegistrarError, buildSetSelectedRegistrar, parseSetSelectedRegistrar } from './set-selected-registrar.js';
import { formatWlanEventMac, parseWlanEventMac, parseWlanEventType } from './wlan-event-mac.js';
import { encodeWlanEvent } from './wlan-event.js';

describe('WLANEvent and base64 layout', () => {
  it('hostapd base64 (72-character lines) decodes back to the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const text = base64Lines(b);
        expect(text.split('\n').every((l) => l.length <= 72)).toBe(true);
        expect(Buffer.from(decodeBase64(text))).toEqual(Buffer.from(b));
      }),
    );
  });

  it('a WLANEvent is the type octet, the MAC as text, then the message', () => {
    const ev = encodeWlanEvent(2, Buffer.from('020000000300', 'hex'), Buffer.from([0x10, 0x4a]));
    expect(ev.toString('latin1')).toBe('\x0202:00:00:00:03:00\x10\x4a');
  });
});

describe('WLANEventMAC', () => {
  it('is written lower case with colons and read back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (mac) => {
        const text = formatWlanEventMac(mac);
        expect(text).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
        expect(parseWlanEventMac(text)?.equals(Buffer.from(mac))).toBe(true);
      }),
    );
  });
});

describe('PutWLANResponse arguments', () => {
  it('takes colon MACs and the dotted / hyphen forms hostapd tolerates, nothing else', () => {
    expect(parseWlanEventMac('02:00:00:00:03:0a')?.toString('hex')).toBe('02000000030a');
    expect(parseWlanEventMac('0200.0000.030a')?.toString('hex')).toBe('02000000030a');
    expect(parseWlanEventMac('02-00-00-00-03-0a')?.toString('hex')).toBe('02000000030a');
    for (const bad of ['', 'nonsense', '02:00:00:00:03', '02:00:00:00:03:0g', '0200000003aa55']) expect(parseWlanEventMac(bad)).toBeUndefined();
    expect(parseWlanEventType('2')).toBe(2);
    expect(parseWlanEventType('256')).toBeUndefined();
    expect(parseWlanEventType('-1')).toBeUndefined();
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const m = parseWlanEventMac(s);
        if (m !== undefined) expect(m.length).toBe(6);
        const t = parseWlanEventType(s);
        if (t !== undefined) expect(t).toBeLessThanOrEqual(255);
      }),
    );
  });
});

describe('SetSelectedRegistrar', () => {
  const v1 = Buffer.from('104a00011010410001011012000200001053000201' + '00', 'hex');

  it('a WPS 1.0 ER without Authorized MACs authorizes everybody, as hostapd', () => {
    const m = parseSetSelectedRegistrar(v1);
    expect(m).toMatchObject({ selected: true, devicePasswordId: 0, configMethods: 0x0100, version2: false });
    expect(m.authorizedMacs).toEqual([BROADCAST_MAC]);
  });

  it('Selected Registrar 0 turns the selection off; missing Selected Registrar is refused', () => {
    expect(parseSetSelectedRegistrar(Buffer.from('104a0001101041000100', 'hex')).selected).toBe(false);
    expect(() => parseSetSelectedRegistrar(Buffer.from('104a000110', 'hex'))).toThrow(SelectedRegistrarError);
  });

  it('reads what the ER builds: selection, password id, methods and Authorized MACs', () => {
    const macs = [Buffer.from('02000000bb02', 'hex'), Buffer.from('02000000bb01', 'hex')];
    const msg = buildSetSelectedRegistrar({ selected: true, devicePasswordId: DevicePasswordId.PushButton, configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualPushButton }, Buffer.alloc(16, 1), macs);
    expect(parseSetSelectedRegistrar(msg)).toEqual({ selected: true, devicePasswordId: 4, configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualPushButton, authorizedMacs: macs, version2: true });
    // No Message Type is needed, and none is added: the bytes parse as sent.
    expect(msg.includes(Buffer.from([0x10, 0x22]))).toBe(false);
  });

  it('refuses an Authorized MACs list that is not whole MACs', () => {
    const bad = Buffer.from('104a000110' + '1041000101' + '101200020000' + '105300020108' + '1049000d00372a0001200105ffffffffff', 'hex');
    expect(() => parseSetSelectedRegistrar(bad)).toThrow(SelectedRegistrarError);
  });

  it('throws nothing but SelectedRegistrarError on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        try {
          parseSetSelectedRegistrar(b);
        } catch (e) {
          expect(e).toBeInstanceOf(SelectedRegistrarError);
        }
      }),
    );
  });
});
