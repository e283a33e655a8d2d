// wpsd's own daemons as the interop tests start them inside a namespace host:
// `wpsd ap` (driver=none, UPnP on the veth) with the reference AP's
// configuration, and `wpsd sta -D none` (the External Registrar) with the
// reference ER's. Both are DaemonInstances like the Debian ones in hostapd.ts
// and wpa-supplicant.ts, so a test can put one in place of the other.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostapdConf, type HostapdConfigOptions } from './hostapd.js';
import { ManagedProcess, type NetnsHost } from './netns.js';
import { DaemonInstance, daemonFiles, whenStarted } from './reference-daemon.js';
import { erConf, type ErConfigOptions } from './wpa-supplicant.js';

/**
 * The built `wpsd` binary (`npx tsc -p tsconfig.build.json`; `npm test` builds
 * it first), or WPSD_CLI from the environment: the hwsim VM runs the same
 * build bundled (scripts/hwsim-bundle.mjs), which Node starts faster there.
 */
export const WPSD_CLI = process.env.WPSD_CLI ?? join(import.meta.dirname, '..', 'dist', 'src', 'cli.js');

/**
 * `wpsd ARGS` in the test's own (root) namespace, for tests that open no
 * network socket (control interface, configuration errors); the caller stops it.
 */
export function spawnWpsd(args: readonly string[], label = `wpsd-${args[0] ?? ''}`): ManagedProcess {
  return new ManagedProcess(spawn(process.execPath, [WPSD_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }), label);
}

interface StartWpsdOptions {
  host: NetnsHost;
  /** Extra command-line arguments after the usual ones, e.g. ['-d'] or ['-dd']. Default: none. */
  args?: readonly string[];
  /** Use this directory for conf + ctrl instead of a fresh temp dir (kept on stop). */
  dir?: string;
  /** The daemon's environment instead of ours (e.g. moduleTraceEnv() of harness/module-trace.ts). */
  env?: NodeJS.ProcessEnv;
}

export interface StartWpsdApOptions extends StartWpsdOptions, Omit<HostapdConfigOptions, 'ifname' | 'ctrlDir'> {}

export interface StartWpsdStaOptions extends StartWpsdOptions, Omit<ErConfigOptions, 'ctrlDir'> {}

/** `wpsd ap`; hostapd_cli drives its control socket. */
export class WpsdApInstance extends DaemonInstance {
  override get cliTool(): 'hostapd_cli' {
    return 'hostapd_cli';
  }
}

/** `wpsd sta` (External Registrar); wpa_cli drives its control socket. */
export class WpsdStaInstance extends DaemonInstance {}

/** `wpsd ap -c hostapd.conf ARGS` on `host`: the reference hostapd.conf with driver=none (UPnP on host's veth). */
export async function startWpsdAp(o: StartWpsdApOptions): Promise<WpsdApInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(o.dir, 'wpsd-ap-', 'hostapd.conf');
  const { host, args = [], dir: _dir, env, ...conf } = o;
  writeFileSync(confPath, hostapdConf({ ...conf, ifname: host.ifname, ctrlDir }).replace('driver=wired', 'driver=none'));
  const proc = host.spawnNode(WPSD_CLI, ['ap', '-c', confPath, ...args], { label: `wpsd-ap@${host.ns}`, ...(env ? { env } : {}) });
  return whenStarted(new WpsdApInstance(host, proc, dir, confPath, ctrlDir, ownsDir));
}

/** `wpsd sta -c er.conf -i <veth> -D none ARGS` on `host`: the reference ER's configuration. */
export async function startWpsdSta(o: StartWpsdStaOptions): Promise<WpsdStaInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(o.dir, 'wpsd-sta-', 'er.conf');
  const { host, args = [], dir: _dir, env, ...conf } = o;
  // Written unquoted, the hostapd way, which wpsd sta reads as wpa_supplicant does.
  writeFileSync(confPath, erConf({ ...conf, ctrlDir }).replace('config_methods="keypad"', 'config_methods=keypad'));
  const proc = host.spawnNode(WPSD_CLI, ['sta', '-c', confPath, '-i', host.ifname, '-D', 'none', ...args], { label: `wpsd-sta@${host.ns}`, ...(env ? { env } : {}) });
  return whenStarted(new WpsdStaInstance(host, proc, dir, confPath, ctrlDir, ownsDir));
}
