/**
 * The station's BSS table (wpa_supplicant bss.c): every AP a scan found, with
 * a stable id, updated by later scans and dropped when it has been missing
 * from BSS_EXPIRATION_SCAN_COUNT scans in a row. SCAN_RESULTS and BSS read it.
 */
import type { Element } from '../radio/elements.js';
import type { ScanResult } from '../radio/driver.js';
import type { MacAddress } from '../radio/mac.js';

/** wpa_supplicant's bss_expiration_scan_count default. */
export const BSS_EXPIRATION_SCAN_COUNT = 2;
/** A bound on the table, as wpa_supplicant's bss_max_count (200). */
export const BSS_MAX_COUNT = 200;
/** The sim medium has no signal strength; every BSS is shown with this level (dBm). */
export const SIM_SIGNAL_LEVEL = -30;

export interface BssEntry {
  id: number;
  bssid: MacAddress;
  channel: number;
  freq: number;
  level: number;
  ssid: Uint8Array;
  capability: number;
  beaconInterval: number;
  /** Elements of the latest Probe Response, else of the latest Beacon. */
  elements: Element[];
  beaconElements?: Element[];
  /** When it was last seen (ms, the table's clock). */
  lastSeen: number;
  /** Scan runs in a row that did not see it. */
  missed: number;
  /** The table's update counter at the last change (BSS update_idx). */
  updateIdx: number;
}

/** IEEE 802.11 channel number to MHz (2.4 GHz 1..14, 5 GHz 32..177). */
export function channelToFreq(channel: number): number {
  if (channel === 14) return 2484;
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return 0;
}

export class BssTable {
  private readonly entries = new Map<MacAddress, BssEntry>();
  private nextId = 0;
  private updates = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one scan's results: new APs get the next id, known ones are refreshed, long-missing ones removed. */
  update(results: readonly ScanResult[]): void {
    this.updates++;
    const seen = new Set<MacAddress>();
    const t = this.now();
    for (const r of results) {
      seen.add(r.bssid);
      const prev = this.entries.get(r.bssid);
      if (prev === undefined && this.entries.size >= BSS_MAX_COUNT) continue;
      const e: BssEntry = {
        id: prev?.id ?? this.nextId++,
        bssid: r.bssid,
        channel: r.channel,
        freq: channelToFreq(r.channel),
        level: SIM_SIGNAL_LEVEL,
        ssid: Uint8Array.from(r.ssid),
        capability: r.capability,
        beaconInterval: r.beaconInterval,
        elements: r.elements,
        lastSeen: t,
        missed: 0,
        updateIdx: this.updates,
      };
      if (r.beaconElements !== undefined) e.beaconElements = r.beaconElements;
      this.entries.set(r.bssid, e);
    }
    for (const [bssid, e] of this.entries) {
      if (seen.has(bssid)) continue;
      e.missed++;
      if (e.missed >= BSS_EXPIRATION_SCAN_COUNT) this.entries.delete(bssid);
    }
  }

  /** In id order. */
  list(): BssEntry[] {
    return [...this.entries.values()].sort((a, b) => a.id - b.id);
  }

  byBssid(bssid: MacAddress): BssEntry | undefined {
    return this.entries.get(bssid);
  }

  byId(id: number): BssEntry | undefined {
    return this.list().find((e) => e.id === id);
  }

  /** Seconds since the entry was last seen (BSS age=). */
  age(e: BssEntry): number {
    return Math.max(0, Math.floor((this.now() - e.lastSeen) / 1000));
  }

  clear(): void {
    this.entries.clear();
  }
}
