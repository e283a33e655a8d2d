import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUuid } from '../wps/device.js';
import { isValidPinChecksum } from '../wps/pin.js';
import { labStationSpec, MAX_STATION_NUMBER } from './lab-config.js';

describe('labStationSpec', () => {
  it('station 5 is 02:00:5e:00:02:05 with UUID ...bea66bb80005, as the lab has always named it', () => {
    const s = labStationSpec(5);
    expect(s.mac).toBe('02:00:5e:00:02:05');
    expect(s.uuid).toBe('2b7093f1-d6fb-5108-adbb-bea66bb80005');
    expect(formatUuid(s.device.uuid)).toBe(s.uuid);
    expect(s.device.macAddress.toString('hex')).toBe('02005e000205');
  });

  it('station 1000 carries its number into the fifth byte: 02:00:5e:00:05:e8', () => {
    const s = labStationSpec(1000);
    expect(s.mac).toBe('02:00:5e:00:05:e8');
    expect(s.uuid).toBe('2b7093f1-d6fb-5108-adbb-bea66bb803e8');
  });

  it('gives every station number its own MAC and UUID, and a PIN with a valid checksum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_STATION_NUMBER }), fc.integer({ min: 1, max: MAX_STATION_NUMBER }), (a, b) => {
        const sa = labStationSpec(a);
        const sb = labStationSpec(b);
        expect(isValidPinChecksum(sa.pin)).toBe(true);
        expect(sa.mac === sb.mac).toBe(a === b);
        expect(sa.uuid === sb.uuid).toBe(a === b);
      }),
    );
  });

  it('refuses station numbers outside 1..MAX_STATION_NUMBER', () => {
    for (const n of [0, -1, 1.5, MAX_STATION_NUMBER + 1]) expect(() => labStationSpec(n)).toThrow(RangeError);
  });
});
