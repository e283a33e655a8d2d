import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../upnp/base64.js';
import { Enrollee } from '../wps/enrollee.js';
import { AuthType, EncrType } from '../wps/values.js';
import { ErSessions } from './er-sessions.js';
import { parseWlanEventMac, parseWlanEventType } from './put-wlan-response.js';
import { BROADCAST_MAC, SelectedRegistrarError, SelectedRegistrars, parseSetSelectedRegistrar } from './selected-registrar.js';
import { encodeWlanEvent, hostapdBase64 } from './wfa-service.js';

describe('WLANEvent and base64 layout', () => {
  it('hostapd base64 (72-character lines) decodes back to the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const text = hostapdBase64(b);
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

  it('a selection ends after its timeout', () => {
    let t = 0;
    const s = new SelectedRegistrars({ now: () => t, timeoutMs: 1000 });
    s.set('169.254.1.2', parseSetSelectedRegistrar(v1));
    expect(s.active()).toHaveLength(1);
    t = 1000;
    expect(s.active()).toHaveLength(0);
  });

  it('a selection ends when its ER drops its subscription', () => {
    let subscribed = true;
    const s = new SelectedRegistrars({ now: () => 0, isCurrent: () => subscribed });
    s.set('169.254.1.2', parseSetSelectedRegistrar(v1));
    expect(s.active()).toHaveLength(1);
    subscribed = false;
    expect(s.active()).toHaveLength(0);
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

describe('External Registrar runs', () => {
  const device = {
    uuid: Buffer.alloc(16, 1), macAddress: Buffer.alloc(6, 2), deviceName: 'AP', manufacturer: 'm', modelName: 'm', modelNumber: '1',
    serialNumber: '1', primaryDeviceType: Buffer.from('00060050f2040001', 'hex'), osVersion: 0, configMethods: 0x100, rfBands: 1,
  };
  const settings = { networkIndex: 1, ssid: Buffer.from('s'), authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0), macAddress: Buffer.alloc(6, 2), extra: [] };
  const newRun = () => new Enrollee({ device, password: { kind: 'pin', pin: '12345670' }, ap: { settings } });

  it('a GetDeviceInfo flood from one address ends only its own runs; a full table gives way from the address holding the most; idle runs go', () => {
    let t = 0;
    const dropped: string[] = [];
    const s = new ErSessions({ now: () => t, onDrop: (x, why) => dropped.push(`${why} ${x.remote}`) });
    const legit = newRun();
    const legitM1 = legit.start();
    s.add(legit, legitM1, 'er');
    for (let i = 0; i < 500; i++) {
      const e = newRun();
      s.add(e, e.start(), 'flood');
    }
    expect(s.size).toBe(3);
    expect(s.match(legitM1, 'er')).toBeDefined();
    expect(dropped.every((d) => d === 'oldest flood')).toBe(true);
    // Two more addresses fill the table: the slot comes from the flood's share.
    for (const who of ['x', 'y']) {
      const e = newRun();
      s.add(e, e.start(), who);
    }
    expect(s.size).toBe(4);
    expect(s.match(legitM1, 'er')).toBeDefined();
    t = 60_000;
    expect(s.size).toBe(0);
  });

  it('matches a message to its run by the Enrollee Nonce', () => {
    const s = new ErSessions({ now: () => 0 });
    const e = newRun();
    const m1 = e.start();
    const run = s.add(e, m1, 'a');
    expect(s.match(m1)).toBe(run);
    expect(s.match(m1, 'a')).toBe(run);
    expect(s.match(m1, 'elsewhere')).toBeUndefined();
    expect(s.match(Buffer.from('104a000110', 'hex'))).toBeUndefined();
  });
});
