/**
 * `wpsd cli`: hostapd_cli / wpa_cli for wpsd, hostapd and wpa_supplicant.
 * One-shot with a command, an action runner with -a, interactive otherwise.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CtrlClient, CtrlClientError, type CtrlEvent } from './client.js';
import { KNOWN_COMMANDS, actionArgs, buildRequest, completeLine, keepInHistory, namesFromHelp, tokenizeLine } from './cli-text.js';

export interface CliOptions {
  ctrlDir?: string;
  ifname?: string;
  action?: string;
  clientDir?: string;
  /** Seconds between PINGs in -a and interactive mode (hostapd_cli/wpa_cli: 5). */
  pingInterval?: number;
}

/** Searched in order when -p is not given. */
const DEFAULT_DIRS = ['/var/run/wpsd', '/var/run/hostapd', '/var/run/wpa_supplicant'];
const HISTORY_FILE = '.wpsd_cli_history';
const HISTORY_MAX = 100;

function pickDir(opts: CliOptions): string {
  if (opts.ctrlDir) return opts.ctrlDir;
  return DEFAULT_DIRS.find((d) => existsSync(d)) ?? DEFAULT_DIRS[0] ?? '/var/run/wpsd';
}

/** The first socket in the directory, skipping P2P device sockets, as wpa_cli picks one. */
function pickIfname(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  return names.find((n) => {
    if (n.startsWith('p2p-dev-') || n.startsWith('.')) return false;
    try {
      return lstatSync(join(dir, n)).isSocket();
    } catch {
      return false;
    }
  });
}

export async function runCli(opts: CliOptions, words: string[]): Promise<number> {
  const dir = pickDir(opts);
  const ifname = opts.ifname ?? pickIfname(dir);
  if (ifname === undefined) {
    process.stderr.write(`wpsd cli: no control socket found in ${dir} (use -p DIR -i IFNAME)\n`);
    return 1;
  }
  const path = resolve(dir, ifname);
  let client: CtrlClient;
  try {
    client = CtrlClient.open(path, opts.clientDir);
  } catch (err) {
    process.stderr.write(`wpsd cli: ${(err as Error).message}\n`);
    return 1;
  }
  const pingMs = Math.max(1, opts.pingInterval ?? 5) * 1000;
  try {
    if (opts.action) return await runAction(client, ifname, opts.action, pingMs);
    if (words.length > 0) return await runOnce(client, words);
    return await runInteractive(client, ifname, opts.clientDir, pingMs);
  } finally {
    client.close();
  }
}

function failure(err: unknown): number {
  if (err instanceof CtrlClientError) {
    process.stderr.write(`wpsd cli: ${err.message}\n`);
    return 1;
  }
  throw err;
}

async function runOnce(client: CtrlClient, words: string[]): Promise<number> {
  const request = buildRequest(words);
  if (request.length === 0) {
    process.stderr.write('wpsd cli: empty command\n');
    return 1;
  }
  try {
    const reply = await client.request(request);
    process.stdout.write(reply.endsWith('\n') || reply.length === 0 ? reply : reply + '\n');
    return 0;
  } catch (err) {
    return failure(err);
  }
}

/** -a PROGRAM: run `PROGRAM IFNAME EVENT-WORDS...` for each event, one at a time (wpa_cli waits too). */
async function runAction(client: CtrlClient, ifname: string, program: string, pingMs: number): Promise<number> {
  let chain: Promise<void> = Promise.resolve();
  client.onEvent((ev: CtrlEvent) => {
    chain = chain.then(
      () =>
        new Promise<void>((done) => {
          const child = spawn(program, actionArgs(ev.ifname ?? ifname, ev.text), { stdio: 'inherit' });
          child.on('error', (err) => {
            process.stderr.write(`wpsd cli: cannot run ${program}: ${err.message}\n`);
            done();
          });
          child.on('exit', () => done());
        }),
    );
  });
  try {
    await client.attach();
  } catch (err) {
    return failure(err);
  }
  return await new Promise<number>((finish) => {
    const stop = (code: number) => {
      clearInterval(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void chain.then(() => finish(code));
    };
    const onSignal = () => {
      void client.detach().catch(() => undefined).then(() => stop(0));
    };
    const timer = setInterval(() => {
      client.request('PING').then(
        (reply) => {
          if (!reply.startsWith('PONG')) {
            process.stderr.write('wpsd cli: daemon did not reply to PING - exiting\n');
            stop(1);
          }
        },
        (err: Error) => {
          process.stderr.write(`wpsd cli: daemon did not reply to PING (${err.message}) - exiting\n`);
          stop(1);
        },
      );
    }, pingMs);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Lines of the history file, oldest first. */
function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).slice(-HISTORY_MAX);
  } catch {
    return [];
  }
}

function saveHistory(file: string, lines: readonly string[]): void {
  const kept = lines.filter(keepInHistory).slice(-HISTORY_MAX);
  try {
    writeFileSync(file, kept.map((l) => l + '\n').join(''), { mode: 0o600 });
  } catch {
    // a history file is a convenience
  }
}

async function runInteractive(client: CtrlClient, ifname: string, clientDir: string | undefined, pingMs: number): Promise<number> {
  const out = process.stdout;
  out.write(`wpsd cli - interactive mode on ${ifname} (${client.serverPath})\nType "help" for the commands the daemon lists, "quit" to leave.\n\n`);
  // A second socket for events, like wpa_cli's monitor connection, so replies and events never mix.
  const monitor = CtrlClient.open(client.serverPath, clientDir);
  const names = new Set<string>(KNOWN_COMMANDS);
  try {
    for (const n of namesFromHelp(await client.request('HELP'))) names.add(n);
  } catch (err) {
    monitor.close();
    return failure(err);
  }
  let attached = false;
  try {
    await monitor.attach();
    attached = true;
  } catch {
    out.write('Warning: Failed to attach to the daemon; events will not be shown.\n');
  }
  const historyFile = join(process.env['HOME'] ?? homedir(), HISTORY_FILE);
  const previous = loadHistory(historyFile);
  // Kept here as well: readline records history only on a terminal.
  const typed: string[] = [];
  const rl = createInterface({
    input: process.stdin,
    output: out,
    prompt: '> ',
    // readline wants the newest entry first.
    history: [...previous].reverse(),
    historySize: HISTORY_MAX,
    completer: (line: string) => completeLine(line, [...names]),
  });
  const print = (text: string) => {
    // Above the prompt, keeping what the user has typed so far.
    out.write('\r\x1b[K' + text + '\n');
    rl.prompt(true);
  };
  monitor.onEvent((ev) => print(ev.raw));
  let lost = false;
  const ping = setInterval(() => {
    client.request('PING').then(
      () => {
        if (!lost) return;
        lost = false;
        print('Connection to the daemon re-established');
        void monitor.attach().catch(() => undefined);
      },
      () => {
        if (!lost) print('Connection to the daemon lost - trying to reconnect');
        lost = true;
      },
    );
  }, pingMs);
  let busy: Promise<void> = Promise.resolve();
  return await new Promise<number>((finish) => {
    rl.on('line', (line) => {
      const words = tokenizeLine(line);
      const cmd = words[0]?.toLowerCase();
      if (cmd === undefined) {
        rl.prompt();
        return;
      }
      typed.push(line.trim());
      if (cmd === 'quit' || cmd === 'exit') {
        rl.close();
        return;
      }
      busy = busy.then(async () => {
        try {
          const reply = await client.request(buildRequest(words));
          out.write(reply.endsWith('\n') || reply.length === 0 ? reply : reply + '\n');
        } catch (err) {
          out.write(`${err instanceof Error ? err.message : String(err)}\n`);
        }
        rl.prompt();
      });
    });
    rl.on('close', () => {
      clearInterval(ping);
      // "quit" closes readline but not a piped stdin, which would keep the process alive.
      process.stdin.destroy();
      saveHistory(historyFile, [...previous, ...typed]);
      void busy
        .then(() => (attached ? monitor.detach().catch(() => undefined) : undefined))
        .then(() => {
          monitor.close();
          out.write('\n');
          finish(0);
        });
    });
    rl.prompt();
  });
}
