import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CommandRegistry, REPLY_FAIL, REPLY_OK } from '../ctrl/registry.js';
import { parseRequest } from '../ctrl/request.js';
import { parseWpsPinArgs, registerWpsRadioCommands, type WpsRadioControl } from './wps-commands.js';

describe('WPS_PIN arguments', () => {
  it('takes any or a UUID, a 4- or 8-digit PIN, a timeout and an Enrollee MAC as hostapd_cli sends them', () => {
    expect(parseWpsPinArgs(['any', '12345670'])).toEqual({ pin: '12345670', timeoutSec: 0 });
    expect(parseWpsPinArgs(['any', '12345670', '300'])).toEqual({ pin: '12345670', timeoutSec: 300 });
    const full = parseWpsPinArgs(['53b63a98-d29e-4457-a2ed-094d7e6a669c', '1234', '300', '00:11:22:33:44:55']);
    expect(full?.uuid?.toString('hex')).toBe('53b63a98d29e4457a2ed094d7e6a669c');
    expect(full).toMatchObject({ pin: '1234', timeoutSec: 300, enrolleeMac: '00:11:22:33:44:55' });
    // A bad checksum is accepted: hostapd does not check it either (fixed device PINs exist).
    expect(parseWpsPinArgs(['any', '12345678'])).toMatchObject({ pin: '12345678' });
  });

  it('refuses bad UUIDs, PINs, timeouts and MACs', () => {
    for (const bad of [['any'], ['anyone', '12345670'], ['any', '1234567'], ['any', '123456789'], ['any', '1234-5670'], ['any', '12345670', '-1'], ['any', '12345670', '1e3'], ['any', '12345670', '0', '00:11:22:33:44'], ['any', '12345670', '0', '00:11:22:33:44:55', 'x']]) {
      expect(parseWpsPinArgs(bad)).toBeUndefined();
    }
  });

  it('never throws, and what it accepts is well-formed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('any', '12345670', '300', '02:00:00:00:00:01')), { maxLength: 6 }), (args) => {
        const r = parseWpsPinArgs(args);
        if (r !== undefined) {
          expect(r.pin).toMatch(/^(\d{4}|\d{8})$/);
          expect(Number.isInteger(r.timeoutSec) && r.timeoutSec >= 0).toBe(true);
          if (r.uuid !== undefined) expect(r.uuid.length).toBe(16);
        }
      }),
    );
  });
});

describe('the radio path commands', () => {
  function setup(pbcOk = true) {
    const calls: string[] = [];
    const control: WpsRadioControl = {
      addPin: async (pin, o) => void calls.push(`pin ${pin} ${o.uuid?.toString('hex') ?? 'any'} ${(o.timeoutMs ?? 0) / 1000} ${o.enrolleeMac ?? '-'}`),
      pushButton: async () => (calls.push('pbc'), pbcOk),
      cancel: async () => void calls.push('cancel'),
    };
    const registry = new CommandRegistry();
    return { registry, calls, names: registerWpsRadioCommands(registry, control) };
  }
  const send = (r: CommandRegistry, text: string) => r.dispatch(parseRequest(Buffer.from(text)), '');

  it('WPS_PIN, WPS_PBC and WPS_CANCEL answer as hostapd and reach the radio path', async () => {
    const { registry, calls, names } = setup();
    expect(names).toEqual(['WPS_PIN', 'WPS_PBC', 'WPS_CANCEL']);
    expect(await send(registry, 'WPS_PIN any 12345670 120 02:00:00:00:00:01')).toBe(REPLY_OK);
    expect(await send(registry, 'WPS_PIN any 1234567')).toBe(REPLY_FAIL);
    expect(await send(registry, 'WPS_PBC')).toBe(REPLY_OK);
    expect(await send(registry, 'WPS_CANCEL')).toBe(REPLY_OK);
    expect(calls).toEqual(['pin 12345670 any 120 02:00:00:00:00:01', 'pbc', 'cancel']);
  });

  it('WPS_PBC answers FAIL on a PBC session overlap', async () => {
    const { registry } = setup(false);
    expect(await send(registry, 'WPS_PBC')).toBe(REPLY_FAIL);
  });

  it('leaves a command that is already registered alone', () => {
    const registry = new CommandRegistry();
    registry.register({ name: 'WPS_PBC', help: 'x', handler: () => REPLY_OK });
    const names = registerWpsRadioCommands(registry, { addPin: async () => undefined, pushButton: async () => true, cancel: async () => undefined });
    expect(names).toEqual(['WPS_PIN', 'WPS_CANCEL']);
    expect(registry.get('WPS_PBC')?.help).toBe('x');
  });
});
