import { describe, expect, it } from 'vitest';
import { Enrollee } from '../wps/enrollee.js';
import { AuthType, EncrType } from '../wps/values.js';
import { ErSessions } from './er-sessions.js';

describe('External Registrar runs', () => {
  const device = {
    uuid: Buffer.alloc(16, 1), macAddress: Buffer.alloc(6, 2), deviceName: 'AP', manufacturer: 'm', modelName: 'm', modelNumber: '1',
    serialNumber: '1', primaryDeviceType: Buffer.from('00060050f2040001', 'hex'), osVersion: 0, configMethods: 0x100, rfBands: 1,
  };
  const settings = { networkIndex: 1, ssid: Buffer.from('s'), authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0), macAddress: Buffer.alloc(6, 2), extra: [] };
  const newRun = () => new Enrollee({ device, password: { kind: 'pin', pin: '12345670' }, ap: { settings } });

  it('keeps at most four runs, dropping the oldest, and forgets idle ones', () => {
    let t = 0;
    const dropped: string[] = [];
    const s = new ErSessions({ now: () => t, onDrop: (_x, why) => dropped.push(why) });
    const first = newRun();
    const firstM1 = first.start();
    s.add(first, firstM1, 'a');
    for (let i = 0; i < 4; i++) {
      const e = newRun();
      s.add(e, e.start(), 'b');
    }
    expect(s.size).toBe(4);
    expect(dropped).toEqual(['oldest']);
    expect(s.match(firstM1)).toBeUndefined();
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
