/**
 * What the lab's AP advertises about its Registrar, heard over the air as a
 * station would hear it: a listening radio on the AP's channel reads each
 * Beacon of the AP's BSSID and reports every change of the WPS element's
 * Selected Registrar, Device Password ID and Authorized MACs as a typed
 * event. A station of a bulk run starts WPS when its address shows up here,
 * so its first scan already finds the AP selected for it.
 *
 *   SelectionWatch.open({ mediumPath, address, channel, bssid })
 *     .on(listener) -> off     .current     .close()
 */
import type { Logger } from '../common/log.js';
import { parseFrame, FrameError } from '../radio/frame.js';
import { macFromBytes, type MacAddress } from '../radio/mac.js';
import { SimLink } from '../radio/sim/link.js';
import { joinWpsIe, WpsIeError } from '../radio/wps-ie.js';
import { isSelectedPinRegistrar, parseApWpsIe } from '../sta/wireless/scan-flags.js';
import { WscProtocolError } from '../wps/message.js';

/** The AP's selected-registrar advertisement, as of its latest Beacon. */
export interface AdvertisedSelection {
  bssid: MacAddress;
  /** Selected Registrar set, with a PIN Device Password ID (not PushButton). */
  pinSelected: boolean;
  /** Authorized MACs of the WFA vendor extension (ff:ff:ff:ff:ff:ff authorizes any). */
  authorizedMacs: MacAddress[];
}

/** Where a bulk run hears selections (a SelectionWatch, or a test's own source). */
export interface SelectionSource {
  on(listener: (s: AdvertisedSelection) => void): () => void;
}

export interface SelectionWatchOptions {
  mediumPath: string;
  /** The listening radio's own address (it never transmits). */
  address: MacAddress;
  channel: number;
  bssid: MacAddress;
  logger: Logger;
}

export class SelectionWatch implements SelectionSource {
  private readonly listeners = new Set<(s: AdvertisedSelection) => void>();
  private lastIe: Buffer | undefined;
  private latest: AdvertisedSelection | undefined;

  private constructor(
    private readonly link: SimLink,
    private readonly bssid: MacAddress,
    private readonly log: Logger,
  ) {
    link.onFrame((raw) => this.receive(raw));
    link.onClose((why) => this.log.debug(`selection watch: medium link closed: ${why}`));
  }

  static async open(o: SelectionWatchOptions): Promise<SelectionWatch> {
    const link = await SimLink.connect(o.mediumPath, { addresses: [o.address], channel: o.channel, logger: o.logger });
    return new SelectionWatch(link, o.bssid, o.logger);
  }

  on(listener: (s: AdvertisedSelection) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get current(): AdvertisedSelection | undefined {
    return this.latest;
  }

  close(): Promise<void> {
    this.listeners.clear();
    return this.link.close();
  }

  private receive(raw: Uint8Array): void {
    // Beacon: Frame Control type 0 subtype 8; Address 3 (the BSSID) at octet 16.
    if (raw.length < 24 || raw[0] !== 0x80 || macFromBytes(raw, 16) !== this.bssid) return;
    let ie: Uint8Array | undefined;
    try {
      const f = parseFrame(raw);
      if (f.kind !== 'management' || f.body.subtype !== 'beacon') return;
      ie = joinWpsIe(f.body.elements);
    } catch (e) {
      if (e instanceof FrameError || e instanceof WpsIeError) return;
      throw e;
    }
    const bytes = Buffer.from(ie ?? new Uint8Array(0));
    if (this.lastIe?.equals(bytes) === true) return;
    this.lastIe = bytes;
    let s: AdvertisedSelection;
    try {
      const info = ie === undefined ? undefined : parseApWpsIe(ie);
      s = {
        bssid: this.bssid,
        pinSelected: info !== undefined && isSelectedPinRegistrar(info),
        authorizedMacs: (info?.authorizedMacs ?? []).map((m) => macFromBytes(m)),
      };
    } catch (e) {
      if (!(e instanceof WscProtocolError)) throw e;
      this.log.debug(`selection watch: unreadable WPS element in a beacon of ${this.bssid}: ${e.message}`);
      return;
    }
    this.latest = s;
    for (const l of [...this.listeners]) l(s);
  }
}
