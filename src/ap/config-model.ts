/** The parsed form of hostapd.conf (the keys wpsd understands). */
import type { NfcTokenConfig } from '../wps/nfc/nfc-config.js';
import type { WpsDeviceSettings } from '../conf/wps-device.js';

export type HostapdDriver = 'none' | 'wired' | 'sim' | 'nl80211';
export const HOSTAPD_DRIVERS: readonly HostapdDriver[] = ['none', 'wired', 'sim', 'nl80211'];

export type HwMode = 'a' | 'b' | 'g' | 'ad' | 'any';
export const HW_MODES: readonly HwMode[] = ['a', 'b', 'g', 'ad', 'any'];

/** WPS RF Bands attribute bits (WPS_RF_24GHZ/50GHZ/60GHZ). */
export const WpsRfBand = { Ghz24: 0x01, Ghz50: 0x02, Ghz60: 0x04 } as const;

/** hostapd's logger levels (HOSTAPD_LEVEL_*): 0 verbose .. 4 warning. */
export const HOSTAPD_LEVEL_INFO = 2;

/** Settings of one BSS; the first is the `interface=` BSS, the others come from `bss=` lines. */
export interface HostapdBssConfig extends WpsDeviceSettings {
  /** Line of the `bss=` that opened this section (0 for the first BSS). */
  line: number;
  iface: string;
  bridge?: string;
  /** Bridge for the AP/VLAN interfaces of 4-address (Multi-AP backhaul) stations; bridge= when unset. */
  wdsBridge?: string;
  ctrlInterface?: string;
  /** Group name or numeric gid, as written. */
  ctrlInterfaceGroup?: string;
  ssid?: Buffer;
  utf8Ssid: boolean;
  /** Bit 0 WPA, bit 1 WPA2 (RSN). */
  wpa: number;
  /** WPA_KEY_MGMT_* bits (see src/conf/values.ts KeyMgmt); default WPA-PSK. */
  wpaKeyMgmt: number;
  /** WPA_CIPHER_* bits; default CCMP as a CONFIG_NO_TKIP hostapd (ap_config.c; src/wps/no-tkip.ts). */
  wpaPairwise: number;
  /** WPA_CIPHER_* bits; when not set and wpa&2, hostapd uses wpa_pairwise. */
  rsnPairwise: number;
  rsnPairwiseSet: boolean;
  wpaPassphrase?: string;
  wpaPsk?: Buffer;
  wpaPskFile?: string;
  /** wpa_group_rekey: seconds between GTK renewals, 0 for never (hostapd default 86400). */
  wpaGroupRekey: number;
  authAlgs: number;
  ieee80211w: number;
  saeRequireMfp: number;
  eapServer: number;
  /** macaddr_acl: 0 accept unless denied, 1 deny unless accepted (2, RADIUS, is refused). */
  macaddrAcl: number;
  acceptMacFile?: string;
  acceptMacFileLine?: number;
  /** The accept_mac_file's addresses, read by loadHostapdConfig. */
  acceptMacs?: ReadonlySet<string>;
  denyMacFile?: string;
  denyMacFileLine?: number;
  denyMacs?: ReadonlySet<string>;
  /** max_num_sta: stations the BSS admits at once (hostapd default 2007; wpsd's MLME default when unset). */
  maxNumSta?: number;
  /** fragment_size: the EAP-WSC fragment size (hostapd's default: WSC_FRAGMENT_SIZE, 1400). */
  fragmentSize?: number;
  /** ignore_broadcast_ssid: 1 empty SSID in Beacons, no answer to wildcard Probe Requests (2 is refused). */
  ignoreBroadcastSsid: number;
  /** ieee8021x=1: IEEE 802.1X authenticator for every station (wpsd: driver=wired with WPS). */
  ieee8021x: number;
  /** use_pae_group_addr=1: driver=wired sends EAPOL to 01:80:c2:00:00:03. */
  usePaeGroupAddr: number;
  wpsState: 0 | 1 | 2;
  apSetupLocked: number;
  apPin?: string;
  upnpIface?: string;
  friendlyName?: string;
  manufacturerUrl?: string;
  modelDescription?: string;
  modelUrl?: string;
  upc?: string;
  wpsCredProcessing: number;
  wpsCredAddSae: number;
  wpsPinRequests?: string;
  skipCredBuild: number;
  /** Path of extra_cred; its bytes are filled in by loadHostapdConfig. */
  extraCred?: string;
  extraCredData?: Buffer;
  extraCredLine?: number;
  wpsIndependent: number;
  /** The AP's own NFC password token (wps_nfc_dev_pw_id, wps_nfc_dh_pubkey/privkey, wps_nfc_dev_pw). */
  wpsNfc: NfcTokenConfig;
  /** Path of ap_settings; its bytes are filled in by loadHostapdConfig. */
  apSettings?: string;
  apSettingsData?: Buffer;
  apSettingsLine?: number;
  pbcInM1: number;
  bssid?: Buffer;
  /** 0 none, 1 backhaul, 2 fronthaul, 3 both. */
  multiAp: number;
  multiApBackhaulSsid?: Buffer;
  multiApBackhaulWpaPassphrase?: string;
  multiApBackhaulWpaPsk?: Buffer;
  /** WpsRfBand bits. */
  wpsRfBands?: number;
  loggerStdout: number;
  loggerStdoutLevel: number;
}

export interface HostapdConfig {
  path: string;
  driver: HostapdDriver;
  hwMode?: HwMode;
  /** 0 means automatic channel selection, as hostapd. */
  channel?: number;
  countryCode?: string;
  ieee80211n: number;
  /** wpsd's own: path of the simulated medium's socket. */
  simMedium?: string;
  bss: HostapdBssConfig[];
}

export function defaultBss(iface: string, line: number): HostapdBssConfig {
  return {
    line,
    iface,
    utf8Ssid: false,
    wpa: 0,
    wpaKeyMgmt: 1 << 1, // WPA_KEY_MGMT_PSK
    wpaPairwise: 1 << 4, // WPA_CIPHER_CCMP: CONFIG_NO_TKIP
    rsnPairwise: 0,
    rsnPairwiseSet: false,
    wpaGroupRekey: 86400,
    authAlgs: 3, // OPEN | SHARED
    ieee80211w: 0,
    saeRequireMfp: 0,
    eapServer: 0,
    ieee8021x: 0,
    macaddrAcl: 0,
    ignoreBroadcastSsid: 0,
    usePaeGroupAddr: 0,
    wpsState: 0,
    apSetupLocked: 0,
    wpsCredProcessing: 0,
    wpsCredAddSae: 0,
    skipCredBuild: 0,
    wpsIndependent: 0,
    wpsNfc: {},
    pbcInM1: 0,
    multiAp: 0,
    loggerStdout: 0xffffffff,
    loggerStdoutLevel: HOSTAPD_LEVEL_INFO,
  };
}

/** The pairwise ciphers the RSN element uses (hostapd_set_security_params). */
export function effectiveRsnPairwise(bss: HostapdBssConfig): number {
  return bss.rsnPairwise !== 0 ? bss.rsnPairwise : bss.wpaPairwise;
}
