#!/usr/bin/env node
/**
 * The `wpsd` command: one binary, several roles (see DESIGN.md "Roles").
 * Each role registers its subcommand from a small `*-command.ts` module that
 * loads the role's implementation only when that subcommand runs, so
 * `wpsd cli` and `wpsd decode` start fast. A daemon line that needs no
 * help and has no error (`wpsd ap -c hostapd.conf`, `wpsd sta -c ... -i
 * ...`) starts the daemon without loading commander or the other roles'
 * registrations (src/common/daemon-args.ts says why).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { applyV8Flags } from './common/v8-memory.js';

function packageVersion(): string {
  // dist/src/cli.js and src/cli.ts both sit two levels below package.json... or one.
  const here = dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, rel), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'wpsd' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

export async function buildProgram(): Promise<Command> {
  const [{ Command }, decode, nfcPwToken, cli, medium, ap, sta, lab] = await Promise.all([
    import('commander'),
    import('./decode/decode-command.js'),
    import('./decode/nfc-pw-token-command.js'),
    import('./ctrl/cli-command.js'),
    import('./radio/medium-command.js'),
    import('./ap/ap-command.js'),
    import('./sta/sta-command.js'),
    import('./lab/lab-command.js'),
  ]);
  const program = new Command('wpsd')
    .description('Wi-Fi Protected Setup: AP, station, External Registrar and the WFAWLANConfig UPnP service')
    .version(packageVersion())
    .showHelpAfterError()
    .enablePositionalOptions();
  // Role registrations are added here, one line each.
  decode.register(program);
  nfcPwToken.register(program);
  cli.register(program);
  medium.register(program);
  ap.register(program);
  sta.register(program);
  lab.register(program);
  return program;
}

/** Starts a daemon role whose line its args module reads alone (without commander); false when commander must read it. */
async function runDaemonLine(args: readonly string[]): Promise<boolean> {
  const [role, ...rest] = args;
  if (role === 'ap') return (await import('./ap/ap-args.js')).runApLine(rest);
  if (role === 'sta') return (await import('./sta/sta-args.js')).runStaLine(rest);
  return false;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (isMain) {
  applyV8Flags();
  if (!(await runDaemonLine(process.argv.slice(2)))) await (await buildProgram()).parseAsync(process.argv);
}
