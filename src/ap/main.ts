/**
 * `wpsd ap`: reads hostapd.conf, brings up every BSS (control socket, AP
 * PIN, UPnP WFADevice on upnp_iface) and runs until SIGTERM/SIGINT, when it
 * stops cleanly (ssdp:byebye, sockets removed). Without a radio
 * (driver=none, or wired as hostapd's test setups use) it serves External
 * Registrars over UPnP and the control socket only.
 *
 * API:
 *   runAp(opts): Promise<number>             the process exit code
 *   startAp(config, opts): Promise<ApDaemon>  in-process (tests)
 *   ApDaemon { bsses, stop() }
 */
import { parseMac } from '../common/mac.js';
import { readFileSync } from 'node:fs';
import { Logger, levelFromDebugCount } from '../common/log.js';
import type { Logger as LoggerType } from '../common/log.js';
import { AP_EVENT_DISABLED, AP_EVENT_ENABLED } from './events.js';
import { ApBss, type ApBssOptions, type WpsTuning } from './ap-bss.js';
import { ConfigFileError, formatDiagnostic, loadHostapdConfig, type HostapdConfig } from './config.js';

import { registerGetCommand, registerWpsOffCommands } from './admin-commands.js';
import { registerBssControlCommands } from './bss-control-commands.js';
import { registerApCommands } from './ctrl-commands.js';
import { removeStaleTempFiles } from '../common/atomic-write.js';
import { registerStaCommands } from './sta-commands.js';
import { registerWpsStatusCommand } from './wps-status.js';
import { startRadio, type ApRadio } from './radio-driver.js';
import { hostapdWpsUuids } from './bss-wps-uuids.js';
import type { WpsAp } from './wps/wps-ap.js';
import { randomLocalMac, virtualInterfaceAddress } from '../radio/mac.js';
import { DhKeyPool, dhKeyPoolSizeFor } from '../wps/dh-key-pool.js';
import { WpsdError } from '../common/errors.js';
import { formatMac } from '../common/mac.js';
import { settleStartupMemorySoon } from '../common/startup-memory.js';

export class ApStartError extends WpsdError<'NO_ADDRESS' | 'RADIO' | 'UPNP' | 'CTRL'> {
  constructor(code: ApStartError['code'], message: string) {
    super(code, message);
  }
}

/**
 * The BSS's own address: bssid=, else the interface's MAC (as hostapd reads
 * it from the driver); a simulated radio without such an interface makes one
 * up (`madeUp`), as a virtual interface would get one.
 */
export function ownAddress(iface: string, bssid: Buffer | undefined, madeUp?: () => Buffer): Buffer {
  if (bssid !== undefined) return Buffer.from(bssid);
  let text: string;
  try {
    text = readFileSync(`/sys/class/net/${iface}/address`, 'utf8').trim();
  } catch {
    if (madeUp !== undefined) return madeUp();
    throw new ApStartError('NO_ADDRESS', `${iface}: cannot read the interface's MAC address (no such interface?); set bssid=`);
  }
  const mac = parseMac(text);
  if (mac === undefined) throw new ApStartError('NO_ADDRESS', `${iface}: unusable MAC address "${text}"; set bssid=`);
  return mac;
}

export interface ApDaemon {
  readonly config: HostapdConfig;
  readonly bsses: readonly ApBss[];
  /** The WPS of the first BSS when it runs over the radio (driver=sim / nl80211 with wps_state set). */
  readonly radioWps: WpsAp | undefined;
  stop(): Promise<void>;
}

export interface StartApOptions {
  logger: LoggerType;
  /** Per-BSS test overrides (UPnP ports, callback policy). */
  bssOptions?: Partial<Pick<ApBssOptions, 'upnp' | 'noUpnp' | 'now'>>;
  /** WPS timings (tests). */
  radio?: WpsTuning;
  /** Precomputed DH key pairs shared with other daemons of this process; one of its own otherwise. */
  dhKeys?: DhKeyPool;
}

export async function startAp(config: HostapdConfig, opts: StartApOptions): Promise<ApDaemon> {
  const log = opts.logger;
  const madeUp = (iface: string) => (): Buffer => {
    const mac = randomLocalMac();
    log.info(`${iface}: no such interface; the sim radio uses the locally administered address ${formatMac(mac)} (set bssid= to choose one)`);
    return mac;
  };
  // A bss= interface nl80211 will create gets its address as hostapd derives it from the first BSS's.
  const derived = (iface: string) => (): Buffer => {
    const mac = addrs[0] !== undefined ? virtualInterfaceAddress(addrs[0], addrs) : undefined;
    if (mac === undefined) throw new ApStartError('NO_ADDRESS', `${iface}: no free address for the new interface; set bssid=`);
    log.info(`${iface}: the new interface gets the address ${formatMac(mac)} (set bssid= to choose one)`);
    return mac;
  };
  const addrs: Buffer[] = [];
  for (const [i, b] of config.bss.entries()) {
    addrs.push(ownAddress(b.iface, b.bssid, config.driver === 'sim' ? madeUp(b.iface) : config.driver === 'nl80211' && i > 0 ? derived(b.iface) : undefined));
  }
  const radios: ApRadio[] | undefined = await startRadio(config, addrs, log);
  const uuids = hostapdWpsUuids(config, addrs);
  const bsses: ApBss[] = [];
  // Every BSS's runs (ER learns over UPnP, station Registrars, wireless Enrollees) take their DH pair from here.
  const dhKeys = opts.dhKeys ?? new DhKeyPool({ defer: (task) => setImmediate(task) });
  dhKeys.fill();
  const stopAll = async (): Promise<void> => {
    for (const b of [...bsses].reverse()) {
      if (b.enabled) b.emit(AP_EVENT_DISABLED);
      await b.stop();
    }
    for (const r of [...(radios ?? [])].reverse()) await r.stop().catch((e: Error) => log.debug(`radio: stop: ${e.message}`));
  };
  try {
    for (const [i, conf] of config.bss.entries()) {
      const addr = addrs[i] as Buffer;
      const upnpTaken = conf.upnpIface !== undefined && config.bss.slice(0, i).some((o) => o.upnpIface === conf.upnpIface && o.wpsState !== 0);
      if (upnpTaken) log.warn(`${conf.iface}: upnp_iface ${conf.upnpIface} already serves an earlier BSS; no UPnP device for this one`);
      const b = await ApBss.start({
        config,
        index: i,
        ownAddr: addr,
        uuid: uuids[i],
        logger: log,
        dhKeys,
        ...(opts.bssOptions ?? {}),
        ...(upnpTaken ? { noUpnp: true } : {}),
        ...(radios?.[i] !== undefined ? { driver: radios[i].driver } : {}),
        ...(opts.radio !== undefined ? { tuning: opts.radio } : {}),
      });
      bsses.push(b);
      b.setGroup(() => bsses);
      registerApCommands(b, () => bsses);
      if (b.ctrl !== undefined) {
        const reg = b.ctrl.registry;
        // Stations are in the BSS's MLME, newest first; a BSS without a radio lists none, as hostapd on a wired port.
        registerStaCommands(reg, { stations: () => b.wps?.mlme?.stations().reverse() ?? [] });
        registerWpsStatusCommand(reg, b.wpsStatus);
        registerGetCommand(reg);
        registerWpsOffCommands(reg, b.iface, log);
        registerBssControlCommands(b, log);
      }
      // Only now does the socket answer: every command above exists.
      b.ctrl?.ready();
      log.debug(`${conf.iface}: BSS ${formatMac(addr)} ssid ${JSON.stringify(b.state.ssid.toString('latin1'))} wps_state=${conf.wpsState}`);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  for (const b of bsses) {
    log.info(`${b.iface}: interface state UNINITIALIZED->ENABLED`);
    b.emit(AP_EVENT_ENABLED);
  }
  let stopped = false;
  return {
    config,
    bsses,
    // A getter: ENABLE / RELOAD replace the BSS's WpsAp.
    get radioWps() {
      return radios !== undefined ? bsses[0]?.wps : undefined;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await stopAll();
    },
  };
}

export interface RunApOptions {
  /** hostapd.conf files: each its own interface(s), BSSes, UPnP device and control sockets, as `hostapd a.conf b.conf`. */
  configs: readonly string[];
  debug: number;
  timestamps: boolean;
  showKeys: boolean;
  /** Unknown configuration keys are warnings (--lenient-config). */
  lenientConfig?: boolean;
  /** GENA callback policy (--upnp-callback); same-host unless widened. */
  upnpCallback?: 'same-host' | 'same-subnet';
}

/** One configuration file read, or the exit code hostapd gives for it (its diagnostics already printed). */
async function loadConfig(path: string, opts: RunApOptions, log: Logger): Promise<HostapdConfig | number> {
  log.info(`Configuration file: ${path}`);
  try {
    const { config, warnings } = await loadHostapdConfig(path, { lenient: opts.lenientConfig === true });
    for (const w of warnings) log.warn(formatDiagnostic(w));
    return config;
  } catch (e) {
    if (e instanceof ConfigFileError) {
      for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
      // hostapd's wording, "errors" even for one.
      if (e.code === 'CONFIG_INVALID') process.stderr.write(`${errors} errors found in configuration file '${path}'\n`);
      process.stderr.write(`Failed to set up interface with ${path}\n`);
      return 1;
    }
    throw e;
  }
}

export async function runAp(opts: RunApOptions): Promise<number> {
  const log = new Logger({ level: levelFromDebugCount(opts.debug), timestamps: opts.timestamps, showKeys: opts.showKeys });
  // hostapd reads every file before bringing any interface up; one bad file starts none.
  const configs: HostapdConfig[] = [];
  for (const path of opts.configs) {
    const c = await loadConfig(path, opts, log);
    if (typeof c === 'number') return c;
    configs.push(c);
  }
  // Signals are taken from the start: one that arrives while the BSSes come up stops them once they are up.
  let signalled: string | undefined;
  let onSignal: (sig: string) => void = (sig) => {
    signalled ??= sig;
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  // hostapd reloads on SIGHUP; wpsd keeps running with its settings and says so.
  process.on('SIGHUP', () => log.info('SIGHUP received: configuration reload is not supported; restart wpsd ap to re-read the file'));
  // One process, one DH key pool, for every interface it serves, stocked for all of them.
  const dhKeys = new DhKeyPool({ defer: (task) => setImmediate(task), size: dhKeyPoolSizeFor(configs.reduce((n, c) => n + c.bss.length, 0)) });
  const daemons: ApDaemon[] = [];
  const stopAll = async (): Promise<void> => {
    for (const d of [...daemons].reverse()) await d.stop();
  };
  try {
    for (const config of configs) {
      daemons.push(await startAp(config, { logger: log, dhKeys, bssOptions: { upnp: { callbackPolicy: opts.upnpCallback ?? 'same-host' } } }));
    }
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    await stopAll().catch(() => undefined);
    return 1;
  }
  // Now that the control sockets are ours, no other instance writes these files: leftovers of a killed rewrite go.
  for (const path of opts.configs) {
    for (const f of await removeStaleTempFiles(path)) log.info(`Removed ${f} left by an interrupted configuration update`);
  }
  // Up: what start-up alone needed is given back (src/common/startup-memory.ts).
  settleStartupMemorySoon();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`Signal ${sig} received - terminating`);
      stopAll()
        .then(() => resolve(0))
        .catch((e: Error) => {
          log.error(`stop failed: ${e.message}`);
          resolve(1);
        });
    };
    onSignal = stop;
    if (signalled !== undefined) stop(signalled);
  });
}
