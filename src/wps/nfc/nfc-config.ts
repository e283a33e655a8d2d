/**
 * A device's own NFC password token material, as hostapd.conf and
 * wpa_supplicant.conf carry it (wps_nfc_dev_pw_id, wps_nfc_dh_pubkey,
 * wps_nfc_dh_privkey, wps_nfc_dev_pw), and the values' checks. Both daemons
 * parse these four keys the same way; a bad value is an error naming the key
 * (hostapd silently drops unparsable hex; that leaves a token half-set).
 */
import { DH_GROUP5_LEN } from '../crypto.js';
import { FIRST_NFC_PASSWORD_ID, OOB_DEVICE_PASSWORD_LEN } from './oob-device-password.js';

export interface NfcTokenConfig {
  devPwId?: number;
  dhPubkey?: Buffer;
  /** A secret. */
  dhPrivkey?: Buffer;
  /** A secret. */
  devPw?: Buffer;
}

export const NFC_CONFIG_KEYS = ['wps_nfc_dev_pw_id', 'wps_nfc_dh_pubkey', 'wps_nfc_dh_privkey', 'wps_nfc_dev_pw'] as const;
export type NfcConfigKey = (typeof NFC_CONFIG_KEYS)[number];

export function isNfcConfigKey(key: string): key is NfcConfigKey {
  return (NFC_CONFIG_KEYS as readonly string[]).includes(key);
}

function hexValue(key: string, value: string, maxLen: number): Buffer | string {
  if (value.length === 0 || value.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(value)) return `invalid ${key} (hex digits expected)`;
  if (value.length / 2 > maxLen) return `invalid ${key} (more than ${maxLen} octets)`;
  return Buffer.from(value, 'hex');
}

/** Sets one key in `cfg`; returns the error message for a bad value (cfg unchanged then). */
export function applyNfcConfigKey(cfg: NfcTokenConfig, key: NfcConfigKey, value: string): string | undefined {
  if (key === 'wps_nfc_dev_pw_id') {
    const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
    if (!(n >= FIRST_NFC_PASSWORD_ID && n <= 0xffff)) return 'Invalid wps_nfc_dev_pw_id value';
    cfg.devPwId = n;
    return undefined;
  }
  const max = key === 'wps_nfc_dev_pw' ? OOB_DEVICE_PASSWORD_LEN : DH_GROUP5_LEN;
  const v = hexValue(key, value, max);
  if (typeof v === 'string') return v;
  if (key === 'wps_nfc_dh_pubkey') cfg.dhPubkey = v;
  else if (key === 'wps_nfc_dh_privkey') cfg.dhPrivkey = v;
  else cfg.devPw = v;
  return undefined;
}

/** The configured token when all four values are set (hostapd's wps_nfc_token enable needs them all). */
export function configuredNfcToken(cfg: NfcTokenConfig): Required<NfcTokenConfig> | undefined {
  const { devPwId, dhPubkey, dhPrivkey, devPw } = cfg;
  if (devPwId === undefined || dhPubkey === undefined || dhPrivkey === undefined || devPw === undefined) return undefined;
  return { devPwId, dhPubkey, dhPrivkey, devPw };
}

/** The lines that write `cfg` back to a config file (hex as the daemons write them). */
export function nfcConfigLines(cfg: NfcTokenConfig): string[] {
  const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
  const out: string[] = [];
  if (cfg.devPwId !== undefined) out.push(`wps_nfc_dev_pw_id=${cfg.devPwId}`);
  if (cfg.dhPubkey !== undefined) out.push(`wps_nfc_dh_pubkey=${hex(cfg.dhPubkey)}`);
  if (cfg.dhPrivkey !== undefined) out.push(`wps_nfc_dh_privkey=${hex(cfg.dhPrivkey)}`);
  if (cfg.devPw !== undefined) out.push(`wps_nfc_dev_pw=${hex(cfg.devPw)}`);
  return out;
}
