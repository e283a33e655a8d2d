/** Picks the backend named by `driver=` in the AP's or station's configuration. */
import { type Logger } from '../common/log.js';
import { DriverError, type DriverConfig, type ApDriver, type StationDriver } from './driver.js';
import { SimApDriver } from './sim/ap-driver.js';
import { SimStationDriver } from './sim/station-driver.js';
import { Nl80211ApDriver } from './nl80211/ap-driver.js';
import { NoneDriver } from './none-driver.js';
import { WiredApDriver } from './wired/ap-driver.js';
import { Nl80211StationDriver } from './nl80211/station-driver.js';

function simPath(cfg: DriverConfig): string {
  if (!cfg.simMedium) throw new DriverError('BAD_CONFIG', 'driver=sim needs sim_medium=PATH (the socket of `wpsd medium`)');
  return cfg.simMedium;
}

export async function openApDriver(cfg: DriverConfig, logger?: Logger): Promise<ApDriver> {
  switch (cfg.driver) {
    case 'sim':
      return SimApDriver.open({ mediumPath: simPath(cfg), address: cfg.address, channel: cfg.channel, ...(logger ? { logger } : {}) });
    case 'nl80211':
      return Nl80211ApDriver.open({
        ifname: cfg.ifname,
        ...(cfg.parentIfname !== undefined ? { create: { wiphyOf: cfg.parentIfname, mac: cfg.address } } : {}),
        ...(cfg.bridge !== undefined ? { bridge: cfg.bridge } : {}),
        ...(cfg.wdsBridge !== undefined ? { wdsBridge: cfg.wdsBridge } : {}),
        ...(logger ? { logger } : {}),
      });
    case 'wired':
      return WiredApDriver.open({
        ifname: cfg.ifname,
        address: cfg.address,
        ...(cfg.usePaeGroupAddr !== undefined ? { usePaeGroupAddr: cfg.usePaeGroupAddr } : {}),
        ...(logger ? { logger } : {}),
      });
    default:
      throw new DriverError('BAD_CONFIG', `unknown driver "${cfg.driver}" (use sim, nl80211 or wired)`);
  }
}

export async function openStationDriver(cfg: DriverConfig, logger?: Logger): Promise<StationDriver> {
  switch (cfg.driver) {
    case 'sim':
      return SimStationDriver.open({ mediumPath: simPath(cfg), address: cfg.address, channel: cfg.channel, ...(logger ? { logger } : {}) });
    case 'nl80211':
      return Nl80211StationDriver.open({ ifname: cfg.ifname, ...(logger ? { logger } : {}) });
    case 'none':
      return new NoneDriver(cfg.address);
    default:
      throw new DriverError('BAD_CONFIG', `unknown driver "${cfg.driver}" (use sim, nl80211 or none)`);
  }
}
