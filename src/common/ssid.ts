/**
 * An SSID is at most 32 octets (IEEE 802.11-2020 9.4.2.2; hostapd's and
 * wpa_supplicant's SSID_MAX_LEN). One definition for the config syntax, the
 * control commands' hex arguments, the frames and the PSK derivation.
 */
export const SSID_MAX_LEN = 32;
