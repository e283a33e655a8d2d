// The AP's link to External Registrars played by a test: what WpsAp sees of
// the WfaProxy, without UPnP.
import { EventEmitter } from 'node:events';
import type { ErSelection, WfaProxyEvents } from '../src/proxy/wfa-proxy.js';
import { macFromBytes, macToBytes, type MacAddress } from '../src/radio/mac.js';

/**
 * What the AP sees of the External Registrars (the WfaProxy's link):
 * `subscribed` while one listens, the messages handed to them, and their
 * selections; `select` is an ER's SetSelectedRegistrar, `respond` its
 * PutWLANResponse.
 */
export class FakeLink extends EventEmitter<WfaProxyEvents> {
  private current: ErSelection[] = [];
  constructor(
    readonly subscribed: boolean,
    private readonly onMessage?: (mac: MacAddress, msg: Buffer) => void,
  ) {
    super();
  }
  toExternal(mac: Uint8Array, msg: Uint8Array): void {
    this.onMessage?.(macFromBytes(mac), Buffer.from(msg));
  }
  probe(): boolean {
    return false;
  }
  selections(): ErSelection[] {
    return this.current;
  }
  select(er: string, s: { devicePasswordId: number; configMethods: number; authorizedMacs: Buffer[] }): void {
    this.current = [{ er, expiresAt: Number.MAX_SAFE_INTEGER, ...s }];
    this.emit('selection');
  }
  respond(mac: MacAddress, message: Buffer): void {
    this.emit('wlan-response', { mac: Buffer.from(macToBytes(mac)), message, from: 'fake-er' });
  }
}
