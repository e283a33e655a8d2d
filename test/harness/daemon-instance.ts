// What a running reference daemon (hostapd or wpa_supplicant) started by the
// harness offers: its namespace host, process, temp dir, config file and
// control socket. hostapd.ts and wpa-supplicant.ts add their own specifics.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CtrlSession } from './ctrl-session.js';
import type { ManagedProcess, NetnsHost } from './netns.js';

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
