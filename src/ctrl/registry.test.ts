import { describe, expect, it, vi } from 'vitest';
import { CommandRegistry, CtrlRegistryError, REPLY_FAIL, REPLY_OK, REPLY_UNKNOWN } from './registry.js';
import { parseRequest } from './request.js';

const req = (s: string) => parseRequest(Buffer.from(s));

describe('command registry', () => {
  it('matches command names without regard to case', async () => {
    const r = new CommandRegistry();
    r.register({ name: 'wps_pbc', help: '', handler: () => REPLY_OK });
    expect(await r.dispatch(req('WPS_PBC'), '/c')).toBe(REPLY_OK);
    expect(await r.dispatch(req('Wps_Pbc'), '/c')).toBe(REPLY_OK);
  });

  it('answers UNKNOWN COMMAND for a name nobody registered', async () => {
    expect(await new CommandRegistry().dispatch(req('NO_SUCH'), '/c')).toBe(REPLY_UNKNOWN);
  });

  it('answers FAIL for a wrong argument count and never calls the handler', async () => {
    const r = new CommandRegistry();
    const handler = vi.fn(() => REPLY_OK);
    r.register({ name: 'WPS_PIN', minArgs: 2, maxArgs: 3, help: '', handler });
    expect(await r.dispatch(req('WPS_PIN any'), '/c')).toBe(REPLY_FAIL);
    expect(await r.dispatch(req('WPS_PIN a b c d'), '/c')).toBe(REPLY_FAIL);
    expect(handler).not.toHaveBeenCalled();
    expect(await r.dispatch(req('WPS_PIN any 12345670'), '/c')).toBe(REPLY_OK);
    expect(handler).toHaveBeenCalledWith(['any', '12345670'], expect.objectContaining({ from: '/c' }));
  });

  it('answers FAIL when a handler throws or rejects', async () => {
    const r = new CommandRegistry();
    const onError = vi.fn();
    r.register({ name: 'A', help: '', handler: () => { throw new Error('boom'); } });
    r.register({ name: 'B', help: '', handler: async () => Promise.reject(new Error('later')) });
    expect(await r.dispatch(req('A'), '', onError)).toBe(REPLY_FAIL);
    expect(await r.dispatch(req('B'), '', onError)).toBe(REPLY_FAIL);
    expect(onError).toHaveBeenCalledTimes(2);
  });

  it('refuses duplicate and malformed registrations', () => {
    const r = new CommandRegistry();
    r.register({ name: 'X', help: '', handler: () => REPLY_OK });
    expect(() => r.register({ name: 'x', help: '', handler: () => REPLY_OK })).toThrow(CtrlRegistryError);
    expect(() => r.register({ name: 'BAD NAME', help: '', handler: () => REPLY_OK })).toThrow(CtrlRegistryError);
    expect(() => r.register({ name: 'Y', minArgs: 2, maxArgs: 1, help: '', handler: () => REPLY_OK })).toThrow(CtrlRegistryError);
    expect(r.list().map((c) => c.name)).toEqual(['X']);
  });
});
