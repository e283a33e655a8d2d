/**
 * How many APs, on which channels, a bulk run needs. A channel with its AP
 * carries the lesser of two rates: what its air holds (one registration
 * through the lab's proxy takes a known amount of air, its frames through
 * the medium's airtime model, and a channel is planned to be busy only so
 * much), and how fast the AP can advertise stations (Authorized MACs list
 * five, and each listed station waits for a Beacon and scans before it
 * makes room for the next). A target rate needs ceil(rate / that) channels,
 * each with an AP of its own.
 *
 *   planChannels(targetRate, enrollees): ChannelPlan
 */
import { exchangeAirtimeUs } from '../radio/sim/airtime.js';
import { LAB_RATE_MBPS } from './lab-config.js';

import { MAX_AUTHORIZED_MACS } from '../wps/vendor-ext.js';
import { LAB_IN_FLIGHT } from './lab-enroll-all.js';
import { SCAN_DWELL_MS } from './lab-station.js';

/**
 * The share of a channel's air a bulk run plans to fill: past about half,
 * DCF's collisions (which the model leaves out) grow quickly, and Beacons and
 * the probes of waiting stations need their share too.
 */
export const CHANNEL_AIR_BUDGET = 0.5;
/**
 * Channels the lab's APs use, in the order a run takes them: the three
 * non-overlapping 2.4 GHz channels, then 5 GHz ones. A run needs no more
 * than the machine has cores to carry it (each channel is a thread).
 */
export const LAB_CHANNELS: readonly number[] = [6, 1, 11, 36, 40, 44, 48, 149];

/**
 * The frames of one PIN registration on the lab's medium, as [octets without
 * FCS, individually addressed], read off the medium's frame events of a
 * one-station lab run: the station's Probe Request and the AP's Probe
 * Response, Open System Authentication both ways, Association Request and
 * Response, then EAPOL-Start, EAP Identity request and response, WSC_Start,
 * M1..M8, WSC_Done and EAP-Failure. Beacons (about 10 a second per AP) are
 * left to the budget's other half.
 */
export const PIN_REGISTRATION_FRAMES: ReadonlyArray<readonly [number, boolean]> = [
  [187, false],
  [232, true],
  [30, true],
  [30, true],
  [80, true],
  [72, true],
  [41, true],
  [36, true],
  [41, true],
  [70, true],
  [50, true],
  [451, true],
  [453, true],
  [174, true],
  [242, true],
  [170, true],
  [170, true],
  [170, true],
  [202, true],
  [110, true],
  [40, true],
];

/** hostapd's default beacon_int, 100 TU of 1.024 ms. */
export const BEACON_INTERVAL_MS = 102.4;
/** SetSelectedRegistrar from the ER to the AP over loopback, and the AP's new Beacon elements, about. */
export const SELECTION_ROUND_TRIP_MS = 10;
/**
 * One turn of a station through Authorized MACs: its PIN's SetSelectedRegistrar,
 * half a Beacon interval on average until a Beacon lists it, then its scan.
 */
export const ADVERTISE_TURN_MS = SELECTION_ROUND_TRIP_MS + BEACON_INTERVAL_MS / 2 + SCAN_DWELL_MS;

export interface ChannelPlan {
  channels: number[];
  /** Air one registration takes, us. */
  airPerEnrollmentUs: number;
  /** Registrations a second one channel's air carries within CHANNEL_AIR_BUDGET. */
  airCapacity: number;
  /** Stations a second one AP can advertise through Authorized MACs. */
  advertiseCapacity: number;
  /** The lesser of the two. */
  perChannelCapacity: number;
}

/**
 * Channels for `enrollees` stations at `targetRate` enrollments a second: as
 * many as the rate needs at the per-channel capacity, no more than
 * LAB_CHANNELS has, and none without enough stations to keep its AP's
 * in-flight window busy.
 */
export function planChannels(targetRate: number, enrollees: number): ChannelPlan {
  const airPerEnrollmentUs = exchangeAirtimeUs(PIN_REGISTRATION_FRAMES, LAB_RATE_MBPS);
  const airCapacity = (CHANNEL_AIR_BUDGET * 1_000_000) / airPerEnrollmentUs;
  const advertiseCapacity = (MAX_AUTHORIZED_MACS * 1000) / ADVERTISE_TURN_MS;
  const perChannelCapacity = Math.min(airCapacity, advertiseCapacity);
  const byRate = Math.ceil(Math.max(1, targetRate) / perChannelCapacity);
  const byStations = Math.max(1, Math.ceil(enrollees / LAB_IN_FLIGHT));
  const n = Math.max(1, Math.min(byRate, byStations, LAB_CHANNELS.length));
  return { channels: LAB_CHANNELS.slice(0, n), airPerEnrollmentUs, airCapacity, advertiseCapacity, perChannelCapacity };
}

/** Stations `total` split over `channels` as evenly as can be; the first get the remainder. */
export function splitStations(total: number, channels: number): number[] {
  const base = Math.floor(total / channels);
  return Array.from({ length: channels }, (_, i) => base + (i < total % channels ? 1 : 0));
}
