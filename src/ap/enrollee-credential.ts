/**
 * The Credential the AP's internal Registrar gives a station Enrollee in M8,
 * as hostapd's wps_build_cred() chooses it in a CONFIG_NO_TKIP build (wpsd
 * has no TKIP: src/wps/no-tkip.ts):
 *
 * - authentication: WPA2-PSK over open if both sides support it (never
 *   WPA-PSK); encryption: AES for WPA2, none for open (never TKIP; WEP is
 *   never handed out);
 * - an unconfigured AP (wps_state=1) offers WPA2-PSK with AES and a random
 *   passphrase (16 random octets in base64 without '='), and after the run
 *   moves to configured with WPA2-PSK/AES and that passphrase ("Moving to
 *   Configured state based on first Enrollee connection").
 *
 * API:
 *   credentialForEnrollee(own, enrollee): Credential | undefined   undefined: no common security
 *   unconfiguredApSecurity(): { authTypes, encrTypes }
 *   randomPassphrase(rng?): string
 *   autoConfigSettings(ssid, passphrase, ownAddr): Credential   the AP's new settings after the first Enrollee
 */
import { randomBytes } from 'node:crypto';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';

/** hostapd: 16 random octets, base64 (22 characters once '=' is dropped). */
export const AUTO_PASSPHRASE_OCTETS = 16;

export interface OwnSecurity {
  ssid: Buffer;
  authTypes: number;
  encrTypes: number;
  networkKey: Buffer;
}

export interface EnrolleeSecurity {
  authTypeFlags: number;
  encrTypeFlags: number;
  macAddress: Buffer;
}

/** hostapd_init_wps for wps_state=1 (CONFIG_NO_TKIP): security is enabled by default, WPA2-PSK/AES. */
export function unconfiguredApSecurity(): { authTypes: number; encrTypes: number } {
  return { authTypes: AuthType.Wpa2Psk, encrTypes: EncrType.Aes };
}

export function credentialForEnrollee(own: OwnSecurity, enrollee: EnrolleeSecurity): Credential | undefined {
  const auth = own.authTypes & enrollee.authTypeFlags;
  let authType: number;
  if (auth & AuthType.Wpa2Psk) authType = AuthType.Wpa2Psk;
  else if (auth & AuthType.Open) authType = AuthType.Open;
  else return undefined;
  const encr = own.encrTypes & enrollee.encrTypeFlags;
  let encrType: number;
  if (authType === AuthType.Open) {
    if (!(encr & EncrType.None)) return undefined;
    encrType = EncrType.None;
  } else if (encr & EncrType.Aes) encrType = EncrType.Aes;
  else return undefined;
  return {
    networkIndex: 1,
    ssid: Buffer.from(own.ssid),
    authType,
    encrType,
    networkKey: authType === AuthType.Open ? Buffer.alloc(0) : Buffer.from(own.networkKey),
    macAddress: Buffer.from(enrollee.macAddress),
    extra: [],
  };
}

export function randomPassphrase(rng: (n: number) => Buffer = randomBytes): string {
  return rng(AUTO_PASSPHRASE_OCTETS).toString('base64').replace(/=+$/, '');
}

/**
 * wps_process_wsc_done on an unconfigured AP hands hostapd_wps_cred_cb
 * WPA/WPA2-PSK with TKIP/AES (WPA2-PSK/AES on 60 GHz) and the first
 * Enrollee's passphrase; a CONFIG_NO_TKIP hostapd applies and writes that as
 * wpa=2 with CCMP, which is the Credential returned here on every band.
 */
export function autoConfigSettings(ssid: Buffer, passphrase: string, ownAddr: Buffer): Credential {
  return {
    networkIndex: 1,
    ssid: Buffer.from(ssid),
    authType: AuthType.Wpa2Psk,
    encrType: EncrType.Aes,
    networkKey: Buffer.from(passphrase, 'latin1'),
    macAddress: Buffer.from(ownAddr),
    extra: [],
  };
}
