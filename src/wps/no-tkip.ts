/**
 * wpsd has no TKIP (its radios install CCMP keys only), so every part of it
 * behaves as hostapd / wpa_supplicant 2.10 built with CONFIG_NO_TKIP, not as
 * Debian's TKIP-capable build. This module is the one place that model is
 * defined; the AP, its Registrar, AP-as-Enrollee and the config writer and
 * loader all take it from here:
 *
 * - Authentication/Encryption Type Flags in M1/M2 never offer WPA-PSK or
 *   TKIP (wps_build_auth_type_flags / wps_build_encr_type_flags);
 * - a Registrar never picks WPA-PSK or TKIP for a Credential
 *   (wps_build_cred), and an unconfigured AP offers WPA2-PSK/AES only
 *   (hostapd_init_wps);
 * - new AP settings from M8 lose TKIP and WPA-PSK after the hostapd
 *   mixed-mode upgrade (wps_process_ap_settings_e);
 * - any WPA authentication becomes wpa=2, AES becomes CCMP, TKIP is
 *   dropped, when a Credential is written or applied
 *   (hostapd_update_wps_config / hapd_wps_cred_cb);
 * - hostapd.conf: wpa_pairwise defaults to CCMP (ap_config.c), so wpa=2
 *   without rsn_pairwise means CCMP; TKIP is not a cipher name.
 *
 * API:
 *   NO_TKIP_AUTH_TYPE_FLAGS, NO_TKIP_ENCR_TYPE_FLAGS   the M1/M2 flags
 *   withoutTkip({ authType, encrType }): same shape   M8 AP settings, TKIP and WPA-PSK dropped
 *   wpaVersionFromAuthType(authType): 0 | 2            hostapd's wpa= for a Credential
 */
import { AuthType, EncrType } from './values.js';

/** WPS_AUTH_TYPES less WPA/WPA2-Enterprise, Shared and (NO_TKIP) WPA-PSK: 0x0021. */
export const NO_TKIP_AUTH_TYPE_FLAGS = AuthType.Open | AuthType.Wpa2Psk;
/** WPS_ENCR_TYPES less WEP and (NO_TKIP) TKIP: 0x0009. */
export const NO_TKIP_ENCR_TYPE_FLAGS = EncrType.None | EncrType.Aes;

/** wps_process_ap_settings_e under CONFIG_NO_TKIP: drops TKIP and WPA-PSK (after the mixed-mode upgrade). */
export function withoutTkip<T extends { authType: number; encrType: number }>(s: T): T {
  return { ...s, authType: s.authType & ~AuthType.WpaPsk, encrType: s.encrType & ~EncrType.Tkip };
}

/** hostapd_update_wps_config under CONFIG_NO_TKIP: any WPA or WPA2 bit is wpa=2. */
export function wpaVersionFromAuthType(authType: number): 0 | 2 {
  return (authType & (AuthType.Wpa | AuthType.WpaPsk | AuthType.Wpa2 | AuthType.Wpa2Psk)) !== 0 ? 2 : 0;
}
