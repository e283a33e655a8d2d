/**
 * Attached monitors (ATTACH/DETACH/LEVEL) of one control socket, as
 * src/common/ctrl_iface_common.c keeps them: keyed by the client's socket
 * address, level MSG_INFO by default, dropped after repeated send failures.
 */

import { MSG_INFO } from './event-names.js';

export { MSG_INFO };

/** hostapd detaches a monitor after more than 10 failed sends in a row. */
export const MONITOR_MAX_FAILURES = 10;
/**
 * Monitors kept. hostapd has no limit and never refuses an ATTACH; wpsd
 * does not refuse either, but past this many a new monitor replaces the one
 * with the most failed sends (the oldest among equals), so an ATTACH flood
 * costs bounded memory and bounded sends per event. Far above what a host
 * runs (a few hostapd_cli / wpa_cli -a / GUIs).
 */
export const MAX_MONITORS = 1024;

export interface Monitor {
  address: string;
  level: number;
  failures: number;
  /** ATTACH options such as probe_rx_events=1. */
  events: Map<string, boolean>;
}

export type AttachResult = 'attached' | 'updated' | 'invalid';

/** ATTACH options are `name=0|1` (ctrl_set_events); anything else is refused. */
function parseAttachOptions(args: readonly string[]): Map<string, boolean> | undefined {
  const out = new Map<string, boolean>();
  for (const arg of args) {
    const m = /^([A-Za-z0-9_]+)=([01])$/.exec(arg);
    if (!m || m[1] === undefined) return undefined;
    out.set(m[1], m[2] === '1');
  }
  return out;
}

export class MonitorList {
  private readonly monitors = new Map<string, Monitor>();

  constructor(private readonly limit = MAX_MONITORS) {}

  get size(): number {
    return this.monitors.size;
  }

  get(address: string): Monitor | undefined {
    return this.monitors.get(address);
  }

  all(): Monitor[] {
    return [...this.monitors.values()];
  }

  /** `onEvict` hears of a monitor replaced to make room. */
  attach(address: string, args: readonly string[] = [], onEvict?: (m: Monitor) => void): AttachResult {
    const options = parseAttachOptions(args);
    if (!options) return 'invalid';
    const existing = this.monitors.get(address);
    if (existing) {
      for (const [k, v] of options) existing.events.set(k, v);
      return 'updated';
    }
    if (this.monitors.size >= this.limit) {
      // Map order is attach order: the first with the most failures is the oldest of those.
      let victim: Monitor | undefined;
      for (const m of this.monitors.values()) if (victim === undefined || m.failures > victim.failures) victim = m;
      if (victim !== undefined) {
        this.monitors.delete(victim.address);
        onEvict?.(victim);
      }
    }
    this.monitors.set(address, { address, level: MSG_INFO, failures: 0, events: options });
    return 'attached';
  }

  detach(address: string): boolean {
    return this.monitors.delete(address);
  }

  setLevel(address: string, level: number): boolean {
    const m = this.monitors.get(address);
    if (!m) return false;
    m.level = level;
    return true;
  }

  /** Monitors that want an event of this level. */
  recipients(level: number): Monitor[] {
    const out: Monitor[] = [];
    for (const m of this.monitors.values()) if (level >= m.level) out.push(m);
    return out;
  }

  /** Count a failed send; true when the monitor was dropped. `fatal` drops at once (ENOENT). */
  recordFailure(address: string, fatal: boolean): boolean {
    const m = this.monitors.get(address);
    if (!m) return false;
    m.failures++;
    if (fatal || m.failures > MONITOR_MAX_FAILURES) {
      this.monitors.delete(address);
      return true;
    }
    return false;
  }

  recordSuccess(address: string): void {
    const m = this.monitors.get(address);
    if (m) m.failures = 0;
  }
}
