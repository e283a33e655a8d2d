// End-to-end pieces shared by test/e2e-*.test.ts: every daemon a separate
// `node dist/src/cli.js` process as a user runs it. `wpsd medium` is one
// process whose UNIX socket (a filesystem path, so it reaches across network
// namespaces) joins the AP's radio and the stations' radios; `wpsd ap`
// (driver=sim) has its radio on that medium and its UPnP device on the veth
// of the "ap" namespace, where an External Registrar in the "er" namespace
// finds it. Stations are `wpsd sta -D sim` processes on veth interfaces in
// the "sta" namespace (the interface gives the station its MAC address), or
// in-process src/sta/wireless enroll() runs on SimStationDrivers for fleets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { withTopology, type TopologyFixture } from '../harness/fixture.js';
import { hostapdConf, REFERENCE_AP } from '../harness/hostapd.js';
import type { ManagedProcess, NetnsHost } from '../harness/netns.js';
import { daemonFiles, DaemonInstance, whenStarted } from '../harness/reference-daemon.js';
import { WPSD_CLI, WpsdApInstance } from '../harness/wpsd.js';
import { wrapWscNdef } from '../src/wps/nfc/ndef.js';
import { buildPasswordToken, generatePasswordToken, readNfcTagHex } from '../src/wps/nfc/nfc-token.js';

/** The AP's radio: BSSID and channel (channel 1 is the first a station scans). */
export const AP_BSSID = '02:00:00:00:e0:00';
export const AP_CHANNEL = 1;
/** How long one enrollment through the proxy may take (scan rounds, UPnP round trips, several node processes on 2 cores). */
export const ENROLL_MS = 40_000;
/** How long an ER event may take (discovery, learn). */
export const ER_MS = 20_000;

/** `wpsd medium --socket <dir>/medium.sock ARGS` on `host`, once it listens. */
export async function startMedium(host: NetnsHost, dir: string, args: readonly string[] = []): Promise<{ proc: ManagedProcess; socket: string }> {
  const socket = join(dir, 'medium.sock');
  const proc = host.spawnNode(WPSD_CLI, ['medium', '--socket', socket, ...args], { label: `wpsd-medium@${host.ns}` });
  try {
    await proc.waitForOutput(/listening on/, 15_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { proc, socket };
}

/**
 * `wpsd ap -c hostapd.conf` on `host` with the reference AP's settings
 * (SSID test-wps, passphrase 12345678, AP PIN 12345670, UUID, device
 * fields), driver=sim on `medium` and the UPnP device on the host's veth.
 */
export async function startRadioAp(o: { host: NetnsHost; medium: string; args?: readonly string[]; extra?: Record<string, string> }): Promise<WpsdApInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-e2e-ap-', 'hostapd.conf');
  const conf = hostapdConf({
    ifname: o.host.ifname,
    ctrlDir,
    extra: { sim_medium: o.medium, bssid: AP_BSSID, channel: String(AP_CHANNEL), ...(o.extra ?? {}) },
  }).replace('driver=wired', 'driver=sim');
  writeFileSync(confPath, conf);
  const proc = o.host.spawnNode(WPSD_CLI, ['ap', '-c', confPath, ...(o.args ?? [])], { label: `wpsd-ap@${o.host.ns}` });
  return whenStarted(new WpsdApInstance(o.host, proc, dir, confPath, ctrlDir, ownsDir));
}

/** A `wpsd sta -D sim` process; its control socket is named after its own interface. */
export class RadioStaInstance extends DaemonInstance {
  constructor(
    host: NetnsHost,
    proc: ManagedProcess,
    dir: string,
    confPath: string,
    ctrlDir: string,
    readonly mac: string,
    readonly uuid: string,
  ) {
    super(host, proc, dir, confPath, ctrlDir, true);
  }
}

/** A UUID for station `n` (fixed, so event lines can be checked whole). */
export function staUuid(n: number): string {
  return `e2e00000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A MAC address for station `n` (locally administered). */
export function staMac(n: number): string {
  return `02:00:00:00:e1:${n.toString(16).padStart(2, '0')}`;
}

/**
 * `wpsd sta -c wpa_supplicant.conf -i sta<n> -D sim` in `host`'s namespace:
 * a veth `sta<n>` with staMac(n) and a link-local address is made
 * there first (the namespace goes with the topology).
 */
export async function startRadioSta(o: { host: NetnsHost; n: number; medium: string; args?: readonly string[] }): Promise<RadioStaInstance> {
  const ifname = `sta${o.n}`;
  const mac = staMac(o.n);
  // A veth pair with both ends in the namespace (this kernel has no dummy links); the peer only makes the link come up.
  await o.host.exec('ip', ['link', 'add', ifname, 'address', mac, 'type', 'veth', 'peer', 'name', `${ifname}p`]);
  await o.host.exec('ip', ['addr', 'add', `169.254.20.${o.n + 1}/16`, 'dev', ifname]);
  await o.host.exec('ip', ['link', 'set', `${ifname}p`, 'up']);
  await o.host.exec('ip', ['link', 'set', ifname, 'up']);
  const { dir, ctrlDir, confPath } = daemonFiles(undefined, 'wpsd-e2e-sta-', 'wpa_supplicant.conf');
  const uuid = staUuid(o.n);
  writeFileSync(
    confPath,
    [`ctrl_interface=${ctrlDir}`, 'update_config=1', `sim_medium=${o.medium}`, `uuid=${uuid}`, `device_name=e2e sta ${o.n}`, 'manufacturer=wpsd', 'model_name=e2e', 'model_number=1', 'serial_number=1', 'device_type=1-0050F204-1', ''].join('\n'),
  );
  const host: NetnsHost = { ...o.host, ifname };
  const proc = host.spawnNode(WPSD_CLI, ['sta', '-c', confPath, '-i', ifname, '-D', 'sim', ...(o.args ?? [])], { label: `wpsd-sta${o.n}@${host.ns}` });
  return whenStarted(new RadioStaInstance(host, proc, dir, confPath, ctrlDir, mac, uuid));
}

/** What a station shows once it has the AP's credential and uses it. */
export async function waitStaEnrolled(ctrl: CtrlSession, timeoutMs = ENROLL_MS): Promise<{ cred: string; connected: string }> {
  const cred = (await ctrl.waitFor(/^WPS-CRED-RECEIVED/, timeoutMs)).text;
  const connected = (await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, timeoutMs)).text;
  return { cred, connected };
}

/** The reference AP as the ER learns it (WPS_ER_LEARN with the AP PIN). */
export const AP_UUID = REFERENCE_AP.uuid;
export const AP_PIN = REFERENCE_AP.apPin;
export const AP_SSID = REFERENCE_AP.ssid;
export const AP_PASSPHRASE = REFERENCE_AP.passphrase;

/** What withRadioAp gives a describe (from its beforeAll on). */
export interface RadioApFixture {
  readonly env: TopologyFixture;
  /** The medium's socket. */
  readonly medium: string;
  readonly ap: WpsdApInstance;
  readonly apCtrl: CtrlSession;
}

/**
 * Call at the top of a describe: hosts "ap" and "sta", a `wpsd medium` and
 * `wpsd ap` (driver=sim, the reference AP) on it with an attached ctrl
 * session, made in beforeAll and ended in afterAll.
 */
export function withRadioAp(o: { apArgs?: readonly string[] } = {}): RadioApFixture {
  const env = withTopology({ hosts: ['ap', 'sta'] });
  let state: { medium: string; ap: WpsdApInstance; apCtrl: CtrlSession } | undefined;
  beforeAll(async () => {
    const m = await startMedium(env.host('ap'), env.tempDir('wpsd-e2e-medium-'));
    env.track(m.proc);
    const ap = env.track(await startRadioAp({ host: env.host('ap'), medium: m.socket, ...(o.apArgs !== undefined ? { args: o.apArgs } : {}) }));
    state = { medium: m.socket, ap, apCtrl: env.track(await ap.ctrl()) };
  }, 60_000);
  const made = (): NonNullable<typeof state> => {
    if (state === undefined) throw new Error('withRadioAp: the AP is made in beforeAll');
    return state;
  };
  return {
    env,
    get medium() {
      return made().medium;
    },
    get ap() {
      return made().ap;
    },
    get apCtrl() {
      return made().apCtrl;
    },
  };
}

/**
 * A station's NFC password token (NDEF hex) forged: its password and ID,
 * committed to another public key, as a device replaying a stolen password
 * would hand it out. A Registrar that reads it must refuse the station's M1.
 */
export function forgedPasswordToken(tokenHex: string): string {
  const read = readNfcTagHex(tokenHex);
  if (!('tag' in read) || read.tag.kind !== 'password') throw new Error(`not a password token: ${tokenHex}`);
  const { passwordId, password } = read.tag.oob;
  return wrapWscNdef(buildPasswordToken({ passwordId, password, publicKey: generatePasswordToken().publicKey })).toString('hex').toUpperCase();
}
