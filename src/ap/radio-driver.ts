/**
 * The radio under `wpsd ap`, per `driver=`:
 *   none         no radio: UPnP and the control interface only;
 *   wired        an IEEE 802.1X EAPOL port on the interface (radio/wired):
 *                no beacons or association, EAP-WSC with wired Enrollees
 *                when ieee8021x=1, as hostapd's driver_wired;
 *   sim, nl80211 opened through src/radio's openApDriver, one per BSS; the
 *                BSS (ap-bss.ts) starts it once it knows every element, so
 *                the first Beacon (nl80211: the first START_AP) already
 *                carries the RSN and WPS elements and the cipher suites,
 *                as hostapd's first beacon does. A driver that cannot
 *                open (no medium, no nl80211) stops the start with its
 *                own message.
 *
 * API:
 *   startRadio(config, ownAddrs, log): Promise<ApRadio[] | undefined>   one per BSS; throws ApRadioError
 *   ApRadio { driver: ApDriver; stop(): Promise<void> }
 *   baseApParams(config, bss): ApParams   the beacon of a BSS without WPS (RSN, Multi-AP)
 *   RADIOLESS_DRIVERS
 */
import type { Logger } from '../common/log.js';
import type { ApDriver, ApParams } from '../radio/driver.js';
import type { HostapdBssConfig, HostapdConfig } from './config.js';
import { bssBaseElements } from './wireless/bss-elements.js';
import { WpsdError } from '../common/errors.js';
import { formatMac } from '../common/mac.js';

export const RADIOLESS_DRIVERS: readonly string[] = ['none'];
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

/** The Beacon of a BSS without WPS: SSID, channel, interval, capability, RSN and Multi-AP elements. */
export function baseApParams(config: HostapdConfig, bss: HostapdBssConfig): ApParams {
  return {
    ssid: bss.ssid ?? Buffer.alloc(0),
    channel: config.channel !== undefined && config.channel > 0 ? config.channel : 1,
    beaconInterval: DEFAULT_BEACON_INT_TU,
    capability: CAP_ESS | (bss.wpa !== 0 ? CAP_PRIVACY : 0),
    beaconElements: bssBaseElements((bss.wpa & 2) !== 0, bss.multiAp),
    probeResponseElements: bssBaseElements((bss.wpa & 2) !== 0, bss.multiAp),
    ...(bss.ignoreBroadcastSsid === 1 ? { hideSsid: true } : {}),
  };
}

/**
 * Opens the radio for every BSS of the configuration (hostapd's bss=
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
        ...(bss.usePaeGroupAddr === 1 ? { usePaeGroupAddr: true } : {}),
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
  log.info(`${bss.iface}: driver=${config.driver} radio opened (BSSID ${formatMac(ownAddr)})`);
  return {
    driver,
    stop: async () => {
      await driver.stopAp().catch(() => undefined);
      await driver.close();
    },
  };
}
