/**
 * What WPS_GET_STATUS reports for a BSS (hostapd's struct wps_stat, kept by
 * the event callbacks of src/ap/wps_hostapd.c): the PBC state and the last
 * registration's result, failure reason and peer.
 *
 *   PBC Status: Disabled|Active|Timed-out|Overlap
 *   Last WPS result: None|Success|Failed
 *   Failure Reason: <Error Indication text>     (a failure with a reason)
 *   Peer Address: <MAC>                         (after any result)
 *
 * API:
 *   new WpsStatus()
 *     .onWpsApEvent(e)          the BSS's WPS events (PBC state, run results)
 *     .pbcActive() .pbcTimeout() .pbcDisable() .pbcOverlap()
 *     .onEvent(ev, peer?)       success / fail / pwd-auth-fail of a run
 *     .reply(): string          hostapd_ctrl_iface_wps_get_status
 *   registerWpsStatusCommand(registry, status)
 */
import type { CommandRegistry } from '../ctrl/registry.js';
import { ERROR_INDICATION_TEXT, ErrorIndication, type WpsEvent } from '../wps/events.js';
import { macToBytes } from '../radio/mac.js';

import type { WpsApEvent } from './wps/wps-ap.js';
import { formatMac } from '../common/mac.js';

export type PbcStatus = 'Disabled' | 'Active' | 'Timed-out' | 'Overlap';
export type WpsResult = 'None' | 'Success' | 'Failed';

export class WpsStatus {
  pbc: PbcStatus = 'Disabled';
  result: WpsResult = 'None';
  failureReason = 0;
  peer: Buffer = Buffer.alloc(6);

  /** One subscriber of WpsAp's events, as hostapd's wps event callbacks keep wps_stat. */
  onWpsApEvent(e: WpsApEvent): void {
    switch (e.type) {
      case 'pbc-active':
        return this.pbcActive();
      case 'pbc-timeout':
        return this.pbcTimeout();
      case 'pbc-disable':
        return this.pbcDisable();
      case 'pbc-overlap':
        return this.pbcOverlap();
      case 'wps':
        return this.onEvent(e.event, e.addr === undefined ? undefined : Buffer.from(macToBytes(e.addr)));
      default:
        return;
    }
  }

  pbcActive(): void {
    this.pbc = 'Active';
  }

  /** PBC walk time over, or WPS_CANCEL during PBC (hostapd reports both as a timeout). */
  pbcTimeout(): void {
    this.pbc = 'Timed-out';
  }

  /** PBC mode ended by a PBC registration. */
  pbcDisable(): void {
    this.pbc = 'Disabled';
  }

  pbcOverlap(): void {
    this.pbc = 'Overlap';
  }

  /** A run's outcome; `peer` stands in for events that carry no peer address. */
  onEvent(ev: WpsEvent, peer?: Buffer): void {
    switch (ev.type) {
      case 'success':
        this.pbc = 'Disabled';
        this.result = 'Success';
        this.peer = Buffer.from(peer ?? ev.peerMac);
        break;
      case 'fail':
        this.result = 'Failed';
        this.failureReason = ev.errorIndication;
        this.peer = Buffer.from(peer ?? ev.peerMac);
        break;
      case 'pwd-auth-fail':
        this.result = 'Failed';
        this.failureReason = ErrorIndication.AuthFailure;
        this.peer = Buffer.from(peer ?? ev.peerMac);
        break;
      default:
        break;
    }
  }

  reply(): string {
    let r = `PBC Status: ${this.pbc}\nLast WPS result: ${this.result}\n`;
    if (this.result === 'Failed' && this.failureReason > 0) r += `Failure Reason: ${ERROR_INDICATION_TEXT[this.failureReason] ?? 'Unknown'}\n`;
    if (this.result !== 'None') r += `Peer Address: ${formatMac(this.peer)}\n`;
    return r;
  }
}

export function registerWpsStatusCommand(registry: CommandRegistry, status: WpsStatus): void {
  registry.register({
    name: 'WPS_GET_STATUS',
    maxArgs: 0,
    help: '= PBC state and the last WPS result',
    handler: () => status.reply(),
  });
}
