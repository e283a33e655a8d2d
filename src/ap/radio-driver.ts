/**
 * Which `driver=` values `wpsd ap` runs with. Without a radio (none, or
 * wired as in hostapd's wired test setups) the AP serves External Registrars
 * over UPnP and the control socket. The radio drivers (sim, nl80211) need the
 * radio path, which is not wired into `wpsd ap` yet: they are refused with a
 * clear message rather than started half-way.
 *
 * API:
 *   checkRadioDriver(config, log): Promise<void>   throws ApRadioError
 *   RADIOLESS_DRIVERS
 */
import type { Logger } from '../common/log.js';
import type { HostapdConfig } from './config.js';

export const RADIOLESS_DRIVERS: readonly string[] = ['none', 'wired'];

export class ApRadioError extends Error {
  readonly code = 'radio-not-supported' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ApRadioError';
  }
}

export async function checkRadioDriver(config: HostapdConfig, log: Logger): Promise<void> {
  if (RADIOLESS_DRIVERS.includes(config.driver)) {
    log.debug(`driver=${config.driver}: no radio; UPnP and control interface only`);
    return;
  }
  throw new ApRadioError(
    `${config.path}: driver=${config.driver} needs the radio path, which wpsd ap does not run yet; ` +
      'use driver=none for an AP that serves External Registrars over UPnP and the control interface',
  );
}
