/**
 * `wpsd sta`'s options (defined for commander and its help in
 * sta-command.ts) read without commander, and the role's start: cli.ts
 * starts the daemon from here when the line is plain, commander's action
 * otherwise.
 */
import { parseDaemonArgs, type DaemonOptionSpec } from '../common/daemon-args.js';
import { applyV8Flags, V8_DAEMON_FLAGS } from '../common/v8-memory.js';
import type { StaOptions } from './main.js';

export type StaRoleOptions = StaOptions;

export const STA_OPTION_SPECS: readonly DaemonOptionSpec[] = [
  { long: 'config', short: 'c', kind: 'value' },
  { long: 'iface', short: 'i', kind: 'value' },
  { long: 'driver', short: 'D', kind: 'value' },
  { long: 'debug', short: 'd', kind: 'count' },
  { long: 'timestamps', short: 't', kind: 'flag' },
  { long: 'show-keys', short: 'K', kind: 'flag' },
  { long: 'lenient-config', kind: 'flag' },
];

/** The options of `wpsd sta ARGS...`, or undefined for commander to read (help, errors, a missing -c or -i, operands). */
export function parseStaArgs(args: readonly string[]): StaRoleOptions | undefined {
  const p = parseDaemonArgs(args, STA_OPTION_SPECS);
  if (p === undefined || p.positionals.length > 0) return undefined;
  const v = p.values as { config?: string; iface?: string; driver?: string; debug: number; timestamps: boolean; showKeys: boolean; lenientConfig: boolean };
  if (v.config === undefined || v.iface === undefined) return undefined;
  return { config: v.config, iface: v.iface, driver: v.driver ?? 'none', debug: v.debug, timestamps: v.timestamps, showKeys: v.showKeys, lenientConfig: v.lenientConfig };
}

/** Runs the station daemon for `wpsd sta ARGS...` when parseStaArgs reads the line; false (nothing run) when commander must. */
export async function runStaLine(args: readonly string[]): Promise<boolean> {
  const opts = parseStaArgs(args);
  if (opts === undefined) return false;
  await runStaRole(opts);
  return true;
}

/** Runs the station daemon until it stops. */
export async function runStaRole(opts: StaRoleOptions): Promise<void> {
  applyV8Flags(V8_DAEMON_FLAGS);
  const { runSta } = await import('./main.js');
  await runSta(opts);
}
