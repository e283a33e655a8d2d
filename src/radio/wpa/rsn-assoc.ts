/**
 * What an AP running wpa=2 WPA-PSK with CCMP accepts in a station's RSN
 * element (hostapd wpa_validate_wpa_ie), as an 802.11 status code for the
 * (Re)Association Response.
 */
import { parseRsnElement, RsnAkm, RsnCipher, RsnError } from '../rsn-ie.js';
import { StatusCode } from '../frame.js';

/** 802.11-2020 Table 9-50 codes hostapd uses for a refused RSN element. */
export const RsnStatus = {
  INVALID_IE: 40,
  GROUP_CIPHER_NOT_VALID: 41,
  PAIRWISE_CIPHER_NOT_VALID: 42,
  AKMP_NOT_VALID: 43,
} as const;

/** SUCCESS, or the status refusing the station's RSN element (its data, without ID and Length). */
export function wpa2PskAssocStatus(data: Uint8Array): number {
  let rsn;
  try {
    rsn = parseRsnElement(data);
  } catch (e) {
    if (e instanceof RsnError) return RsnStatus.INVALID_IE;
    throw e;
  }
  // Absent fields take the defaults of 9.4.2.24.1: CCMP-128 group and pairwise, 802.1X AKM.
  if ((rsn.groupCipher ?? RsnCipher.CCMP_128) !== RsnCipher.CCMP_128) return RsnStatus.GROUP_CIPHER_NOT_VALID;
  const pairwise = rsn.pairwiseCiphers ?? [RsnCipher.CCMP_128];
  if (pairwise.length !== 1 || pairwise[0] !== RsnCipher.CCMP_128) return RsnStatus.PAIRWISE_CIPHER_NOT_VALID;
  const akms = rsn.akmSuites ?? [RsnAkm.IEEE8021X];
  if (akms.length !== 1 || akms[0] !== RsnAkm.PSK) return RsnStatus.AKMP_NOT_VALID;
  return StatusCode.SUCCESS;
}
