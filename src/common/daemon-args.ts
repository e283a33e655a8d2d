/**
 * The daemons' argument lines (`wpsd ap ...`, `wpsd sta ...`) read with
 * node:util's parseArgs, so that a daemon that starts does not load
 * commander and the other roles' registrations (~1.7 MiB of its resident
 * memory, bench/README.md "Resident memory"). Only a line this reading is
 * sure of starts the daemon here; anything else (help, an unknown or
 * malformed option, a missing value, a value option given twice, since
 * commander checks every occurrence's value and keeps the last) gives
 * undefined, and cli.ts hands the line to commander, whose definitions in
 * the role's *-command.ts stay the reference for its help and its errors. src/ap/ap-args.test.ts and
 * src/sta/sta-args.test.ts hold the two readings equal on generated lines.
 */
import { parseArgs } from 'node:util';

/** One option as commander defines it in the role's *-command.ts. */
export interface DaemonOptionSpec {
  /** The long name without dashes (`lenient-config`); commander's value key is its camelCase. */
  long: string;
  short?: string;
  /** A value (`<file>`), a flag (false unless given), or a flag counted per occurrence (`-dd`: 2). */
  kind: 'value' | 'flag' | 'count';
}

export type DaemonArgValue = string | boolean | number | undefined;

export interface DaemonArgs {
  /** By commander's key (camelCase); counts start at 0, flags at false, values absent unless given. */
  values: Record<string, DaemonArgValue>;
  positionals: string[];
}

function camelCase(long: string): string {
  return long.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The line read as commander would, or undefined when commander must read it. */
export function parseDaemonArgs(args: readonly string[], specs: readonly DaemonOptionSpec[]): DaemonArgs | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const s of specs) options[s.long] = { type: s.kind === 'value' ? 'string' : 'boolean', ...(s.short !== undefined ? { short: s.short } : {}) };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; tokens: true; allowPositionals: true; strict: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...args], options, tokens: true, allowPositionals: true, strict: true });
  } catch {
    return undefined;
  }
  const values: Record<string, DaemonArgValue> = {};
  for (const s of specs) {
    const key = camelCase(s.long);
    if (s.kind === 'count') values[key] = parsed.tokens.filter((t) => t.kind === 'option' && t.name === s.long).length;
    else if (s.kind === 'flag') values[key] = parsed.values[s.long] === true;
    else {
      if (parsed.tokens.filter((t) => t.kind === 'option' && t.name === s.long).length > 1) return undefined;
      values[key] = parsed.values[s.long] as string | undefined;
    }
  }
  return { values, positionals: parsed.positionals };
}
