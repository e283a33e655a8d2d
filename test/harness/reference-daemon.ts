// What the two reference daemons (Debian hostapd and wpa_supplicant) share in
// the harness: the WPS device keys of their config files, how those files are
// written, and what a running instance offers (namespace host, process, temp
// dir, config file, control socket). hostapd.ts and wpa-supplicant.ts add
// their own keys and start-up.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CtrlSession } from './ctrl-session.js';
import type { ManagedProcess, NetnsHost } from './netns.js';

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

/** A config file from `key=value` lines, followed by the caller's extra lines. */
export function confText(lines: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}): string {
  return [...lines, ...Object.entries(extra)].map(([k, v]) => `${k}=${v}\n`).join('');
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
