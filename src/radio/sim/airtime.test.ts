import { describe, expect, it } from 'vitest';
import { ACK_LEN, AirtimeError, ChannelTimeline, DIFS_US, exchangeAirtimeUs, frameAirtimeUs, MEAN_BACKOFF_US, ofdmTxTimeUs, SIFS_US } from './airtime.js';

describe('OFDM TXTIME (802.11-2020 eq. 17-29, ERP signal extension)', () => {
  it('an ACK at 6 Mb/s: 20 us preamble + 6 symbols + 6 us extension', () => {
    // 16 + 8 * 14 + 6 = 134 bits, 24 bits per symbol: 6 symbols of 4 us.
    expect(ofdmTxTimeUs(ACK_LEN, 6)).toBe(20 + 24 + 6);
  });

  it('a 1500-octet PSDU at 54 Mb/s and at 6 Mb/s', () => {
    // 12022 bits / 216 per symbol = 55.66 -> 56 symbols; / 24 = 500.9 -> 501.
    expect(ofdmTxTimeUs(1500, 54)).toBe(20 + 56 * 4 + 6);
    expect(ofdmTxTimeUs(1500, 6)).toBe(20 + 501 * 4 + 6);
  });

  it('refuses a rate the OFDM PHY does not have and a bad length', () => {
    expect(() => ofdmTxTimeUs(100, 5.5)).toThrow(AirtimeError);
    expect(() => ofdmTxTimeUs(-1, 6)).toThrow(AirtimeError);
  });
});

describe('frame occupancy', () => {
  it('a unicast frame adds SIFS and its ACK to DIFS, backoff and its own TXTIME (FCS included)', () => {
    const group = frameAirtimeUs(100, false, 6);
    expect(group).toBe(DIFS_US + MEAN_BACKOFF_US + ofdmTxTimeUs(104, 6));
    expect(frameAirtimeUs(100, true, 6)).toBe(group + SIFS_US + ofdmTxTimeUs(ACK_LEN, 6));
    expect(frameAirtimeUs(100, true, 6)).toBe(325.5);
  });

  it('a faster rate takes less air', () => {
    expect(frameAirtimeUs(500, true, 24)).toBeLessThan(frameAirtimeUs(500, true, 6));
  });

  it('an exchange is the sum of its frames', () => {
    expect(
      exchangeAirtimeUs(
        [
          [100, true],
          [300, false],
        ],
        6,
      ),
    ).toBe(frameAirtimeUs(100, true, 6) + frameAirtimeUs(300, false, 6));
  });
});

describe('ChannelTimeline', () => {
  it('a frame waits for the one before it; an idle channel starts at once', () => {
    const t = new ChannelTimeline();
    expect(t.reserve(0, 100)).toEqual({ startUs: 0, endUs: 100 });
    expect(t.reserve(50, 100)).toEqual({ startUs: 100, endUs: 200 });
    expect(t.reserve(500, 10)).toEqual({ startUs: 500, endUs: 510 });
    expect(t.busyUs).toBe(210);
    expect(t.frames).toBe(3);
    expect(t.freeAt).toBe(510);
  });
});
