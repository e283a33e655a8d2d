/**
 * Management frame protection (IEEE 802.11w) as wpa_supplicant 2.10 decides
 * it with a driver that has no BIP cipher, which is what wpsd's station
 * radios are (the sim medium and the nl80211 backend install no IGTK):
 * wpas_get_ssid_pmf() gives the network's effective setting, and the PMF
 * checks of wpa_scan_res_match() decide whether a BSS may be used. Since
 * PMF cannot be negotiated here, "optional" means "without PMF", a BSS that
 * requires it (MFPR) is skipped, and "required" skips every BSS.
 *
 * API:
 *   ssidPmf(net, globalPmf): MgmtFrameProtection        wpas_get_ssid_pmf
 *   pmfSkipReason(net, globalPmf, elements): string | undefined   the debug line of a skipped BSS
 */
import { KeyMgmt } from '../conf/values.js';
import { ElementId, findElement, type Element } from '../radio/elements.js';
import { parseRsnElement, RsnCapability, RsnError } from '../radio/rsn-ie.js';
import { WPA_PROTO_RSN, type NetworkBlock } from './config-network.js';

/** enum mfp_options. */
export const MgmtFrameProtection = { No: 0, Optional: 1, Required: 2, Default: 3 } as const;
export type MgmtFrameProtection = (typeof MgmtFrameProtection)[keyof typeof MgmtFrameProtection];

/** Key management that is not RSN: the global pmf default does not apply to it. */
const NON_RSN_KEY_MGMT = KeyMgmt.NONE | KeyMgmt.WPS | KeyMgmt.IEEE8021X_NO_WPA;

/** wpas_get_ssid_pmf() with drv_enc lacking WPA_DRIVER_CAPA_ENC_BIP. */
export function ssidPmf(net: Pick<NetworkBlock, 'ieee80211w' | 'keyMgmt'>, globalPmf: number): MgmtFrameProtection {
  if (net.ieee80211w !== MgmtFrameProtection.Default) return asMfp(net.ieee80211w);
  // pmf=1 is dropped for a driver without BIP: a PMF connection would fail and nothing requires it.
  if (globalPmf === MgmtFrameProtection.Optional) return MgmtFrameProtection.No;
  if ((net.keyMgmt & ~NON_RSN_KEY_MGMT) === 0) return MgmtFrameProtection.No;
  return asMfp(globalPmf);
}

function asMfp(v: number): MgmtFrameProtection {
  return v === MgmtFrameProtection.Optional || v === MgmtFrameProtection.Required ? v : MgmtFrameProtection.No;
}

/** RSN Capabilities of the BSS's RSN element; undefined without one (or when it does not parse: no RSN match). */
function rsnCapabilities(elements: readonly Element[]): number | undefined {
  const el = findElement(elements, ElementId.RSN);
  if (el === undefined) return undefined;
  try {
    return parseRsnElement(el.data).capabilities ?? 0;
  } catch (e) {
    if (e instanceof RsnError) return undefined;
    throw e;
  }
}

/**
 * Why wpa_scan_res_match() would skip this BSS for `net` on PMF grounds
 * (its debug line, indented as wpa_supplicant prints it), or undefined.
 */
export function pmfSkipReason(net: Pick<NetworkBlock, 'ieee80211w' | 'keyMgmt' | 'proto'>, globalPmf: number, elements: readonly Element[]): string | undefined {
  const pmf = ssidPmf(net, globalPmf);
  const caps = (net.proto & WPA_PROTO_RSN) !== 0 ? rsnCapabilities(elements) : undefined;
  if (caps === undefined) {
    return pmf === MgmtFrameProtection.Required ? '   skip - MFP Required but network not MFP Capable (WPA, OSEN failed, and Not OWE)' : undefined;
  }
  // Required: the AP may offer MFP, but without BIP this station cannot use it, as if the AP did not.
  if (pmf === MgmtFrameProtection.Required) return '   skip RSN IE - no mgmt frame protection';
  // Optional falls back to no PMF here, so an AP that requires it cannot be used.
  if ((caps & RsnCapability.MFPR) !== 0) return '   skip RSN IE - no mgmt frame protection enabled but AP requires it';
  return undefined;
}
