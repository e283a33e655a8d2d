/**
 * The WPA side of a BSS's radio path: the wpa_psk_file, the per-station
 * authenticators (WpaStations) and the per-device PSKs WPS hands out, wired
 * to the BSS state so that new WPS settings (SSID, passphrase) apply to the
 * next handshake.
 *
 * API:
 *   WpaPath.start(opts): Promise<WpaPath>   throws WpaPskFileError when wpa_psk_file cannot be read
 *   .restarted()            the AP restarted: reinstall the GTK
 *   .networkKeyFor(mac)     the Network Key M8 gives this Enrollee (undefined: the BSS's own)
 *   .enrolled(mac)          its registration succeeded: keep its per-device PSK
 *   .stations (WpaStations) .stop()
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../common/log.js';
import type { ApDriver } from '../radio/driver.js';
import type { MacAddress } from '../radio/mac.js';
import { PMK_LEN } from '../radio/wpa/crypto.js';
import type { AuthenticatorTuning } from '../radio/wpa/authenticator.js';
import type { BssState } from './bss.js';
import type { HostapdBssConfig } from './config.js';
import type { ApMlme } from './wireless/mlme.js';
import { WpaPskFile } from './wpa-psk-file.js';
import { WpaStations } from './wpa-stations.js';

/** Per-device PSKs generated for Enrollees whose run has not ended yet (hostapd keeps one per run). */
export const MAX_PENDING_DEVICE_PSKS = 64;

export interface WpaPathOptions {
  driver: ApDriver;
  mlme: ApMlme;
  state: BssState;
  conf: HostapdBssConfig;
  emit: (line: string) => void;
  tuning?: AuthenticatorTuning;
  logger: Logger;
}

export class WpaPath {
  private readonly pending = new Map<MacAddress, Buffer>();

  private constructor(
    private readonly o: WpaPathOptions,
    readonly stations: WpaStations,
    private readonly pskFile: WpaPskFile | undefined,
  ) {}

  static async start(o: WpaPathOptions): Promise<WpaPath> {
    const pskFile = o.conf.wpaPskFile !== undefined ? await WpaPskFile.load(o.conf.wpaPskFile, o.logger) : undefined;
    const state = o.state;
    const stations = new WpaStations({
      driver: o.driver,
      mlme: o.mlme,
      rsn: () => (state.wpa & 2) !== 0,
      pmks: (addr) => [...(pskFile?.pmksFor(addr, state.ssid) ?? []), ...(state.psk !== undefined ? [{ pmk: state.psk }] : [])],
      emit: o.emit,
      groupRekeySec: o.conf.wpaGroupRekey,
      ...(o.tuning !== undefined ? { tuning: o.tuning } : {}),
      logger: o.logger,
    });
    await stations.start();
    return new WpaPath(o, stations, pskFile);
  }

  async restarted(): Promise<void> {
    await this.stations.start();
  }

  stop(): void {
    this.stations.stop();
  }

  /**
   * hostapd wps_build_cred with wpa_psk_file: a wps=1 PSK of the file for this
   * Enrollee (or any Enrollee), else a new random per-device PSK; as 64 hex digits.
   */
  networkKeyFor(mac: MacAddress): Buffer | undefined {
    if (this.pskFile === undefined || (this.o.state.wpa & 2) === 0) return undefined;
    let psk = this.pskFile.wpsPskFor(mac, this.o.state.ssid);
    if (psk === undefined) {
      psk = randomBytes(PMK_LEN);
      if (this.pending.size >= MAX_PENDING_DEVICE_PSKS) this.pending.delete(this.pending.keys().next().value as MacAddress);
      this.pending.set(mac, psk);
      this.o.logger.debug(`WPS: Generated per-device PSK for ${mac}`);
    }
    return Buffer.from(psk.toString('hex'), 'latin1');
  }

  /** hostapd_wps_new_psk_cb at the end of a successful registration. */
  async enrolled(mac: MacAddress): Promise<void> {
    const psk = this.pending.get(mac);
    this.pending.delete(mac);
    if (psk === undefined || this.pskFile === undefined) return;
    this.o.logger.debug(`Received new WPA/WPA2-PSK from WPS for STA ${mac}`);
    await this.pskFile.addPerDevicePsk(mac, psk);
  }
}
