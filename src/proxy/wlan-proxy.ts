/**
 * The AP's proxy of wireless Enrollees to External Registrars (WFAWLANConfig
 * 1.0 WLANEvent): a Probe Request's WPS attributes become WLANEvent type 1,
 * an Enrollee's EAP-WSC message becomes WLANEvent type 2, both with the
 * Enrollee's MAC address (hostapd upnp_wps_device_send_wlan_event).
 *
 * Probe Requests come many times a second while a station scans; hostapd
 * proxies every one. Here each Enrollee gets at most one type-1 event per
 * `probeIntervalMs`, counted per Enrollee, so one busy (or spoofing)
 * station cannot keep another Enrollee's probes from the ERs. EAP messages
 * are never dropped: each is one step of a registration run.
 *
 * API:
 *   new WlanEventProxy({ publish, now?, probeIntervalMs?, maxEnrollees? })
 *     .probeRequest(mac, wpsAttributes): boolean   true when proxied
 *     .eapMessage(mac, message): void
 *     .forget(mac) / .clear()
 *   PROBE_WLANEVENT_INTERVAL_MS, MAX_PROBE_ENROLLEES
 */
import { WlanEventType } from '../wfa/wlan-event.js';
import { WpsdError } from '../common/errors.js';

/** One type-1 WLANEvent per Enrollee per second. */
export const PROBE_WLANEVENT_INTERVAL_MS = 1_000;
/** Enrollees whose last probe event is remembered; the least recently proxied one is forgotten first. */
export const MAX_PROBE_ENROLLEES = 256;
export const WLAN_EVENT_MAC_LEN = 6;

export class WlanProxyError extends WpsdError<'BAD_MAC'> {
  constructor(code: WlanProxyError['code'], message: string) {
    super(code, message);
  }
}

export interface WlanEventProxyOptions {
  /** Sends one WLANEvent to every subscriber (WfaDevice.publishWlanEvent). */
  publish: (type: WlanEventType, mac: Buffer, message: Buffer) => void;
  now?: () => number;
  probeIntervalMs?: number;
  maxEnrollees?: number;
}

function checkMac(mac: Uint8Array): Buffer {
  if (mac.length !== WLAN_EVENT_MAC_LEN) throw new WlanProxyError('BAD_MAC', `a WLANEvent MAC address has ${WLAN_EVENT_MAC_LEN} octets, got ${mac.length}`);
  return Buffer.from(mac);
}

export class WlanEventProxy {
  /** Enrollee MAC (hex) -> when its last probe event went out; Map order is least recent first. */
  private readonly lastProbe = new Map<string, number>();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly maxEnrollees: number;

  constructor(private readonly opts: WlanEventProxyOptions) {
    this.now = opts.now ?? Date.now;
    this.intervalMs = opts.probeIntervalMs ?? PROBE_WLANEVENT_INTERVAL_MS;
    this.maxEnrollees = Math.max(1, opts.maxEnrollees ?? MAX_PROBE_ENROLLEES);
  }

  /** A Probe Request's joined WPS attributes from `mac`; false when this Enrollee's last event is too recent. */
  probeRequest(mac: Uint8Array, wpsAttributes: Uint8Array): boolean {
    const addr = checkMac(mac);
    const key = addr.toString('hex');
    const t = this.now();
    const last = this.lastProbe.get(key);
    if (last !== undefined && t - last < this.intervalMs && t >= last) return false;
    this.lastProbe.delete(key);
    this.lastProbe.set(key, t);
    while (this.lastProbe.size > this.maxEnrollees) {
      const oldest = this.lastProbe.keys().next().value;
      if (oldest === undefined) break;
      this.lastProbe.delete(oldest);
    }
    this.opts.publish(WlanEventType.ProbeRequest, addr, Buffer.from(wpsAttributes));
    return true;
  }

  /** One WSC message of an Enrollee's EAP-WSC run. */
  eapMessage(mac: Uint8Array, message: Uint8Array): void {
    this.opts.publish(WlanEventType.Eap, checkMac(mac), Buffer.from(message));
  }

  forget(mac: Uint8Array): void {
    this.lastProbe.delete(Buffer.from(mac).toString('hex'));
  }

  clear(): void {
    this.lastProbe.clear();
  }

  get trackedEnrollees(): number {
    return this.lastProbe.size;
  }
}
