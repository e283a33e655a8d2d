import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUuid } from '../wps/device.js';
import { isValidPinChecksum } from '../wps/pin.js';
import { erDevice, labStationSpec, MAX_STATION_NUMBER, newLabAddressing, newLabIdentity } from './lab-config.js';

describe('labStationSpec', () => {
  const addressing = newLabAddressing();

  it("station 5's MAC and UUID are the lab's prefixes with 5 in the last two bytes", () => {
    const s = labStationSpec(5, addressing);
    expect(s.mac.slice(0, 11)).toBe([...addressing.macPrefix].map((b) => b.toString(16).padStart(2, '0')).join(':'));
    expect(s.mac.slice(-5)).toBe('00:05');
    expect(s.uuid.slice(-4)).toBe('0005');
    expect(formatUuid(s.device.uuid)).toBe(s.uuid);
    expect(s.device.macAddress.toString('hex')).toBe(s.mac.replace(/:/g, ''));
  });

  it('station 1000 carries its number into the fifth byte: ..:03:e8', () => {
    const s = labStationSpec(1000, addressing);
    expect(s.mac.slice(-5)).toBe('03:e8');
    expect(s.uuid.slice(-4)).toBe('03e8');
  });

  it('gives every station number its own MAC and UUID, and a PIN with a valid checksum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_STATION_NUMBER }), fc.integer({ min: 1, max: MAX_STATION_NUMBER }), (a, b) => {
        const sa = labStationSpec(a, addressing);
        const sb = labStationSpec(b, addressing);
        expect(isValidPinChecksum(sa.pin)).toBe(true);
        expect(sa.mac === sb.mac).toBe(a === b);
        expect(sa.uuid === sb.uuid).toBe(a === b);
      }),
    );
  });

  it('refuses station numbers outside 1..MAX_STATION_NUMBER', () => {
    for (const n of [0, -1, 1.5, MAX_STATION_NUMBER + 1]) expect(() => labStationSpec(n, addressing)).toThrow(RangeError);
  });
});

describe('newLabIdentity', () => {
  it('gives two labs different AP, ER and station addresses and UUIDs, all locally administered unicast', () => {
    const a = newLabIdentity();
    const b = newLabIdentity();
    expect(a.apMac).not.toBe(b.apMac);
    expect(a.apUuid).not.toBe(b.apUuid);
    expect(a.erUuid).not.toBe(b.erUuid);
    expect(labStationSpec(1, a.addressing).mac).not.toBe(labStationSpec(1, b.addressing).mac);
    expect(labStationSpec(1, a.addressing).uuid).not.toBe(labStationSpec(1, b.addressing).uuid);
    for (const id of [a, b]) {
      expect(parseInt(id.apMac.slice(0, 2), 16) & 0x03).toBe(0x02);
      expect(id.apUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(formatUuid(erDevice(id).uuid)).toBe(id.erUuid);
      expect(erDevice(id).macAddress.subarray(0, 4).equals(id.addressing.macPrefix)).toBe(true);
    }
  });
});
