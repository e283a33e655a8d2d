import { describe, expect, it } from 'vitest';
import { exchangeAirtimeUs } from '../radio/sim/airtime.js';
import { MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';
import { ADVERTISE_TURN_MS, CHANNEL_AIR_BUDGET, LAB_CHANNELS, PIN_REGISTRATION_FRAMES, planChannels, splitStations } from './channel-plan.js';
import { LAB_RATE_MBPS } from './lab-config.js';

describe('planChannels', () => {
  const air = exchangeAirtimeUs(PIN_REGISTRATION_FRAMES, LAB_RATE_MBPS);
  const capacity = Math.min((CHANNEL_AIR_BUDGET * 1e6) / air, (MAX_AUTHORIZED_MACS * 1000) / ADVERTISE_TURN_MS);

  it('a registration takes about 8 ms of air at 6 Mb/s, so a channel carries about 62 a second at half its air', () => {
    const p = planChannels(100, 1000);
    expect(p.airPerEnrollmentUs).toBe(air);
    expect(Math.round(p.airPerEnrollmentUs / 1000)).toBe(8);
    expect(Math.floor(p.airCapacity)).toBe(62);
  });

  it('an AP advertises five stations per turn of SetSelectedRegistrar, half a Beacon interval and a scan: about 41 a second, the lesser', () => {
    const p = planChannels(100, 1000);
    expect(Math.floor(p.advertiseCapacity)).toBe(41);
    expect(p.perChannelCapacity).toBe(p.advertiseCapacity);
  });

  it('as many channels as the rate needs, each with an AP of its own', () => {
    expect(planChannels(100, 1000).channels).toEqual(LAB_CHANNELS.slice(0, Math.ceil(100 / capacity)));
    expect(planChannels(100, 1000).channels).toEqual([6, 1, 11]);
    expect(planChannels(200, 1000).channels).toHaveLength(Math.ceil(200 / capacity));
    expect(planChannels(1, 1000).channels).toEqual([6]);
  });

  it('no more channels than there are stations to keep them busy, nor than the lab has', () => {
    expect(planChannels(100, 10).channels).toEqual([6]);
    expect(planChannels(10_000, 1000).channels).toEqual(LAB_CHANNELS);
  });
});

describe('splitStations', () => {
  it('splits evenly, the first channels taking the remainder', () => {
    expect(splitStations(1000, 2)).toEqual([500, 500]);
    expect(splitStations(1000, 3)).toEqual([334, 333, 333]);
    expect(splitStations(5, 1)).toEqual([5]);
  });
});
