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
