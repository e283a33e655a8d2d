import { describe, expect, it } from 'vitest';
import { buildSetSelectedRegistrar } from '../wfa/set-selected-registrar.js';
import { PbcSessions } from './pbc.js';
import { ER_PIN_TABLE, ER_PIN_TIMEOUT_MS, MAX_ER_PINS, PinTable } from './pin-table.js';
import { authorizedMacsFor, selectedRegistrarMode, selectedRegistrarState } from './registrar-context.js';
import { ConfigMethods } from './values.js';
import { MAX_AUTHORIZED_MACS } from './vendor-ext.js';

const U1 = Buffer.alloc(16, 1);
const U2 = Buffer.alloc(16, 2);

describe('ER PINs', () => {
  it("an Enrollee's own PIN wins over a wildcard one; PINs expire after 300 s", () => {
    let now = 0;
    const s = new PinTable(() => now, ER_PIN_TABLE);
    s.add(undefined, '11111111', undefined);
    s.add(U1, '12345670', Buffer.from('020000000001', 'hex'));
    expect(s.lookup(U1)?.pin).toBe('12345670');
    expect(s.lookup(U2)?.pin).toBe('11111111');
    // Newest first; the wildcard PIN without a MAC authorizes broadcast (wps_registrar_add_pin).
    expect(s.authorizedMacs().map((m) => m.toString('hex'))).toEqual(['020000000001', 'ffffffffffff']);
    expect(s.removeFor(U2)).toBe(true);
    expect(s.lookup(U2)).toBeUndefined();
    now = ER_PIN_TIMEOUT_MS;
    expect(s.lookup(U1)).toBeUndefined();
    expect(s.expire()).toBe(true);
    expect(s.size).toBe(0);
  });

  it('a new PIN for the same UUID replaces the old one, and the store is bounded', () => {
    const s = new PinTable(() => 0, ER_PIN_TABLE);
    s.add(U1, '1', undefined);
    s.add(U1, '2', undefined);
    expect(s.size).toBe(1);
    expect(s.lookup(U1)?.pin).toBe('2');
    for (let i = 0; i < MAX_ER_PINS + 5; i++) s.add(Buffer.alloc(16, i + 10), '12345670', undefined);
    expect(s.size).toBe(MAX_ER_PINS);
  });
});

describe('Authorized MACs of the PINs held', () => {
  const hex = (b: Buffer[]): string[] => b.map((m) => m.toString('hex'));

  it('two PINs with different MACs are both authorized, newest first; each change of the PINs counts', () => {
    let now = 0;
    const s = new PinTable(() => now, ER_PIN_TABLE);
    const v0 = s.version;
    s.add(U1, '12345670', Buffer.from('02000000bb01', 'hex'));
    s.add(U2, '87654325', Buffer.from('02000000bb02', 'hex'));
    expect(hex(s.authorizedMacs())).toEqual(['02000000bb02', '02000000bb01']);
    expect(s.version).toBe(v0 + 2);
    expect(s.removeFor(U2)).toBe(true);
    expect(hex(s.authorizedMacs())).toEqual(['02000000bb01']);
    expect(s.version).toBe(v0 + 3);
    now = ER_PIN_TIMEOUT_MS;
    expect(s.expire()).toBe(true);
    expect(s.authorizedMacs()).toEqual([]);
    expect(s.version).toBe(v0 + 4);
    expect(s.expire()).toBe(false);
    expect(s.version).toBe(v0 + 4);
  });

  it('holds no repeats and at most MAX_AUTHORIZED_MACS, the newest', () => {
    const s = new PinTable(() => 0, ER_PIN_TABLE);
    for (let i = 0; i < 8; i++) s.add(Buffer.alloc(16, i + 1), '12345670', Buffer.from(`02000000cc0${i}`, 'hex'));
    s.add(Buffer.alloc(16, 50), '12345670', Buffer.from('02000000cc07', 'hex'));
    expect(hex(s.authorizedMacs())).toEqual(['02000000cc07', '02000000cc06', '02000000cc05', '02000000cc04', '02000000cc03']);
    expect(MAX_AUTHORIZED_MACS).toBe(5);
  });

  it('PBC puts broadcast in front, off has none (the message then carries broadcast)', () => {
    const a = Buffer.from('02000000bb01', 'hex');
    expect(hex(authorizedMacsFor('pbc', [a]))).toEqual(['ffffffffffff', '02000000bb01']);
    expect(hex(authorizedMacsFor('pin', [a]))).toEqual(['02000000bb01']);
    expect(authorizedMacsFor('off', [a])).toEqual([]);
    const st = selectedRegistrarState(ConfigMethods.Keypad, 'pin');
    const two = buildSetSelectedRegistrar(st, U1, [Buffer.from('02000000bb02', 'hex'), a]);
    expect(two.toString('hex')).toContain('1049001400372a000120010c02000000bb0202000000bb01');
  });
});

describe('SetSelectedRegistrar', () => {
  it('PIN mode: selected, password id 0, no push-button methods, broadcast Authorized MACs when none, UUID-R last', () => {
    const st = selectedRegistrarState(ConfigMethods.Keypad | ConfigMethods.VirtualPushButton | ConfigMethods.Display, 'pin');
    expect(st).toEqual({ selected: true, devicePasswordId: 0, configMethods: ConfigMethods.Keypad | ConfigMethods.Display });
    const msg = buildSetSelectedRegistrar(st, U1, []);
    expect(msg.toString('hex')).toBe('104a000110' + '1041000101' + '101200020000' + '105300020108' + '1049000e00372a0001200106ffffffffffff' + '10480010' + U1.toString('hex'));
  });

  it('PBC mode uses password id 4 and adds the push-button methods; off clears everything', () => {
    expect(selectedRegistrarState(ConfigMethods.Keypad | ConfigMethods.VirtualPushButton, 'pbc')).toEqual({
      selected: true,
      devicePasswordId: 4,
      configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualPushButton,
    });
    expect(selectedRegistrarState(0xffff, 'off')).toEqual({ selected: false, devicePasswordId: 0, configMethods: 0 });
  });

  it('is cleared when the PIN times out or the PBC walk time ends (the mode the housekeeping tick applies)', () => {
    let now = 0;
    const pins = new PinTable(() => now, ER_PIN_TABLE);
    const pbc = new PbcSessions({ now: () => now });
    pins.add(undefined, '12345670', undefined);
    expect(selectedRegistrarMode(pbc.active, pins.size)).toBe('pin');
    expect(pbc.buttonPushed()).toBe(true);
    expect(selectedRegistrarMode(pbc.active, pins.size)).toBe('pbc');
    now = pbc.walkTimeMs;
    expect(selectedRegistrarMode(pbc.active, pins.size)).toBe('pin');
    now = ER_PIN_TIMEOUT_MS;
    pins.expire();
    expect(selectedRegistrarMode(pbc.active, pins.size)).toBe('off');
  });
});
