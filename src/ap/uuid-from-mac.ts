import { createHash } from 'node:crypto';

/** Name space ID hostapd hashes with the MAC address (uuid_gen_mac_addr in src/wps/wps_common.c). */
export const WPS_UUID_MAC_NAMESPACE: Readonly<Uint8Array> = Uint8Array.from([
  0x52, 0x64, 0x80, 0xf8, 0xc9, 0x9b, 0x4b, 0xe5, 0xa6, 0x55, 0x58, 0xed, 0x5f, 0x5d, 0x60, 0x84,
]);

export const ETH_ALEN = 6;

export class UuidFromMacError extends Error {
  readonly code = 'UUID_BAD_MAC';
  constructor(len: number) {
    super(`MAC address must be ${ETH_ALEN} bytes, got ${len}`);
    this.name = 'UuidFromMacError';
  }
}

/**
 * The WPS UUID hostapd and wpa_supplicant use when none is configured:
 * an RFC 4122 version-5 (SHA-1, name based) UUID over the fixed name space
 * above and the 6-byte MAC. hostapd passes the BSS's own address
 * (hapd->own_addr, i.e. its BSSID); wpa_supplicant the interface address.
 */
export function uuidFromMac(mac: Uint8Array): Buffer {
  if (mac.length !== ETH_ALEN) throw new UuidFromMacError(mac.length);
  const hash = createHash('sha1').update(WPS_UUID_MAC_NAMESPACE).update(mac).digest();
  const uuid = Buffer.from(hash.subarray(0, 16));
  uuid[6] = (5 << 4) | ((uuid[6] ?? 0) & 0x0f);
  uuid[8] = 0x80 | ((uuid[8] ?? 0) & 0x3f);
  return uuid;
}

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
