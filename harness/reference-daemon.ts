// What the two reference daemons (Debian hostapd and wpa_supplicant) share in
// the harness: the WPS device keys of their config files, how those files are
// written, and what a running instance offers (namespace host, process, temp
// dir, config file, control socket). hostapd.ts and wpa-supplicant.ts add
// their own keys and start-up.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CtrlSession, runCli } from './ctrl-session.js';
import { HarnessError, type ManagedProcess, type NetnsHost } from './netns.js';

/** How long a daemon gets to answer PING on its control socket. */
export const START_TIMEOUT_MS = 10_000;

/** WPS device keys that hostapd.conf and wpa_supplicant.conf both take (same names). */
export interface WpsDeviceConfOptions {
  uuid?: string;
  deviceName?: string;
  manufacturer?: string;
  modelName?: string;
  modelNumber?: string;
  serialNumber?: string;
  deviceType?: string;
  osVersion?: string;
  configMethods?: string;
  /** Extra `key=value` lines appended last (they win over earlier keys). */
  extra?: Record<string, string>;
}

type Widen<T> = T extends string ? string : T;

/** `defaults` (the reference values) with every option the caller actually set laid over it. */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): { -readonly [K in keyof D]: Widen<D[K]> } & Omit<O, keyof D> {
  const set = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...defaults, ...set } as { -readonly [K in keyof D]: Widen<D[K]> } & Omit<O, keyof D>;
}

/** Every WPS device value set. */
export type WpsDeviceConfValues = Required<Omit<WpsDeviceConfOptions, 'extra'>>;

/**
 * The WPS device keys as hostapd.conf and wpa_supplicant.conf both list
 * them; `quoted` says which string values get double quotes (wpa_supplicant
 * accepts both forms for the names and config_methods).
 */
export function wpsDeviceLines(v: WpsDeviceConfValues, quoted: { names?: boolean; configMethods?: boolean } = {}): Array<[string, string]> {
  const name = (s: string): string => (quoted.names === true ? `"${s}"` : s);
  return [
    ['uuid', v.uuid],
    ['device_name', name(v.deviceName)],
    ['manufacturer', name(v.manufacturer)],
    ['model_name', name(v.modelName)],
    ['model_number', name(v.modelNumber)],
    ['serial_number', name(v.serialNumber)],
    ['device_type', v.deviceType],
    ['os_version', v.osVersion],
    ['config_methods', quoted.configMethods === true ? `"${v.configMethods}"` : v.configMethods],
  ];
}

/** A config file from `key=value` lines, followed by the caller's extra lines. */
export function confText(lines: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}): string {
  return [...lines, ...Object.entries(extra)].map(([k, v]) => `${k}=${v}\n`).join('');
}

/** Polls PING on `socketPath` until PONG, the process exits, or the timeout. */
export async function waitForCtrl(socketPath: string, proc: ManagedProcess, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!proc.running) throw new HarnessError('EXITED', `${proc.label} exited (${String(proc.exitCode)}): ${proc.output().slice(-3000)}`);
    try {
      const s = await CtrlSession.open(socketPath, { attach: false, timeoutMs: 500 });
      s.close();
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new HarnessError('TIMEOUT', `${proc.label}: ctrl socket ${socketPath} did not answer PING: ${String(last)}`);
}

/** Where a daemon's config file and ctrl directory go. */
export interface DaemonFiles {
  dir: string;
  /** The harness made `dir` (a fresh temp dir) and removes it on stop. */
  ownsDir: boolean;
  ctrlDir: string;
  confPath: string;
}

/** `given` (kept on stop) or a fresh temp dir `<tmp>/<prefix>XXXXXX`, with `confName` and `ctrl` inside. */
export function daemonFiles(given: string | undefined, prefix: string, confName: string): DaemonFiles {
  const dir = given ?? mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(dir, { recursive: true });
  return { dir, ownsDir: given === undefined, ctrlDir: join(dir, 'ctrl'), confPath: join(dir, confName) };
}

/** Waits until the daemon answers on its control socket and `ready` holds; one that does not is stopped (temp dir removed). */
export async function whenStarted<T extends DaemonInstance>(inst: T, ready?: (inst: T) => Promise<unknown>): Promise<T> {
  try {
    await waitForCtrl(inst.socketPath, inst.proc);
    await ready?.(inst);
  } catch (err) {
    await inst.stop();
    throw err;
  }
  return inst;
}

export class DaemonInstance {
  constructor(
    readonly host: NetnsHost,
    readonly proc: ManagedProcess,
    readonly dir: string,
    readonly confPath: string,
    readonly ctrlDir: string,
    private readonly ownsDir: boolean,
  ) {}

  get ifname(): string {
    return this.host.ifname;
  }

  get socketPath(): string {
    return join(this.ctrlDir, this.host.ifname);
  }

  /** The daemon's stdout/stderr (its debug log). */
  log(): string {
    return this.proc.output();
  }

  /** The config file as the daemon left it (both rewrite it: WPS-NEW-AP-SETTINGS, update_config=1). */
  currentConf(): string {
    return readFileSync(this.confPath, 'utf8');
  }

  /** The Debian client for this daemon's control socket (hostapd_cli for an AP, wpa_cli otherwise). */
  get cliTool(): 'hostapd_cli' | 'wpa_cli' {
    return 'wpa_cli';
  }

  /** Runs `cliTool -p ctrlDir -i ifname ARGS` in the daemon's namespace and returns its stdout. */
  cli(...args: string[]): Promise<string> {
    return runCli(this.cliTool, this.host, this.ctrlDir, this.ifname, args);
  }

  /** Opens a control session (attached for events unless told otherwise). */
  ctrl(attach = true): Promise<CtrlSession> {
    return CtrlSession.open(this.socketPath, { attach });
  }

  /** SIGTERM, wait for exit (SIGKILL after a grace period), remove the temp dir if the harness made it. */
  async stop(): Promise<void> {
    await this.proc.stop('SIGTERM');
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  kill(): void {
    this.proc.kill();
  }
}
