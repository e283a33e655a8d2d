/**
 * An in-process lab for the station's radio commands: a sim medium on a
 * UNIX socket in a temp dir, a WPS AP (WpsAp with the internal Registrar
 * and the AP as Enrollee for wps_reg, WpaStations for the 4-way handshake
 * with PASSPHRASE), and stations made of a
 * SimStationDriver, a RadioStation, a NetworkTable, a wpa_supplicant.conf in
 * the temp dir and a command registry answering as the control socket does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Medium } from '../src/radio/sim/medium.js';
import { SimApDriver } from '../src/radio/sim/ap-driver.js';
import { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { rsnElement, wpa2PersonalRsn } from '../src/radio/rsn-ie.js';
import { macToBytes, type MacAddress } from '../src/radio/mac.js';
import { WpsAp, type WpsApEvent } from '../src/ap/wps/wps-ap.js';
import { FakeLink } from './fake-er-link.js';
import { type DeviceInfo } from '../src/wps/device.js';
import { WpsState } from '../src/wps/values.js';
import { CommandRegistry } from '../src/ctrl/registry.js';
import { parseRequest } from '../src/ctrl/request.js';
import { parseWpaSupplicantConfig, type WpaSupplicantConfig } from '../src/sta/config.js';
import { NetworkTable } from '../src/sta/network-table.js';
import { registerNetworkCommands, saveConfig, type NetworkCommandContext } from '../src/sta/network-commands.js';
import { RadioStation, type RadioStationOptions } from '../src/sta/radio-station.js';
import { registerRadioCommands } from '../src/sta/radio-commands.js';
import { silentLogger } from '../src/common/log.js';
import { WpaStations } from '../src/ap/wpa-stations.js';
import { pmkFromPassphrase } from '../src/radio/wpa/crypto.js';
import { AP_METHODS, simDevice, STA_METHODS, wpa2Credential } from './sim-wps-fixtures.js';

export const AP: MacAddress = '02:00:00:00:0a:00';
export const CHANNEL = 6;
export const SSID = 'wpsd-radio';
export const PASSPHRASE = 'correct horse battery';
export const AP_PIN = '87654325';
/** Every wait in these tests ends by this bound. */
export const WAIT_MS = 12_000;

/** Polls `get` until it gives a value (or `ms` passes, then throws naming `what`). */
export async function until<T>(get: () => T | undefined | false, what: string, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A sim device with the AP's device type (the station side's own default is a computer). */
export function device(mac: MacAddress, name: string, configMethods: number): DeviceInfo {
  return simDevice(mac, name, configMethods, '6-0050F204-1');
}

export interface Station {
  driver: SimStationDriver;
  radio: RadioStation;
  table: NetworkTable;
  config: WpaSupplicantConfig;
  registry: CommandRegistry;
  /** Every event line, in order. */
  events: string[];
  cmd(text: string): Promise<string>;
  /** The first event line at or after `from` that starts with `prefix`; rejects after WAIT_MS. */
  waitEvent(prefix: string, from?: number): Promise<string>;
}

export interface Lab {
  dir: string;
  medium: Medium;
  apDriver: SimApDriver;
  bss: WpsAp;
  /** The AP's link to External Registrars, played by the test. */
  link: FakeLink;
  apEvents: WpsApEvent[];
  wpa: WpaStations;
  /** The AP's WPA control events (AP-STA-CONNECTED, EAPOL-4WAY-HS-COMPLETED, ...). */
  apLines: string[];
  stations: Station[];
}

/** `rsnCapabilities`: the RSN Capabilities the AP advertises (MFPC / MFPR). */
export async function startLab(o: { rsnCapabilities?: number } = {}): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), `wpsd-sta-radio-${process.pid}-`));
  const medium = new Medium({ seed: 5, loss: 0 });
  await medium.listen(join(dir, 'm.sock'));
  const apDriver = await SimApDriver.open({ mediumPath: join(dir, 'm.sock'), address: AP, channel: CHANNEL });
  const apEvents: WpsApEvent[] = [];
  const link = new FakeLink(false);
  const apDevice = device(AP, 'wpsd AP', AP_METHODS);
  const bss = new WpsAp({
    driver: apDriver,
    ssid: Buffer.from(SSID),
    channel: CHANNEL,
    rsn: true,
    baseElements: [rsnElement({ ...wpa2PersonalRsn(), capabilities: o.rsnCapabilities ?? 0 })],
    ie: { wpsState: WpsState.Configured, apSetupLocked: false, device: apDevice },
    registrarDevice: apDevice,
    credentials: (e) => [wpa2Credential(SSID, PASSPHRASE, e.macAddress)],
    apEnrollee: { device: apDevice, settings: () => wpa2Credential(SSID, PASSPHRASE, Buffer.from(macToBytes(AP))) },
    apPin: { pin: AP_PIN },
    link,
    retransmitMs: 400,
    maxRetransmissions: 2,
    onEvent: (e) => apEvents.push(e),
  });
  await bss.start();
  const apLines: string[] = [];
  const pmk = pmkFromPassphrase(PASSPHRASE, Buffer.from(SSID));
  const mlme = bss.mlme;
  if (mlme === undefined) throw new Error('the WPS AP has no MLME without a driver');
  const wpa = new WpaStations({ driver: apDriver, mlme, rsn: () => true, pmks: () => [{ pmk }], emit: (l) => apLines.push(l) });
  await wpa.start();
  return { dir, medium, apDriver, bss, link, apEvents, wpa, apLines, stations: [] };
}

export async function addStation(lab: Pick<Lab, 'dir' | 'stations'>, mac: MacAddress, confText = 'update_config=1\n', extra: Partial<RadioStationOptions> = {}): Promise<Station> {
  const path = join(lab.dir, `sta-${mac.replace(/:/g, '')}.conf`);
  writeFileSync(path, confText);
  const config = parseWpaSupplicantConfig(confText, path).config;
  const table = new NetworkTable(config.networks);
  const events: string[] = [];
  const emit = (_level: number, text: string): void => {
    events.push(text);
  };
  const netCtx: NetworkCommandContext = { config, table, logger: silentLogger, emit };
  const driver = await SimStationDriver.open({ mediumPath: join(lab.dir, 'm.sock'), address: mac, channel: 1, mlmeTimeoutMs: 150, mlmeTries: 4 });
  const radio = new RadioStation({
    driver,
    device: device(mac, `sta ${mac.slice(-2)}`, STA_METHODS),
    config,
    table,
    emit,
    saveConfig: () => saveConfig(netCtx),
    channels: [1, CHANNEL],
    scanDwellMs: 60,
    walkTimeMs: 15_000,
    retryDelayMs: 100,
    eapolStartIntervalMs: 300,
    ...extra,
  });
  netCtx.onSelect = (id) => radio.selectNetwork(id);
  netCtx.onRemove = (ids) => radio.networksRemoved(ids);
  const registry = new CommandRegistry();
  registerNetworkCommands(registry, netCtx);
  registerRadioCommands(registry, radio);
  const waitEvent = (prefix: string, from = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const hit = events.slice(from).find((e) => e.startsWith(prefix));
        if (hit !== undefined) return resolve(hit);
        if (Date.now() - started > WAIT_MS) return reject(new Error(`no "${prefix}" event; got: ${events.slice(from).join(' | ')}`));
        setTimeout(poll, 20);
      };
      poll();
    });
  const station: Station = {
    driver,
    radio,
    table,
    config,
    registry,
    events,
    cmd: (text) => registry.dispatch(parseRequest(Buffer.from(text)), ''),
    waitEvent,
  };
  lab.stations.push(station);
  return station;
}

export async function stopLab(lab: Lab): Promise<void> {
  for (const s of lab.stations) {
    await s.radio.stop();
    await s.driver.close();
  }
  lab.wpa.stop();
  await lab.bss.close();
  await lab.apDriver.close();
  await lab.medium.close();
  rmSync(lab.dir, { recursive: true, force: true });
}

/** SCAN, wait for its results, and answer SCAN_RESULTS' line for the AP. */
export async function scanLine(s: Station): Promise<string | undefined> {
  const from = s.events.length;
  const reply = await s.cmd('SCAN');
  if (reply !== 'OK\n') throw new Error(`SCAN answered ${reply}`);
  await s.waitEvent('CTRL-EVENT-SCAN-RESULTS', from);
  return (await s.cmd('SCAN_RESULTS')).split('\n').find((l) => l.startsWith(AP));
}
