import { describe, expect, it } from 'vitest';
import { buildSetSelectedRegistrar } from '../wfa/set-selected-registrar.js';
import { PbcSessions } from './pbc.js';
import { ER_PIN_TABLE, ER_PIN_TIMEOUT_MS, MAX_ER_PINS, PinTable } from './pin-table.js';
import { authorizedMacsFor, RegistrarContext, selectedRegistrarMode, selectedRegistrarState, withPushButton } from './registrar-context.js';
import { ConfigMethods, DevicePasswordId } from './values.js';
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

describe('wps_set_pushbutton, once for both ends', () => {
  it('adds PushButton and the configured flavour; physical when none is configured', () => {
    expect(withPushButton(ConfigMethods.Keypad, ConfigMethods.Keypad | ConfigMethods.VirtualPushButton)).toBe(ConfigMethods.Keypad | ConfigMethods.VirtualPushButton);
    expect(withPushButton(0, ConfigMethods.PhysicalPushButton)).toBe(ConfigMethods.PhysicalPushButton);
    // Plain push_button: hostapd has to name a kind and says physical.
    expect(withPushButton(ConfigMethods.Keypad, ConfigMethods.Keypad | ConfigMethods.PushButton)).toBe(ConfigMethods.Keypad | ConfigMethods.PhysicalPushButton);
    // The ER's SetSelectedRegistrar uses the same rule.
    expect(selectedRegistrarState(ConfigMethods.Keypad | ConfigMethods.PushButton, 'pbc').configMethods).toBe(ConfigMethods.Keypad | ConfigMethods.PhysicalPushButton);
  });
});

describe('RegistrarContext', () => {
  const U = Buffer.alloc(16, 7);
  it('a wildcard PIN is claimed by the first Enrollee that uses it and is gone after its registration', () => {
    const c = new RegistrarContext({ now: () => 0, configMethods: ConfigMethods.Keypad });
    expect(c.addPin('12345670')).toBe(true);
    expect(c.passwordFor({ uuid: U, devicePasswordId: DevicePasswordId.Default })).toEqual({ kind: 'pin', pin: '12345670' });
    expect(c.passwordFor({ uuid: U2, devicePasswordId: DevicePasswordId.Default })).toBeUndefined();
    expect(c.registered(U, 'pin')).toEqual({ pbcEnded: false });
    expect(c.pins.size).toBe(0);
    expect(c.selected).toBe(false);
  });

  it('PBC: the button gives PushButton to PBC Enrollees only, a registration ends it (WPS-PBC-DISABLE), WPS_CANCEL says whether it ran', () => {
    const c = new RegistrarContext({ now: () => 0, configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualPushButton });
    expect(c.pushButton()).toBe(true);
    expect(c.view()).toMatchObject({ selected: true, devicePasswordId: DevicePasswordId.PushButton, pbc: true });
    expect(c.passwordFor({ uuid: U, devicePasswordId: DevicePasswordId.PushButton })).toEqual({ kind: 'pbc' });
    expect(c.passwordFor({ uuid: U, devicePasswordId: DevicePasswordId.Default })).toBeUndefined();
    expect(c.registered(U, 'pbc')).toEqual({ pbcEnded: true });
    expect(c.pbcActive).toBe(false);
    expect(c.pushButton()).toBe(true);
    expect(c.cancel()).toEqual({ pbcWasActive: true });
    expect(c.cancel()).toEqual({ pbcWasActive: false });
  });

  it('two Enrollees in PBC mode: the button is refused and nothing changes', () => {
    const c = new RegistrarContext({ now: () => 0, configMethods: ConfigMethods.Keypad });
    c.pbc.probeRequest(Buffer.alloc(6, 1), Buffer.alloc(16, 1));
    c.pbc.probeRequest(Buffer.alloc(6, 2), Buffer.alloc(16, 2));
    expect(c.pushButton()).toBe(false);
    expect(c.view().selected).toBe(false);
  });

  it('a PIN with its own timeout goes when it runs out; the AP table drops its oldest PIN when full', () => {
    let now = 0;
    const c = new RegistrarContext({ now: () => now, configMethods: ConfigMethods.Keypad, pins: { maxPins: 2, whenFull: 'drop-oldest' } });
    c.addPin('11111111', { uuid: U, timeoutMs: 5_000 });
    expect(c.nextDeadline()).toBe(5_000);
    now = 5_000;
    expect(c.expire()).toEqual([{ type: 'pin-expired' }]);
    expect(c.pins.lookup(U)).toBeUndefined();
    for (const pin of ['1', '2', '3']) c.addPin(pin);
    expect(c.pins.size).toBe(2);
  });
});

describe('NFC password tokens in the registrar context', () => {
  const token = (id: number) => ({ passwordId: id, password: Buffer.alloc(32, id & 0xff), publicKeyHash: Buffer.alloc(20, 7) });

  it("a token read selects the Registrar with its Device Password ID and any MAC, and the Enrollee's M1 with that ID claims it once", () => {
    let now = 0;
    const ctx = new RegistrarContext({ now: () => now, configMethods: ConfigMethods.Display | ConfigMethods.Keypad });
    expect(ctx.addNfcPasswordToken(token(0x1234))).toBe(true);
    const v = ctx.view();
    expect(v.selected).toBe(true);
    expect(v.devicePasswordId).toBe(0x1234);
    expect(v.authorizedMacs.map((m) => m.toString('hex'))).toEqual(['ffffffffffff']);
    const pw = ctx.passwordFor({ uuid: U1, devicePasswordId: 0x1234 });
    expect(pw).toEqual({ kind: 'nfc', ...token(0x1234) });
    expect(ctx.passwordFor({ uuid: U1, devicePasswordId: 0x1234 })).toBeUndefined();
    ctx.registered(U1, 'pin');
    expect(ctx.view().selected).toBe(false);
    // The walk time ends a selection nobody used.
    ctx.addNfcPasswordToken(token(0x2000));
    now = 120_000;
    expect(ctx.expire()).toEqual([{ type: 'selection-lapsed' }]);
    expect(ctx.view().selected).toBe(false);
  });

  it('a PIN added later advertises Default again; cancel drops tokens; IDs below 0x10 are refused; the table is bounded', () => {
    const ctx = new RegistrarContext({ now: () => 0, configMethods: ConfigMethods.Display });
    expect(ctx.addNfcPasswordToken(token(0x0007))).toBe(false);
    expect(ctx.addNfcPasswordToken({ passwordId: 0x10, password: Buffer.alloc(33) })).toBe(false);
    ctx.addNfcPasswordToken(token(0x10));
    ctx.addPin('12345670');
    expect(ctx.view().devicePasswordId).toBe(DevicePasswordId.Default);
    expect(ctx.nfcTokenIds).toEqual([0x10]);
    ctx.cancel();
    expect(ctx.nfcTokenIds).toEqual([]);
    for (let i = 0; i < 20; i++) ctx.addNfcPasswordToken(token(0x100 + i));
    expect(ctx.nfcTokenIds).toHaveLength(8);
    expect(ctx.nfcTokenIds[0]).toBe(0x100 + 12);
  });
});

describe('the end of PBC mode is never lost', () => {
  it('PBC mode past its walk time stays due until expire() reports it, whoever asks first', () => {
    let now = 0;
    const ctx = new RegistrarContext({ now: () => now, configMethods: ConfigMethods.Display, pbcWalkTimeMs: 2_000 });
    expect(ctx.pushButton()).toBe(true);
    expect(ctx.nextDeadline()).toBe(2_000);
    // Another event re-arms the owner's timer just after the walk time, before the old timer ran.
    now = 2_001;
    expect(ctx.nextDeadline()).toBe(2_001);
    expect(ctx.expire()).toEqual([{ type: 'pbc-timeout' }]);
    expect(ctx.nextDeadline()).toBeUndefined();
  });
});
