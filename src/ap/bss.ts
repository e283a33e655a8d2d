/**
 * The run-time state of one BSS: the settings WPS reads (M7's current AP
 * settings) and changes (a Registrar's new settings, wps_config), and the
 * get_config reply, as hostapd keeps them in struct hostapd_bss_config /
 * struct wps_context.
 *
 * API:
 *   new BssState(config, bssConfig, ownAddr, uuid)
 *     .currentCredential(): Credential        the AP settings for M7
 *     .applyCredential(cred): void            hapd_wps_reconfig_in_memory
 *     .getConfigReply(): string               hostapd_ctrl_iface_get_config
 *     .wpsState / .ssid / .apPin ...
 *   wpaPskFromPassphrase(passphrase, ssid): Buffer   PBKDF2-SHA1, 4096 rounds (IEEE 802.11i)
 *   ssidText(ssid): string                   wpa_ssid_txt (printf_encode)
 */
import { pbkdf2Sync } from 'node:crypto';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import { wpaVersionFromAuthType } from '../wps/no-tkip.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { effectiveRsnPairwise } from './config.js';
import { Cipher, KeyMgmt, PMK_LEN, formatCipherList, printfEncode } from '../conf/values.js';
import { formatMac } from '../common/mac.js';

const WPA_PROTO_WPA = 1;
const WPA_PROTO_RSN = 2;

export function wpaPskFromPassphrase(passphrase: Buffer, ssid: Buffer): Buffer {
  return pbkdf2Sync(passphrase, ssid, 4096, PMK_LEN, 'sha1');
}

export function ssidText(ssid: Buffer): string {
  return printfEncode(ssid);
}

/** key_mgmt names in hostapd_ctrl_iface_get_key_mgmt() order. */
const GET_CONFIG_KEY_MGMT: ReadonlyArray<[number, string]> = [
  [KeyMgmt.PSK, 'WPA-PSK'],
  [KeyMgmt.IEEE8021X, 'WPA-EAP'],
  [KeyMgmt.FT_PSK, 'FT-PSK'],
  [KeyMgmt.FT_IEEE8021X, 'FT-EAP'],
  [KeyMgmt.FT_SAE, 'FT-SAE'],
  [KeyMgmt.PSK_SHA256, 'WPA-PSK-SHA256'],
  [KeyMgmt.IEEE8021X_SHA256, 'WPA-EAP-SHA256'],
  [KeyMgmt.SAE, 'SAE'],
  [KeyMgmt.IEEE8021X_SUITE_B, 'WPA-EAP-SUITE-B'],
  [KeyMgmt.IEEE8021X_SUITE_B_192, 'WPA-EAP-SUITE-B-192'],
  [KeyMgmt.FILS_SHA256, 'FILS-SHA256'],
  [KeyMgmt.FILS_SHA384, 'FILS-SHA384'],
  [KeyMgmt.OWE, 'OWE'],
  [KeyMgmt.DPP, 'DPP'],
  [KeyMgmt.IEEE8021X_SHA384, 'WPA-EAP-SHA384'],
];

/** wpa_select_ap_group_cipher: the strongest cipher every station can use. */
function groupCipher(wpa: number, wpaPairwise: number, rsnPairwise: number): number {
  if (wpa === 0) return 0;
  let pairwise = 0;
  if (wpa & WPA_PROTO_WPA) pairwise |= wpaPairwise;
  if (wpa & WPA_PROTO_RSN) pairwise |= rsnPairwise;
  if (pairwise & Cipher.TKIP) return Cipher.TKIP;
  if ((pairwise & (Cipher.CCMP | Cipher.GCMP)) === Cipher.GCMP) return Cipher.GCMP;
  if ((pairwise & (Cipher.GCMP_256 | Cipher.CCMP | Cipher.GCMP)) === Cipher.GCMP_256) return Cipher.GCMP_256;
  if ((pairwise & (Cipher.CCMP_256 | Cipher.CCMP | Cipher.GCMP)) === Cipher.CCMP_256) return Cipher.CCMP_256;
  return Cipher.CCMP;
}

export class BssState {
  readonly iface: string;
  ssid: Buffer;
  wpa: number;
  wpaKeyMgmt: number;
  wpaPairwise: number;
  rsnPairwise: number;
  passphrase: Buffer | undefined;
  psk: Buffer | undefined;
  authAlgs: number;
  wpsState: 0 | 1 | 2;
  apPin: string | undefined;

  constructor(
    readonly config: HostapdConfig,
    readonly conf: HostapdBssConfig,
    readonly ownAddr: Buffer,
    readonly uuid: Buffer | undefined,
  ) {
    this.iface = conf.iface;
    this.ssid = Buffer.from(conf.ssid ?? Buffer.alloc(0));
    this.wpa = conf.wpa;
    this.wpaKeyMgmt = conf.wpaKeyMgmt;
    this.wpaPairwise = conf.wpaPairwise;
    this.rsnPairwise = effectiveRsnPairwise(conf);
    this.passphrase = conf.wpaPassphrase !== undefined ? Buffer.from(conf.wpaPassphrase, 'utf8') : undefined;
    this.psk = conf.wpaPsk !== undefined ? Buffer.from(conf.wpaPsk) : this.passphrase && wpaPskFromPassphrase(this.passphrase, this.ssid);
    this.authAlgs = conf.authAlgs;
    this.wpsState = conf.wpsState;
    this.apPin = conf.apPin;
  }

  get bssid(): string {
    return formatMac(this.ownAddr);
  }

  /**
   * WPS Authentication Type flags of the current security (hostapd's
   * ap_auth_type). WPA version 1 adds nothing: a CONFIG_NO_TKIP hostapd
   * drops it from wpa=3 for WPS and refuses WPS on wpa=1 (src/wps/no-tkip.ts).
   */
  get authTypes(): number {
    let a = 0;
    if (this.wpa & WPA_PROTO_RSN) {
      if (this.wpaKeyMgmt & (KeyMgmt.PSK | KeyMgmt.SAE)) a |= AuthType.Wpa2Psk;
      if (this.wpaKeyMgmt & KeyMgmt.IEEE8021X) a |= AuthType.Wpa2;
    }
    if (this.wpa === 0) a |= AuthType.Open;
    return a;
  }

  /** WPS Encryption Type flags of the current security (hostapd's ap_encr_type): AES only, as authTypes. */
  get encrTypes(): number {
    let e = 0;
    if (this.wpa & WPA_PROTO_RSN && this.rsnPairwise & (Cipher.CCMP | Cipher.GCMP | Cipher.CCMP_256 | Cipher.GCMP_256)) e |= EncrType.Aes;
    if (this.wpa === 0) e |= EncrType.None;
    return e;
  }

  /** The network key WPS hands out: the passphrase, or the PSK as 64 hex digits. */
  get networkKey(): Buffer {
    if (this.passphrase !== undefined) return Buffer.from(this.passphrase);
    if (this.psk !== undefined) return Buffer.from(this.psk.toString('hex'), 'latin1');
    return Buffer.alloc(0);
  }

  /** The AP's current settings for M7 (the Enrollee narrows mixed types as hostapd does). */
  currentCredential(): Credential {
    return {
      networkIndex: 1,
      ssid: Buffer.from(this.ssid),
      authType: this.authTypes,
      encrType: this.encrTypes,
      networkKey: this.networkKey,
      macAddress: Buffer.from(this.ownAddr),
      extra: [],
    };
  }

  /** hapd_wps_reconfig_in_memory(): the new settings take effect in this process. */
  applyCredential(cred: Pick<Credential, 'ssid' | 'authType' | 'encrType' | 'networkKey'>): void {
    this.wpsState = 2;
    if (cred.ssid.length <= 32) this.ssid = Buffer.from(cred.ssid);
    // hostapd_wps_cred_cb in a CONFIG_NO_TKIP build (src/wps/no-tkip.ts): WPA2 whatever WPA bits, AES only.
    this.wpa = wpaVersionFromAuthType(cred.authType);
    if (this.wpa !== 0) {
      if (cred.authType & (AuthType.Wpa2 | AuthType.Wpa)) this.wpaKeyMgmt = KeyMgmt.IEEE8021X;
      if (cred.authType & (AuthType.Wpa2Psk | AuthType.WpaPsk)) this.wpaKeyMgmt = KeyMgmt.PSK;
      let pairwise = 0;
      if (cred.encrType & EncrType.Aes) pairwise = this.config.hwMode === 'ad' ? Cipher.GCMP : Cipher.CCMP;
      this.wpaPairwise = pairwise;
      this.rsnPairwise = pairwise;
      const key = cred.networkKey;
      if (key.length >= 8 && key.length < 64) {
        this.passphrase = Buffer.from(key);
        this.psk = wpaPskFromPassphrase(this.passphrase, this.ssid);
      } else if (key.length === 64 && /^[0-9a-fA-F]{64}$/.test(key.toString('latin1'))) {
        this.passphrase = undefined;
        this.psk = Buffer.from(key.toString('latin1'), 'hex');
      }
    } else {
      this.passphrase = undefined;
      this.psk = undefined;
    }
    this.authAlgs = 1;
  }

  /** hostapd_ctrl_iface_get_config() (hostapd 2.10 order and spelling). */
  getConfigReply(): string {
    let r = `bssid=${this.bssid}\nssid=${ssidText(this.ssid)}\n`;
    r += `wps_state=${this.wpsState === 0 ? 'disabled' : this.wpsState === 1 ? 'not configured' : 'configured'}\n`;
    if (this.wpsState !== 0 && this.wpa !== 0 && this.passphrase !== undefined) r += `passphrase=${this.passphrase.toString('latin1')}\n`;
    if (this.wpsState !== 0 && this.wpa !== 0 && this.psk !== undefined) r += `psk=${this.psk.toString('hex')}\n`;
    if (this.conf.multiAp !== 0) r += `multi_ap=${this.conf.multiAp}\n`;
    if (this.wpa !== 0) r += `wpa=${this.wpa}\n`;
    if (this.wpa !== 0 && this.wpaKeyMgmt !== 0) {
      r += `key_mgmt=${GET_CONFIG_KEY_MGMT.filter(([bit]) => (this.wpaKeyMgmt & bit) !== 0).map(([, n]) => n).join(' ')}\n`;
    }
    if (this.wpa !== 0) r += `group_cipher=${formatCipherList(groupCipher(this.wpa, this.wpaPairwise, this.rsnPairwise))}\n`;
    if (this.wpa & WPA_PROTO_RSN && this.rsnPairwise !== 0) r += `rsn_pairwise_cipher=${formatCipherList(this.rsnPairwise)}\n`;
    if (this.wpa & WPA_PROTO_WPA && this.wpaPairwise !== 0) r += `wpa_pairwise_cipher=${formatCipherList(this.wpaPairwise)}\n`;
    return r;
  }
}
