/**
 * The daemons the benchmarks compare, started the same way for both sides:
 * one config file (hostapd.conf / wpa_supplicant.conf written by the interop
 * harness), one ctrl socket named after the interface in `ctrl_interface`.
 * Reference: Debian hostapd (driver=wired) and wpa_supplicant (-Dnone).
 * wpsd: `wpsd ap -c hostapd.conf` (driver=none) and `wpsd sta -D none`.
 * Daemons run without debug output, as people run them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostapdConf, REFERENCE_AP, waitForCtrl } from '../harness/hostapd.js';
import type { ManagedProcess, NetnsHost } from '../harness/netns.js';
import { erConf } from '../harness/wpa-supplicant.js';

export type ApImpl = 'hostapd' | 'wpsd';
export type ErImpl = 'wpa_supplicant' | 'wpsd';

/** What a wpsd cell says while the subcommand is not there to measure. */
export const NOT_AVAILABLE = 'not available yet';
/** How long `wpsd <role> --help` may take before the role counts as missing. */
const HELP_TIMEOUT_MS = 15_000;

/** Display names of the reference implementations, with the installed version. */
export function referenceName(impl: 'hostapd' | 'wpa_supplicant'): string {
  const r = spawnSync(impl, ['-v'], { encoding: 'utf8' });
  const m = /v(\d+\.\d+\S*)/.exec(`${r.stdout}${r.stderr}`);
  return m?.[1] ? `${impl} ${m[1]}` : impl;
}

/** The repository root (where package.json of wpsd sits), from bench/ or dist/bench/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wpsd') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  throw new Error('bench: cannot find the wpsd repository root');
}

/** The built `wpsd` binary. */
export function wpsdCli(): string {
  return join(repoRoot(), 'dist', 'src', 'cli.js');
}

const availability = new Map<string, boolean>();

/**
 * True when `node dist/src/cli.js <role> --help` exits 0 with the role's own
 * usage, i.e. the role is registered in the build. (commander answers an
 * unknown `<role> --help` with the program's help and exit 0, hence the
 * usage check.)
 */
export function wpsdRoleAvailable(role: 'ap' | 'sta'): boolean {
  const cached = availability.get(role);
  if (cached !== undefined) return cached;
  const cli = wpsdCli();
  const r = existsSync(cli) ? spawnSync(process.execPath, [cli, role, '--help'], { encoding: 'utf8', timeout: HELP_TIMEOUT_MS }) : undefined;
  const ok = r?.status === 0 && new RegExp(`^Usage: wpsd ${role}\\b`, 'm').test(r.stdout);
  availability.set(role, ok);
  return ok;
}

/** UUID of the i-th benchmark AP (the reference AP's UUID for i = 0). */
export function apUuid(i: number): string {
  if (i === 0) return REFERENCE_AP.uuid;
  return `12345678-9abc-def0-1234-${i.toString(16).padStart(12, '0')}`;
}

/** Temp dirs of running daemons, removed at exit too (an interrupted run leaves none behind). */
const liveDirs = new Set<string>();
let exitHook = false;
const DIR_PREFIX = 'wpsd-bench-';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes daemon dirs left by bench runs that died of a signal (their pid is gone). */
function sweepStaleDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name);
    if (m?.[1] && !pidAlive(Number(m[1]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function daemonDir(kind: string): string {
  if (!exitHook) {
    exitHook = true;
    sweepStaleDirs();
    process.on('exit', () => {
      for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-${kind}-`));
  liveDirs.add(dir);
  return dir;
}

export class Daemon {
  constructor(
    readonly impl: string,
    readonly host: NetnsHost,
    readonly proc: ManagedProcess,
    readonly dir: string,
    readonly confPath: string,
    readonly ctrlDir: string,
  ) {}

  get socketPath(): string {
    return join(this.ctrlDir, this.host.ifname);
  }

  /** The daemon's own pid: `ip netns exec` execs it in place. */
  get pid(): number {
    const pid = this.proc.pid;
    if (pid === undefined) throw new Error(`${this.impl}: no pid`);
    return pid;
  }

  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
    liveDirs.delete(this.dir);
  }
}

/** Daemons may start many at a time (fleets on 2 cores): generous, but bounded. */
const START_TIMEOUT_MS = 30_000;

async function started(d: Daemon): Promise<Daemon> {
  try {
    await waitForCtrl(d.socketPath, d.proc, START_TIMEOUT_MS);
  } catch (err) {
    await d.stop();
    throw err;
  }
  return d;
}

export interface StartApOptions {
  uuid?: string;
  ssid?: string;
  /** wpsd only: a radio on this sim medium socket (driver=sim) besides UPnP on the veth, as in bench 4. */
  simMedium?: { socket: string; bssid: string; channel: number };
  /** wpsd only: this build's cli.js instead of the repository's (bench/rss-probe.ts compares two builds). */
  cli?: string;
}

/** Starts an AP with UPnP on the host's veth; resolves once its ctrl socket answers PING. */
export async function startAp(impl: ApImpl, host: NetnsHost, o: StartApOptions = {}): Promise<Daemon> {
  const dir = daemonDir(impl);
  const ctrlDir = join(dir, 'ctrl');
  mkdirSync(ctrlDir, { recursive: true });
  const confPath = join(dir, 'hostapd.conf');
  const sim = impl === 'wpsd' ? o.simMedium : undefined;
  const extra = sim ? { sim_medium: sim.socket, bssid: sim.bssid, channel: String(sim.channel) } : undefined;
  let conf = hostapdConf({ ifname: host.ifname, ctrlDir, uuid: o.uuid, ssid: o.ssid, ...(extra ? { extra } : {}) });
  // wpsd serves UPnP on upnp_iface without a wired EAPOL port: driver=none (driver=sim with a radio on the medium).
  if (impl === 'wpsd') conf = conf.replace(/^driver=wired$/m, sim ? 'driver=sim' : 'driver=none');
  writeFileSync(confPath, conf);
  const proc =
    impl === 'hostapd'
      ? host.spawn('hostapd', [confPath], { label: `hostapd@${host.ns}`, cwd: dir })
      : host.spawnNode(o.cli ?? wpsdCli(), ['ap', '-c', confPath], { label: `wpsd-ap@${host.ns}`, cwd: dir });
  return started(new Daemon(impl === 'hostapd' ? 'hostapd' : 'wpsd ap', host, proc, dir, confPath, ctrlDir));
}

/** One process serving several APs, each on an interface of its own in one namespace. */
export interface MultiApDaemon {
  daemon: Daemon;
  /** The control socket of each AP, in the order of the interfaces given. */
  sockets: string[];
}

/**
 * Starts ONE process for several APs in one namespace, each on an interface
 * of its own (`hostapd a.conf b.conf ...` / `wpsd ap a.conf b.conf ...`,
 * each configuration as startAp writes it); resolves once every control
 * socket answers PING. The first interface must be the host's own veth.
 */
export async function startApMulti(impl: ApImpl, host: NetnsHost, aps: ReadonlyArray<{ ifname: string; uuid: string }>): Promise<MultiApDaemon> {
  const dir = daemonDir(`${impl}-multi`);
  const ctrlDir = join(dir, 'ctrl');
  mkdirSync(ctrlDir, { recursive: true });
  const confs = aps.map((ap, i) => {
    const path = join(dir, `hostapd-${i}.conf`);
    let conf = hostapdConf({ ifname: ap.ifname, ctrlDir, uuid: ap.uuid });
    if (impl === 'wpsd') conf = conf.replace(/^driver=wired$/m, 'driver=none');
    writeFileSync(path, conf);
    return path;
  });
  const proc =
    impl === 'hostapd'
      ? host.spawn('hostapd', confs, { label: `hostapd@${host.ns}`, cwd: dir })
      : host.spawnNode(wpsdCli(), ['ap', ...confs], { label: `wpsd-ap@${host.ns}`, cwd: dir });
  const d = await started(new Daemon(impl === 'hostapd' ? 'hostapd' : 'wpsd ap', host, proc, dir, confs[0] ?? '', ctrlDir));
  const sockets = aps.map((ap) => join(ctrlDir, ap.ifname));
  try {
    for (const s of sockets) await waitForCtrl(s, proc, START_TIMEOUT_MS);
  } catch (err) {
    await d.stop();
    throw err;
  }
  return { daemon: d, sockets };
}

/** Starts an External Registrar (station without a radio) on the host's veth. */
export async function startEr(impl: ErImpl, host: NetnsHost, o: { cli?: string } = {}): Promise<Daemon> {
  const dir = daemonDir(`er-${impl}`);
  const ctrlDir = join(dir, 'ctrl');
  mkdirSync(ctrlDir, { recursive: true });
  const confPath = join(dir, 'wpa_supplicant.conf');
  // wpa_supplicant takes global string values literally (quotes included: device_name="x" names the
  // device `"x"`), so both ERs get them unquoted, as wpa_supplicant.conf documents them.
  writeFileSync(confPath, erConf({ ctrlDir }).replace(/^([a-z_]+)="(.*)"$/gm, '$1=$2'));
  const args = ['-D', 'none', '-i', host.ifname, '-c', confPath];
  const proc =
    impl === 'wpa_supplicant'
      ? host.spawn('wpa_supplicant', ['-Dnone', '-i', host.ifname, '-c', confPath], { label: `wpa_supplicant@${host.ns}`, cwd: dir })
      : host.spawnNode(o.cli ?? wpsdCli(), ['sta', ...args], { label: `wpsd-sta@${host.ns}`, cwd: dir });
  return started(new Daemon(impl === 'wpa_supplicant' ? 'wpa_supplicant' : 'wpsd sta', host, proc, dir, confPath, ctrlDir));
}

export interface Rss {
  /** Resident set size now, KiB. */
  rssKiB: number;
  /** Peak resident set size so far, KiB. */
  hwmKiB: number;
}

/** VmRSS and VmHWM of a process from /proc/<pid>/status. */
export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(m[1]);
  };
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}
