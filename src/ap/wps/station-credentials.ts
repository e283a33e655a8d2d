/**
 * What the AP's internal Registrar hands a station Enrollee in M8 (hostapd
 * wps_build_cred): the BSS's own settings, or for an unconfigured AP
 * (wps_state=1) a fresh random passphrase that becomes the AP's own when
 * that Enrollee's run succeeds; and the backhaul BSS's credentials for a
 * Multi-AP backhaul STA.
 *
 * API:
 *   new StationCredentials({ state, conf, hwMode, log })
 *     .for(enrollee): Credential[]   .backhaul(mac): Credential[] | undefined
 *     .takeAutoConfig(mac): Credential | undefined   .forget(mac)
 */
import { MultiApConfig } from '../wireless/multi-ap-bss.js';
import { type Logger } from '../../common/log.js';
import type { Credential } from '../../wps/credential.js';
import { formatUuid } from '../../wps/device.js';
import type { EnrolleeInfo } from '../../wps/registrar.js';
import { AuthType, EncrType } from '../../wps/values.js';
import type { BssState } from '../bss.js';
import type { HostapdBssConfig } from '../config.js';
import { autoConfigSettings, credentialForEnrollee, randomPassphrase, unconfiguredApSecurity } from '../enrollee-credential.js';

/** Unconfigured-AP passphrases waiting for their run's end (one per Enrollee in a run; the oldest goes past this). */
export const MAX_AUTO_CONFIG_RUNS = 256;

export interface StationCredentialsOptions {
  state: BssState;
  conf: () => HostapdBssConfig;
  /** wpa_psk_file: the per-device Network Key for this Enrollee (undefined: the BSS's own). */
  perDeviceKey?: (mac: Buffer) => Buffer | undefined;
  log: Logger;
}

export class StationCredentials {
  /** Unconfigured AP: the random passphrase given to an Enrollee (MAC hex). */
  private readonly autoConfig = new Map<string, string>();

  constructor(private readonly opts: StationCredentialsOptions) {}

  /** M8's Credential for a station Enrollee. */
  for(e: EnrolleeInfo): Credential[] {
    const state = this.opts.state;
    let own = { ssid: state.ssid, authTypes: state.authTypes, encrTypes: state.encrTypes, networkKey: state.networkKey };
    let passphrase: string | undefined;
    if (state.wpsState === 1) {
      passphrase = randomPassphrase();
      own = { ...own, ...unconfiguredApSecurity(), networkKey: Buffer.from(passphrase, 'latin1') };
    } else {
      const perDevice = this.opts.perDeviceKey?.(e.macAddress);
      if (perDevice !== undefined) own = { ...own, networkKey: perDevice };
    }
    const cred = credentialForEnrollee(own, e);
    if (cred === undefined) {
      this.opts.log.info(`WPS: no security in common with the Enrollee ${formatUuid(e.uuid)} (auth 0x${e.authTypeFlags.toString(16)} encr 0x${e.encrTypeFlags.toString(16)})`);
      return [];
    }
    if (passphrase !== undefined) {
      if (this.autoConfig.size >= MAX_AUTO_CONFIG_RUNS) this.autoConfig.delete(this.autoConfig.keys().next().value as string);
      this.autoConfig.set(e.macAddress.toString('hex'), passphrase);
    }
    return [cred];
  }

  /** "Moving to Configured state based on first Enrollee connection": the AP's new settings, once, if this Enrollee got a passphrase. */
  takeAutoConfig(enrollee: Buffer): Credential | undefined {
    const key = enrollee.toString('hex');
    const passphrase = this.autoConfig.get(key);
    this.autoConfig.delete(key);
    const state = this.opts.state;
    if (passphrase === undefined || state.wpsState !== 1) return undefined;
    return autoConfigSettings(state.ssid, passphrase, state.ownAddr);
  }

  /**
   * The network as an NFC configuration token carries it (wps_get_oob_cred):
   * the BSS's best security, no Enrollee MAC. An unconfigured AP
   * (wps_state=1) puts a fresh random passphrase in the token with
   * WPA2-PSK/AES, and `newSettings` is what the AP then moves to ("Moving to
   * Configured state based on credential token generation"): that
   * passphrase, as hostapd hands its cred_cb WPA/WPA2-PSK with TKIP/AES,
   * which the NO_TKIP model applies as WPA2-PSK/AES.
   */
  oob(): { credential: Credential; newSettings?: Credential } | undefined {
    const state = this.opts.state;
    let own = { ssid: state.ssid, authTypes: state.authTypes, encrTypes: state.encrTypes, networkKey: state.networkKey };
    let passphrase: string | undefined;
    if (state.wpsState === 1) {
      passphrase = randomPassphrase();
      own = { ...own, ...unconfiguredApSecurity(), networkKey: Buffer.from(passphrase, 'latin1') };
    }
    const none = Buffer.alloc(6);
    const credential = credentialForEnrollee(own, { authTypeFlags: own.authTypes, encrTypeFlags: own.encrTypes, macAddress: none });
    if (credential === undefined) return undefined;
    if (passphrase === undefined) return { credential };
    return { credential, newSettings: autoConfigSettings(state.ssid, passphrase, none) };
  }

  forget(enrollee: Buffer): void {
    this.autoConfig.delete(enrollee.toString('hex'));
  }

  backhaul(enrollee: Buffer): Credential[] | undefined {
    const conf = this.opts.conf();
    const ssid = conf.multiApBackhaulSsid;
    // hostapd hands out backhaul credentials only from a fronthaul BSS; a backhaul-only one answers with its own.
    if (ssid === undefined || ssid.length === 0 || (conf.multiAp & MultiApConfig.FRONTHAUL_BSS) === 0) return undefined;
    let key: Buffer;
    if (conf.multiApBackhaulWpaPassphrase !== undefined) key = Buffer.from(conf.multiApBackhaulWpaPassphrase, 'utf8');
    else if (conf.multiApBackhaulWpaPsk !== undefined) key = Buffer.from(conf.multiApBackhaulWpaPsk.toString('hex'), 'latin1');
    else return undefined;
    return [{ networkIndex: 1, ssid: Buffer.from(ssid), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: key, macAddress: Buffer.from(enrollee), extra: [] }];
  }
}
