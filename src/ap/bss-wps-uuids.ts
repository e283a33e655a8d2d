/**
 * WPS UUIDs of an AP's BSSes as hostapd assigns them (hostapd_init_wps(),
 * src/ap/wps_hostapd.c): configured, cloned from an earlier BSS, or derived
 * from the BSS's own address (hapd->own_addr, its BSSID) with src/wps's
 * uuidFromMac, the one derivation for AP and station.
 */
import { uuidFromMac } from '../wps/device.js';

export interface WpsUuidSource {
  /** uuid= from the BSS's configuration, if any. */
  uuid?: Uint8Array | undefined;
  /** wps_independent=1: never clone from (or lend to) another BSS. */
  wpsIndependent: boolean;
  /** WPS enabled on this BSS (wps_state != 0). */
  wpsEnabled: boolean;
  /** The BSS's own MAC address (its BSSID). */
  ownAddr: Uint8Array;
}

/**
 * UUIDs of all BSSes of one AP process, in initialisation order, as
 * hostapd_init_wps() assigns them: a configured uuid wins; otherwise a BSS
 * that is not wps_independent clones the UUID of the first earlier WPS BSS
 * that is not wps_independent; otherwise it is derived from its own address.
 * Entries without WPS get undefined.
 */
export function assignWpsUuids(bsses: readonly WpsUuidSource[]): (Buffer | undefined)[] {
  const out: (Buffer | undefined)[] = [];
  bsses.forEach((bss, i) => {
    if (!bss.wpsEnabled) {
      out.push(undefined);
      return;
    }
    if (bss.uuid && bss.uuid.some((b) => b !== 0)) {
      out.push(Buffer.from(bss.uuid));
      return;
    }
    if (!bss.wpsIndependent) {
      for (let j = 0; j < i; j++) {
        const other = bsses[j];
        const u = out[j];
        if (other && u && !other.wpsIndependent) {
          out.push(Buffer.from(u));
          return;
        }
      }
    }
    out.push(uuidFromMac(bss.ownAddr));
  });
  return out;
}

/**
 * WPS UUIDs for every BSS of a parsed hostapd.conf; `ownAddrs[i]` is BSS i's
 * own address (its bssid= or the interface MAC), known only at run time.
 */
export function hostapdWpsUuids(
  config: { bss: readonly { uuid?: Uint8Array | undefined; wpsIndependent: number; wpsState: number }[] },
  ownAddrs: readonly Uint8Array[],
): (Buffer | undefined)[] {
  return assignWpsUuids(
    config.bss.map((b, i) => ({
      uuid: b.uuid,
      wpsIndependent: b.wpsIndependent !== 0,
      wpsEnabled: b.wpsState !== 0,
      ownAddr: ownAddrs[i] ?? new Uint8Array(0),
    })),
  );
}
