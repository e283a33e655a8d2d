/**
 * The radio under `wpsd ap`, per `driver=`:
 *   none, wired  no radio: UPnP and the control interface only (hostapd's
 *                wired test setups use driver=wired the same way);
 *   sim, nl80211 opened through src/radio's openApDriver and started per BSS
 *                with its SSID on the radio's channel; the BSS's WPS
 *                owner (ap/wps/wps-ap.ts) then adds the RSN and WPS elements and
 *                serves stations (association, EAP-WSC). A driver
 *                that cannot open (no medium, no nl80211) stops the start
 *                with its own message.
 *
 * API:
 *   startRadio(config, ownAddrs, log): Promise<ApRadio[] | undefined>   one per BSS; throws ApRadioError
 *   ApRadio { driver: ApDriver; stop(): Promise<void> }
 *   baseApParams(config, bss): ApParams   the beacon before WPS adds its elements
 *   RADIOLESS_DRIVERS
 */
import type { Logger } from '../common/log.js';
import type { ApDriver, ApParams } from '../radio/driver.js';

import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { WpsdError } from '../common/errors.js';
import { formatMac } from '../common/mac.js';

export const RADIOLESS_DRIVERS: readonly string[] = ['none', 'wired'];
/** IEEE 802.11 Capability Information: ESS, Privacy. */
const CAP_ESS = 0x0001;
const CAP_PRIVACY = 0x0010;
/** hostapd's beacon_int default. */
const DEFAULT_BEACON_INT_TU = 100;

export class ApRadioError extends WpsdError<'RADIO'> {

  constructor(message: string) {
    super('RADIO', message);
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

/**
 * Starts the radio with every BSS of the configuration (hostapd's bss=
 * sections share the first BSS's radio and channel; each has its own BSSID,
 * SSID and security). On driver=sim every BSS is a virtual interface of its
 * own on the medium; on nl80211 a bss= interface that does not exist is
 * created on the first BSS's wiphy (hostapd's if_add), one START_AP per BSS.
 */
export async function startRadio(config: HostapdConfig, ownAddrs: readonly Buffer[], log: Logger): Promise<ApRadio[] | undefined> {
  if (RADIOLESS_DRIVERS.includes(config.driver)) {
    log.debug(`driver=${config.driver}: no radio; UPnP and control interface only`);
    return undefined;
  }
  if (config.bss.length === 0) throw new ApRadioError(`${config.path}: no BSS`);
  const radios: ApRadio[] = [];
  try {
    const first = config.bss[0]?.iface;
    for (const [i, bss] of config.bss.entries()) radios.push(await startBssRadio(config, bss, ownAddrs[i] as Buffer, log, i > 0 ? first : undefined));
  } catch (e) {
    for (const r of radios.reverse()) await r.stop().catch(() => undefined);
    throw e;
  }
  return radios;
}

async function startBssRadio(config: HostapdConfig, bss: HostapdBssConfig, ownAddr: Buffer, log: Logger, parentIfname: string | undefined): Promise<ApRadio> {
  const channel = config.channel !== undefined && config.channel > 0 ? config.channel : 1;
  let driver: ApDriver;
  try {
    const { openApDriver } = await import('../radio/open-driver.js');
    driver = await openApDriver(
      {
        driver: config.driver,
        ifname: bss.iface,
        address: formatMac(ownAddr),
        channel,
        ...(config.simMedium !== undefined ? { simMedium: config.simMedium } : {}),
        ...(parentIfname !== undefined ? { parentIfname } : {}),
        ...(bss.bridge !== undefined ? { bridge: bss.bridge } : {}),
        ...(bss.wdsBridge !== undefined ? { wdsBridge: bss.wdsBridge } : {}),
      },
      log,
    );
  } catch (e) {
    throw new ApRadioError(`${config.path}: driver=${config.driver}: ${(e as Error).message}`);
  }
  try {
    await driver.startAp(baseApParams(config, bss));
  } catch (e) {
    await driver.close().catch(() => undefined);
    throw new ApRadioError(`${config.path}: driver=${config.driver}: ${bss.iface}: cannot start the AP: ${(e as Error).message}`);
  }
  log.info(`${bss.iface}: driver=${config.driver} radio started (BSSID ${formatMac(ownAddr)})`);
  return {
    driver,
    stop: async () => {
      await driver.stopAp().catch(() => undefined);
      await driver.close();
    },
  };
}
