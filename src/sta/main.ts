/**
 * `wpsd sta -c wpa_supplicant.conf -i IF -D none|sim|nl80211`: the station
 * daemon. Loads the configuration (errors name file and line), opens the
 * control socket `<ctrl_interface dir>/<IF>`, answers the network commands
 * and the External Registrar commands; the ER works on IF's IPv4 address.
 * With sim/nl80211 the radio driver is opened and the radio commands
 * (SCAN, SCAN_RESULTS, BSS, STATUS, WPS_PIN, WPS_PBC, WPS_REG, WPS_CANCEL)
 * run the station's own WPS (radio-station.ts).
 */
import { CtrlEvent, MSG_INFO } from '../ctrl/event-names.js';
import { credReceivedLine, networkAddedLine } from './radio-events.js';
import os from 'node:os';
import { Logger, levelFromDebugCount } from '../common/log.js';
import { CtrlServer } from '../ctrl/server.js';
import { removeStaleTempFiles } from '../common/atomic-write.js';
import { resolveInterface } from '../upnp/net-address.js';
import { registerErCommands } from '../er/commands.js';
import { subscribeEventLines } from '../er/event-lines.js';
import { ExternalRegistrar } from '../er/external-registrar.js';
import type { Credential } from '../wps/credential.js';
import { ConfigFileError, formatDiagnostic, loadWpaSupplicantConfig, type WpaSupplicantConfig } from './config.js';
import { CredentialNetworkError, credentialFromNetwork, networkFromCredential } from './cred-network.js';
import { registerNetworkCommands, saveConfig, type NetworkCommandContext } from './network-commands.js';
import { NetworkTable } from './network-table.js';
import type { StationDriver } from '../radio/driver.js';
import { randomLocalMac } from '../radio/mac.js';

import { registerStaNfcCommands } from './nfc-commands.js';
import { NfcPasswordTokens } from '../wps/nfc/password-tokens.js';
import { registerNoRadioStatus } from './status-command.js';
import type { RadioStation } from './radio-station.js';
import { stationWpsDevice } from './wps-device-config.js';
import { WpsdError } from '../common/errors.js';
import { formatMac } from '../common/mac.js';
import { settleStartupMemorySoon } from '../common/startup-memory.js';

export interface StaOptions {
  config: string;
  iface: string;
  driver: string;
  debug: number;
  timestamps: boolean;
  showKeys: boolean;
  /** Unknown configuration keys are warnings (--lenient-config). */
  lenientConfig?: boolean;
}

export class StaStartError extends WpsdError<'CONFIG' | 'INTERFACE' | 'DRIVER' | 'CTRL'> {}

export const STA_DRIVERS = ['none', 'sim', 'nl80211'] as const;

function interfaceMac(name: string): Buffer {
  const list = os.networkInterfaces()[name];
  if (list === undefined || list.length === 0) throw new StaStartError('INTERFACE', `interface ${name} does not exist`);
  const mac = list[0]?.mac ?? '00:00:00:00:00:00';
  return Buffer.from(mac.replace(/:/g, ''), 'hex');
}

function simMac(name: string, log: Logger): Buffer {
  const mac = randomLocalMac();
  log.info(`${name}: no such interface; the sim radio uses the locally administered address ${formatMac(mac)}`);
  return mac;
}

/** A running station daemon; stop() ends it cleanly. */
export interface StaDaemon {
  readonly config: WpaSupplicantConfig;
  readonly er: ExternalRegistrar;
  readonly ctrl: CtrlServer | undefined;
  stop(): Promise<void>;
}

export async function startSta(o: StaOptions, log: Logger): Promise<StaDaemon> {
  if (!(STA_DRIVERS as readonly string[]).includes(o.driver)) {
    throw new StaStartError('DRIVER', `unknown driver "${o.driver}" (use none, sim or nl80211)`);
  }
  let config: WpaSupplicantConfig;
  try {
    const res = await loadWpaSupplicantConfig(o.config, { lenient: o.lenientConfig === true });
    for (const w of res.warnings) log.info(formatDiagnostic(w));
    config = res.config;
  } catch (e) {
    if (e instanceof ConfigFileError) {
      // wpa_supplicant ends the list with this line.
      const tail = e.code === 'CONFIG_INVALID' ? `\nFailed to read or parse configuration '${o.config}'.` : '';
      throw new StaStartError('CONFIG', e.diagnostics.map(formatDiagnostic).join('\n') + tail);
    }
    throw e;
  }
  // nl80211 reads the address from the kernel (an interface that is down has none in os.networkInterfaces());
  // a simulated radio needs no real interface: it makes up an address, as a virtual interface would get one.
  let mac = o.driver === 'nl80211' ? Buffer.alloc(6) : o.driver === 'sim' && os.networkInterfaces()[o.iface] === undefined ? simMac(o.iface, log) : interfaceMac(o.iface);
  let closeDriver: (() => Promise<void>) | undefined;
  let driver: StationDriver | undefined;
  if (o.driver !== 'none') {
    const { openStationDriver } = await import('../radio/open-driver.js');
    try {
      const drv = await openStationDriver({ driver: o.driver, ifname: o.iface, address: mac.toString('hex').replace(/(..)(?!$)/g, '$1:'), channel: 1, ...(config.simMedium ? { simMedium: config.simMedium } : {}) }, log.child('driver'));
      closeDriver = () => drv.close();
      driver = drv;
      mac = Buffer.from(drv.address.replace(/:/g, ''), 'hex');
      log.info(`driver ${o.driver} opened`);
    } catch (e) {
      throw new StaStartError('DRIVER', `driver ${o.driver}: ${(e as Error).message}`);
    }
  }

  const table = new NetworkTable(config.networks);
  let ctrl: CtrlServer | undefined;
  if (config.ctrlInterface !== undefined) {
    try {
      const ctrlOpts: Parameters<typeof CtrlServer.open>[0] = { ctrlInterface: config.ctrlInterface, ifname: o.iface, holdUntilReady: true, logger: log.child('ctrl') };
      if (config.ctrlInterfaceGroup !== undefined) ctrlOpts.group = config.ctrlInterfaceGroup;
      ctrl = await CtrlServer.open(ctrlOpts);
    } catch (e) {
      await closeDriver?.();
      throw new StaStartError('CTRL', `control interface: ${(e as Error).message}`);
    }
    // The control socket is ours, so no other instance writes this file: leftovers of a killed save go.
    for (const f of await removeStaleTempFiles(o.config)) log.info(`Removed ${f} left by an interrupted configuration update`);
  } else {
    log.info('no ctrl_interface in the configuration: no control socket');
  }
  const emit = (level: number, text: string): void => ctrl?.emit(level, text);
  const netCtx: NetworkCommandContext = { config, table, logger: log, emit };
  // The radio's events also go to the log, as wpa_msg prints them ("wlan0: CTRL-EVENT-CONNECTED ..."); a credential only with -K.
  const credPrefix = `${CtrlEvent.WpsCredReceived} `;
  const radioEmit = (level: number, text: string): void => {
    emit(level, text);
    const secret = text.startsWith(credPrefix) && text.length > credPrefix.length;
    log.info(`${o.iface}: ${secret ? credPrefix + log.key(text.slice(credPrefix.length)) : text}`);
  };

  const onConfigured = (cred: Credential): void => {
    // wpa_supplicant_wps_cred: the settings an ER sent are processed as if received.
    emit(MSG_INFO, credReceivedLine());
    if (config.wpsCredProcessing === 1) return;
    try {
      const id = table.addNetwork(networkFromCredential(cred, 0));
      emit(MSG_INFO, networkAddedLine(id));
      if (config.updateConfig !== 0) void saveConfig(netCtx);
    } catch (e) {
      if (e instanceof CredentialNetworkError) log.info(`WPS: ignored credential: ${e.message}`);
      else throw e;
    }
  };

  const device = stationWpsDevice(config, mac);
  // One list of NFC tokens for the ER and wps_reg, as wpa_supplicant's one Registrar keeps.
  const nfcTokens = new NfcPasswordTokens();
  // The radio's station and commands load only with a radio: `-D none` (an ER) never runs them.
  const radioModules = driver === undefined ? undefined : await Promise.all([import('./radio-station.js'), import('./radio-commands.js')]);
  const radio: RadioStation | undefined =
    driver === undefined || radioModules === undefined
      ? undefined
      : new radioModules[0].RadioStation({ driver, device, config, table, emit: radioEmit, saveConfig: () => saveConfig(netCtx), nfcTokens, logger: log.child('wps') });
  if (radio !== undefined) {
    netCtx.onSelect = (id) => radio.selectNetwork(id);
    netCtx.onRemove = (ids) => radio.networksRemoved(ids);
  }
  let nfcHandoverKey: Buffer | undefined;
  const er = new ExternalRegistrar({
    iface: () => resolveInterface(o.iface),
    device,
    onConfigured,
    logger: log,
    nfcTokens,
    nfcHandoverKey: () => nfcHandoverKey,
  });
  subscribeEventLines(er, (l) => emit(l.level, l.text));
  // wpas_wps_network_to_cred: for WPS_ER_SET_CONFIG and WPS_NFC_CONFIG_TOKEN.
  const networkCredential = (id: number): Credential | undefined => {
    const net = table.network(id);
    return net === undefined ? undefined : credentialFromNetwork(net);
  };
  if (ctrl) {
    registerNetworkCommands(ctrl.registry, netCtx);
    if (radio && radioModules) radioModules[1].registerRadioCommands(ctrl.registry, radio);
    else registerNoRadioStatus(ctrl.registry, o.iface, mac, device.uuid);
    registerStaNfcCommands(
      ctrl.registry,
      {
        nfc: config.wpsNfc,
        fromConfig: () => config.wpsNfcFromConfig,
        uuid: () => device.uuid,
        ...(radio !== undefined ? { startNfc: (t, bssid) => radio.startNfc(t, bssid), startHandover: (sel, key) => radio.startHandover(sel, key) } : {}),
        registrar: {
          addNfcPasswordToken: (t) => er.addNfcPasswordToken(t),
          handoverSelect: (sel, publicKey) => (er.started ? er.nfcHandoverSelect(sel, publicKey) : undefined),
          useHandoverKey: (k) => {
            nfcHandoverKey = Buffer.from(k);
          },
        },
        networkCredential,
        useCredentials: (creds, bssid) => (radio !== undefined ? radio.useCredentials(creds, bssid) : creds.forEach(onConfigured)),
      },
      { log },
    );
    registerErCommands(ctrl.registry, er, { networkCredential });
    ctrl.ready();
  }
  log.info('Successfully initialized wpsd sta');
  // As wpa_supplicant: scan for the enabled networks and connect, now and after each disconnection.
  radio?.start();
  let stopped = false;
  return {
    config,
    er,
    ctrl,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await er.stop();
      await radio?.stop();
      await ctrl?.close();
      await closeDriver?.();
    },
  };
}

/** The CLI action: runs until SIGTERM/SIGINT; exit code 1 with the reason when it cannot start. */
export async function runSta(o: StaOptions): Promise<void> {
  const log = new Logger({ level: levelFromDebugCount(o.debug), timestamps: o.timestamps, showKeys: o.showKeys });
  let daemon: StaDaemon;
  try {
    daemon = await startSta(o, log);
  } catch (e) {
    process.stderr.write(`wpsd sta: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  // Up: what start-up alone needed is given back (src/common/startup-memory.ts).
  settleStartupMemorySoon();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string): void => {
      log.info(`${sig} received - terminating`);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      void daemon.stop().finally(resolve);
    };
    const onTerm = (): void => onSignal('SIGTERM');
    const onInt = (): void => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
}
