/**
 * The radio path of a BSS without WPS (wps_state=0) on driver=sim /
 * nl80211: the RSN element in Beacons and Probe Responses, stations
 * associated by ApMlme, and WPA2-PSK (or an open port) by WpaPath. A BSS
 * with WPS has them from its WPS owner (WpsAp: MLME, RSN and WPS elements).
 *
 * API:
 *   PlainRadioPath.start(opts): Promise<PlainRadioPath>   .stop()   .wpa   .mlme
 */
import type { Logger } from '../common/log.js';
import type { ApDriver } from '../radio/driver.js';
import type { AuthenticatorTuning } from '../radio/wpa/authenticator.js';
import type { BssState } from './bss.js';
import type { HostapdBssConfig } from './config.js';
import { bssBaseElements } from './wireless/bss-elements.js';
import { ApMlme } from './wireless/mlme.js';
import { WpaPath } from './wpa-path.js';
import { bssAdmission } from './mac-acl.js';

export interface PlainRadioPathOptions {
  driver: ApDriver;
  state: BssState;
  conf: HostapdBssConfig;
  emit: (line: string) => void;
  tuning?: AuthenticatorTuning;
  logger: Logger;
}

export class PlainRadioPath {
  private constructor(
    readonly mlme: ApMlme,
    readonly wpa: WpaPath,
  ) {}

  static async start(o: PlainRadioPathOptions): Promise<PlainRadioPath> {
    const rsn = (o.state.wpa & 2) !== 0;
    const elements = bssBaseElements(rsn, o.conf.multiAp);
    await o.driver.setApElements({ beaconElements: elements, probeResponseElements: elements });
    const mlme = new ApMlme({ driver: o.driver, wpsEnabled: false, rsn, ...bssAdmission(o.conf), ...(o.conf.multiAp !== 0 ? { multiAp: o.conf.multiAp } : {}), logger: o.logger });
    try {
      const wpa = await WpaPath.start({ driver: o.driver, mlme, state: o.state, conf: o.conf, emit: o.emit, ...(o.tuning !== undefined ? { tuning: o.tuning } : {}), logger: o.logger });
      return new PlainRadioPath(mlme, wpa);
    } catch (e) {
      mlme.close();
      throw e;
    }
  }

  stop(): void {
    this.wpa.stop();
    this.mlme.close();
  }
}
