// Daemons of the hwsim group on air hosts (air.ts): Debian hostapd and
// wpa_supplicant with driver=nl80211 on the host's radio, and wpsd's station
// (`wpsd sta -D nl80211`). Each is a DaemonInstance of the namespace harness
// (control socket, cli(), ctrl(), stop()). Starting Node takes seconds under
// TCG, so start-up waits are generous; nothing here measures time.
import { writeFileSync } from 'node:fs';
import { REFERENCE_AP, hostapdConf } from './hostapd.js';
import { DaemonInstance, confText, daemonFiles, waitForCtrl, withDefaults, wpsDeviceLines, type WpsDeviceConfOptions } from './reference-daemon.js';
import { HostapdInstance } from './hostapd.js';
import { WPSD_CLI } from './wpsd.js';
import { HOST_IFNAME, type NetnsHost } from './netns.js';
import { erConf } from './wpa-supplicant.js';
import type { AirHost } from './air.js';

/** Start-up of a Node daemon under TCG (the CLI alone takes ~6 s on a busy machine). */
export const NODE_START_MS = 180_000;
/** Start-up of a C daemon. */
export const C_START_MS = 30_000;
/** A WPS run from the command to CTRL-EVENT-CONNECTED over the simulated air. */
export const ENROLL_MS = 150_000;

export const AIR_CHANNEL = 1;

/** Waits for the daemon's control socket (and `ready`) within `ms`; one that does not come up is stopped. */
async function started<T extends DaemonInstance>(inst: T, ms: number, ready?: () => Promise<unknown>): Promise<T> {
  try {
    await waitForCtrl(inst.socketPath, inst.proc, ms);
    await ready?.();
  } catch (err) {
    await inst.stop();
    throw err;
  }
  return inst;
}

export interface AirHostapdOptions {
  host: AirHost;
  /** Serve the UPnP WFADevice on the veth to the wired host. */
  upnp?: boolean;
  ssid?: string;
  passphrase?: string;
  apPin?: string;
  extra?: Record<string, string>;
}

/** hostapd.conf for nl80211 on the host's radio: the reference AP's WPS device, WPA2-PSK/CCMP, 802.11g channel 1. */
export function airHostapdConf(o: AirHostapdOptions & { ctrlDir: string }): string {
  const ifname = o.host.ifname;
  const base = hostapdConf({
    ifname,
    ctrlDir: o.ctrlDir,
    ...(o.ssid !== undefined ? { ssid: o.ssid } : {}),
    ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
    ...(o.apPin !== undefined ? { apPin: o.apPin } : {}),
    extra: { hw_mode: 'g', channel: String(AIR_CHANNEL), ...o.extra },
  });
  return base
    .split('\n')
    .filter((l) => o.upnp === true || !/^(upnp_iface|friendly_name|manufacturer_url|model_description|model_url|upc)=/.test(l))
    .map((l) => (l === 'driver=wired' ? 'driver=nl80211' : l === `upnp_iface=${ifname}` ? `upnp_iface=${HOST_IFNAME}` : l))
    .join('\n');
}

export async function startAirHostapd(o: AirHostapdOptions): Promise<HostapdInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-hostapd-', 'hostapd.conf');
  writeFileSync(confPath, airHostapdConf({ ...o, ctrlDir }));
  const proc = o.host.spawn('hostapd', ['-d', '-t', confPath], { label: `hostapd@${o.host.name}`, cwd: dir });
  return started(new HostapdInstance(o.host, proc, dir, confPath, ctrlDir, REFERENCE_AP.uuid, ownsDir), C_START_MS, async () => {
    await proc.waitForOutput(/AP-ENABLED/, C_START_MS);
    if (o.upnp === true) await proc.waitForOutput(/WPS UPnP: ADVERTISE_UP/, C_START_MS);
  });
}

export interface AirStationOptions extends WpsDeviceConfOptions {
  host: AirHost;
  /** Network blocks (text) appended after the global keys. */
  networks?: string;
}

export const STATION_DEVICE = {
  uuid: '12345678-9abc-def0-1234-56789abcde01',
  deviceName: 'hwsim sta',
  manufacturer: 'wpsd',
  modelName: 'hwsim',
  modelNumber: '1',
  serialNumber: '1',
  deviceType: '1-0050F204-1',
  osVersion: '01020300',
  configMethods: 'display push_button keypad virtual_display virtual_push_button',
} as const;

/** wpa_supplicant.conf of a station (the same text for Debian wpa_supplicant and wpsd sta). */
export function stationConf(o: AirStationOptions & { ctrlDir: string }): string {
  const v = withDefaults(STATION_DEVICE, o);
  return confText([['ctrl_interface', o.ctrlDir], ['update_config', '1'], ...wpsDeviceLines(v, { configMethods: true })], o.extra) + (o.networks ?? '');
}

/** Debian wpa_supplicant as a station (`-Dnl80211`) on the host's radio. */
export async function startAirWpaSupplicant(o: AirStationOptions): Promise<DaemonInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-wpas-', 'wpa_supplicant.conf');
  writeFileSync(confPath, stationConf({ ...o, ctrlDir }));
  const proc = o.host.spawn('wpa_supplicant', ['-Dnl80211', '-i', o.host.ifname, '-c', confPath, '-t', '-d'], { label: `wpa_supplicant@${o.host.name}`, cwd: dir });
  return started(new DaemonInstance(o.host, proc, dir, confPath, ctrlDir, ownsDir), C_START_MS);
}

/** `wpsd sta -D nl80211 -i <radio> -c wpa_supplicant.conf ARGS` on the host. */
export async function startAirWpsdSta(o: AirStationOptions & { args?: readonly string[] }): Promise<DaemonInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-sta-', 'wpa_supplicant.conf');
  writeFileSync(confPath, stationConf({ ...o, ctrlDir }));
  const proc = o.host.spawnNode(WPSD_CLI, ['sta', '-D', 'nl80211', '-i', o.host.ifname, '-c', confPath, ...(o.args ?? ['-d'])], { label: `wpsd-sta@${o.host.name}`, cwd: dir });
  return started(new DaemonInstance(o.host, proc, dir, confPath, ctrlDir, ownsDir), NODE_START_MS);
}

/** `wpsd sta -D none` (External Registrar) on the wired host, with the reference ER's configuration. */
export async function startAirWpsdEr(host: NetnsHost, args: readonly string[] = ['-d']): Promise<DaemonInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-hw-er-', 'er.conf');
  writeFileSync(confPath, erConf({ ctrlDir }));
  const proc = host.spawnNode(WPSD_CLI, ['sta', '-c', confPath, '-i', host.ifname, '-D', 'none', ...args], { label: `wpsd-er@${host.name}`, cwd: dir });
  return started(new DaemonInstance(host, proc, dir, confPath, ctrlDir, ownsDir), NODE_START_MS);
}
