/**
 * The preamble of the in-process `wpsd ap` tests on the sim medium: a temp
 * dir, a medium on a UNIX socket in it, a hostapd.conf (driver=sim and the
 * medium's path first, then the test's lines, `$DIR` standing for the temp
 * dir; every BSS's ctrl_interface is $DIR/ctrl), the AP started from it, and
 * one attached control client per BSS collecting its event lines. stopSimApLab() undoes all of it, stations
 * first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger, LogLevel } from '../src/common/log.js';
import { CtrlClient } from '../src/ctrl/client.js';
import { Medium, type MediumOptions } from '../src/radio/sim/medium.js';
import type { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { loadHostapdConfig } from '../src/ap/config.js';
import type { HostapdConfig } from '../src/ap/config-model.js';
import { startAp, type ApDaemon, type StartApOptions } from '../src/ap/main.js';
import type { Station } from './sta-radio-helpers.js';

export const quietLogger = new Logger({ level: LogLevel.ERROR + 1, sink: () => undefined });

export interface SimApLabOptions {
  /** Temp dir name prefix (the pid is added). */
  name: string;
  medium: MediumOptions;
  /** hostapd.conf lines after driver= and sim_medium=; `$DIR` is the temp dir. */
  lines: readonly string[];
  /** Runs first, with the temp dir (files the configuration names). */
  prepare?: (dir: string) => void;
  /** startAp's options but the logger (quiet unless given). */
  start: Omit<StartApOptions, 'logger'> & { logger?: Logger };
}

/** A configured WPA2-PSK (CCMP) BSS with WPS and the internal Registrar: the hostapd.conf lines both radio test files start from. */
export function wpsWpa2BssLines(o: { iface: string; bssid: string; channel: number; ssid: string; passphrase: string }): string[] {
  return [
    `interface=${o.iface}`,
    `bssid=${o.bssid}`,
    `channel=${o.channel}`,
    'ctrl_interface=$DIR/ctrl',
    `ssid=${o.ssid}`,
    'wpa=2',
    'wpa_key_mgmt=WPA-PSK',
    'rsn_pairwise=CCMP',
    `wpa_passphrase=${o.passphrase}`,
    'eap_server=1',
    'wps_state=2',
  ];
}

export interface SimApLab {
  dir: string;
  medium: Medium;
  ap: ApDaemon;
  config: HostapdConfig;
  confPath: string;
  /** Control client and event lines per interface, in the configuration's BSS order. */
  ctrls: Map<string, { client: CtrlClient; events: string[] }>;
  /** Stations made with sta-radio-helpers' addStation (closed by stopSimApLab). */
  stations: Station[];
  /** Bare station radios (closed by stopSimApLab). */
  drivers: SimStationDriver[];
}

export async function startSimApLab(o: SimApLabOptions): Promise<SimApLab> {
  const dir = mkdtempSync(join(tmpdir(), `${o.name}-${process.pid}-`));
  let medium: Medium | undefined;
  try {
    o.prepare?.(dir);
    medium = new Medium(o.medium);
    await medium.listen(join(dir, 'm.sock'));
    const confPath = join(dir, 'hostapd.conf');
    const lines = ['driver=sim', `sim_medium=${join(dir, 'm.sock')}`, ...o.lines.map((l) => l.replaceAll('$DIR', dir))];
    writeFileSync(confPath, lines.join('\n') + '\n');
    const { config } = await loadHostapdConfig(confPath);
    const ap = await startAp(config, { logger: quietLogger, ...o.start });
    const ctrls = new Map<string, { client: CtrlClient; events: string[] }>();
    for (const b of config.bss) {
      const events: string[] = [];
      const client = CtrlClient.open(join(dir, 'ctrl', b.iface));
      client.onEvent((e) => events.push(e.text));
      ctrls.set(b.iface, { client, events });
      await client.attach();
    }
    return { dir, medium, ap, config, confPath, ctrls, stations: [], drivers: [] };
  } catch (e) {
    await medium?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function stopSimApLab(l: SimApLab): Promise<void> {
  try {
    for (const s of l.stations) {
      await s.radio.stop();
      await s.driver.close();
    }
    for (const d of l.drivers) await d.close().catch(() => undefined);
    for (const c of l.ctrls.values()) c.client.close();
    await l.ap.stop();
    await l.medium.close();
  } finally {
    rmSync(l.dir, { recursive: true, force: true });
  }
}

/** The first BSS's control client and events (single-BSS labs). */
export function firstCtrl(l: SimApLab): { client: CtrlClient; events: string[] } {
  const c = l.ctrls.values().next().value;
  if (c === undefined) throw new Error('the lab has no BSS');
  return c;
}
