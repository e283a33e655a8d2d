/**
 * `wpsd ap`'s options (defined for commander and its help in ap-command.ts)
 * read without commander, and the role's start: cli.ts starts the daemon
 * from here when the line is plain, commander's action otherwise.
 */
import { parseDaemonArgs, type DaemonOptionSpec } from '../common/daemon-args.js';
import { applyV8Flags, V8_DAEMON_FLAGS } from '../common/v8-memory.js';

export const UPNP_CALLBACK_POLICIES = ['same-host', 'same-subnet'] as const;
export type UpnpCallbackPolicy = (typeof UPNP_CALLBACK_POLICIES)[number];

export interface ApRoleOptions {
  config?: string;
  debug: number;
  timestamps: boolean;
  showKeys: boolean;
  lenientConfig: boolean;
  upnpCallback: UpnpCallbackPolicy;
  /** -c's file first, then the operands. */
  configs: string[];
}

export const AP_OPTION_SPECS: readonly DaemonOptionSpec[] = [
  { long: 'config', short: 'c', kind: 'value' },
  { long: 'debug', short: 'd', kind: 'count' },
  { long: 'timestamps', short: 't', kind: 'flag' },
  { long: 'show-keys', short: 'K', kind: 'flag' },
  { long: 'lenient-config', kind: 'flag' },
  { long: 'upnp-callback', kind: 'value' },
];

export function isUpnpCallbackPolicy(v: string): v is UpnpCallbackPolicy {
  return (UPNP_CALLBACK_POLICIES as readonly string[]).includes(v);
}

/** The options of `wpsd ap ARGS...`, or undefined for commander to read (help, errors, no configuration file). */
export function parseApArgs(args: readonly string[]): ApRoleOptions | undefined {
  const p = parseDaemonArgs(args, AP_OPTION_SPECS);
  if (p === undefined) return undefined;
  const v = p.values as { config?: string; debug: number; timestamps: boolean; showKeys: boolean; lenientConfig: boolean; upnpCallback?: string };
  const upnpCallback = v.upnpCallback ?? 'same-host';
  if (!isUpnpCallbackPolicy(upnpCallback)) return undefined;
  const configs = [...(v.config !== undefined ? [v.config] : []), ...p.positionals];
  if (configs.length === 0) return undefined;
  return { ...(v.config !== undefined ? { config: v.config } : {}), debug: v.debug, timestamps: v.timestamps, showKeys: v.showKeys, lenientConfig: v.lenientConfig, upnpCallback, configs };
}

/** Runs the AP daemon for `wpsd ap ARGS...` when parseApArgs reads the line; false (nothing run) when commander must. */
export async function runApLine(args: readonly string[]): Promise<boolean> {
  const opts = parseApArgs(args);
  if (opts === undefined) return false;
  await runApRole(opts);
  return true;
}

/** Runs the AP daemon until it stops; its exit code becomes the process's. */
export async function runApRole(opts: ApRoleOptions): Promise<void> {
  applyV8Flags(V8_DAEMON_FLAGS);
  const { runAp } = await import('./main.js');
  process.exitCode = await runAp(opts);
}
