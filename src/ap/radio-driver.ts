/**
 * The radio under `wpsd ap`, per `driver=`:
 *   none, wired  no radio: UPnP and the control interface only (hostapd's
 *                wired test setups use driver=wired the same way);
 *   sim, nl80211 opened through src/radio's openApDriver and started with the
 *                first BSS's SSID and channel; the BSS's WPS
 *                owner (ap/wps/wps-ap.ts) then adds the RSN and WPS elements and
 *                serves stations (association, EAP-WSC). A driver
 *                that cannot open (no medium, no nl80211) stops the start
 *                with its own message.
 *
 * API:
 *   startRadio(config, ownAddr, log): Promise<ApRadio | undefined>   throws ApRadioError
 *   ApRadio { driver: ApDriver; stop(): Promise<void> }
 *   baseApParams(config, bss): ApParams   the beacon before WPS adds its elements
 *   RADIOLESS_DRIVERS
 */
import type { Logger } from '../common/log.js';
import type { ApDriver, ApParams } from '../radio/driver.js';
import { formatMac } from '../conf/values.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';

export const RADIOLESS_DRIVERS: readonly string[] = ['none', 'wired'];
/** IEEE 802.11 Capability Information: ESS, Privacy. */
const CAP_ESS = 0x0001;
const CAP_PRIVACY = 0x0010;
/** hostapd's beacon_int default. */
const DEFAULT_BEACON_INT_TU = 100;

export class ApRadioError extends Error {
  readonly code = 'radio' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ApRadioError';
  }
}

export interface ApRadio {
  readonly driver: ApDriver;
  stop(): Promise<void>;
}

/** The BSS's beacon before WPS adds its elements: SSID, channel, interval, capability. */
export function baseApParams(config: HostapdConfig, bss: HostapdBssConfig): ApParams {
  return {
    ssid: bss.ssid ?? Buffer.alloc(0),
    channel: config.channel !== undefined && config.channel > 0 ? config.channel : 1,
    beaconInterval: DEFAULT_BEACON_INT_TU,
    capability: CAP_ESS | (bss.wpa !== 0 ? CAP_PRIVACY : 0),
    beaconElements: [],
    probeResponseElements: [],
  };
}

export async function startRadio(config: HostapdConfig, ownAddr: Buffer, log: Logger): Promise<ApRadio | undefined> {
  if (RADIOLESS_DRIVERS.includes(config.driver)) {
    log.debug(`driver=${config.driver}: no radio; UPnP and control interface only`);
    return undefined;
  }
  const first = config.bss[0];
  if (first === undefined) throw new ApRadioError(`${config.path}: no BSS`);
  if (config.bss.length > 1) {
    throw new ApRadioError(`${config.path}: driver=${config.driver} runs one BSS for now; the bss= sections need driver=none`);
  }
  let driver: ApDriver;
  try {
    const { openApDriver } = await import('../radio/open-driver.js');
    driver = await openApDriver(
      {
        driver: config.driver,
        ifname: first.iface,
        address: formatMac(ownAddr),
        channel: config.channel !== undefined && config.channel > 0 ? config.channel : 1,
        ...(config.simMedium !== undefined ? { simMedium: config.simMedium } : {}),
      },
      log,
    );
  } catch (e) {
    throw new ApRadioError(`${config.path}: driver=${config.driver}: ${(e as Error).message}`);
  }
  try {
    await driver.startAp(baseApParams(config, first));
  } catch (e) {
    await driver.close().catch(() => undefined);
    throw new ApRadioError(`${config.path}: driver=${config.driver}: cannot start the AP: ${(e as Error).message}`);
  }
  log.info(`${first.iface}: driver=${config.driver} radio started`);
  return {
    driver,
    stop: async () => {
      await driver.stopAp().catch(() => undefined);
      await driver.close();
    },
  };
}
