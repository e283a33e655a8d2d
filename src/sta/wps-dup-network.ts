/**
 * wpas_wps_remove_dup_network(): a network block made from a WPS credential
 * replaces older blocks for the same network. "Same" is wpa_supplicant's
 * test: same BSSID setting, same non-empty SSID, same auth_alg and key_mgmt,
 * group ciphers equal or sharing CCMP, and same proto and pairwise ciphers.
 * The passphrase is not compared (a new credential replaces an old key),
 * except for two credentials of one M8 (a mixed WPA/WPA2 AP sends two): those
 * are merged into the new block when their keys are equal.
 */
import { Cipher, KeyMgmt } from '../conf/values.js';
import type { NetworkBlock } from './config-network.js';

const sameBytes = (a: Buffer | undefined, b: Buffer | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.equals(b));

/**
 * The ids of the blocks `fresh` replaces. `sameRun` are the ids made from the
 * same WPS run; a mergeable one has its proto and pairwise ciphers added to
 * `fresh` (which this function changes) and is replaced too.
 */
export function duplicateNetworks(nets: readonly NetworkBlock[], fresh: NetworkBlock, sameRun: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const n of nets) {
    if (n.id === fresh.id) continue;
    if ((n.bssid !== undefined || fresh.bssid !== undefined) && !sameBytes(n.bssid, fresh.bssid)) continue;
    if (n.ssid === undefined || n.ssid.length === 0 || !sameBytes(n.ssid, fresh.ssid)) continue;
    if (n.authAlg !== fresh.authAlg || n.keyMgmt !== fresh.keyMgmt) continue;
    if (n.group !== fresh.group && (n.group & fresh.group & Cipher.CCMP) === 0) continue;
    if (sameRun.has(n.id) && (n.keyMgmt & KeyMgmt.PSK) !== 0) {
      if (!sameBytes(n.passphrase, fresh.passphrase) || !sameBytes(n.psk, fresh.psk)) continue;
      fresh.proto |= n.proto;
      fresh.pairwise |= n.pairwise;
    } else if (n.proto !== fresh.proto || n.pairwise !== fresh.pairwise) {
      continue;
    }
    out.push(n.id);
  }
  return out;
}
