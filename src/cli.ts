#!/usr/bin/env node
/**
 * The `wpsd` command: one binary, several roles (see DESIGN.md "Roles").
 * Each role registers its subcommand from a small `*-command.ts` module that
 * loads the role's implementation only when that subcommand runs, so
 * `wpsd cli` and `wpsd decode` start fast.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { register as registerCli } from './ctrl/cli-command.js';
import { register as registerDecode } from './decode/decode-command.js';
import { register as registerNfcPwToken } from './decode/nfc-pw-token-command.js';
import { register as registerMedium } from './radio/medium-command.js';
import { register as registerAp } from './ap/ap-command.js';
import { register as registerSta } from './sta/sta-command.js';
import { register as registerLab } from './lab/lab-command.js';
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

export function buildProgram(): Command {
  const program = new Command('wpsd')
    .description('Wi-Fi Protected Setup: AP, station, External Registrar and the WFAWLANConfig UPnP service')
    .version(packageVersion())
    .showHelpAfterError()
    .enablePositionalOptions();
  // Role registrations are added here, one line each.
  registerDecode(program);
  registerNfcPwToken(program);
  registerCli(program);
  registerMedium(program);
  registerAp(program);
  registerSta(program);
  registerLab(program);
  return program;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1]);
if (isMain) {
  applyV8Flags();
  await buildProgram().parseAsync(process.argv);
}
