/** Registers `wpsd lab [--enrollees N] [--port P] [--enroll-all] [--method pin|pbc]`; the lab loads only when it runs. */
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LAB_ENROLLEES, LAB_TARGET_RATE, MAX_LAB_ENROLLEES, MAX_LAB_TARGET_RATE } from './lab-config.js';

function count(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_LAB_ENROLLEES) throw new InvalidArgumentError(`a number of stations from 1 to ${MAX_LAB_ENROLLEES} is expected`);
  return n;
}

function rate(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_LAB_TARGET_RATE) throw new InvalidArgumentError(`enrollments a second from 1 to ${MAX_LAB_TARGET_RATE} are expected`);
  return n;
}

function port(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new InvalidArgumentError('a TCP port from 0 to 65535 is expected (0: any free port)');
  return n;
}

function method(v: string): 'pin' | 'pbc' {
  if (v !== 'pin' && v !== 'pbc') throw new InvalidArgumentError('pin or pbc');
  return v;
}

export function register(program: Command): void {
  program
    .command('lab')
    .description('the whole system on this machine, on loopback only: sim medium, AP with its UPnP device, External Registrar, simulated stations and the ER web console')
    .option('--enrollees <n>', `simulated Enrollee stations (1..${MAX_LAB_ENROLLEES})`, count, DEFAULT_LAB_ENROLLEES)
    .option('--port <port>', 'web console port on 127.0.0.1 (0: any free port)', port, 0)
    .option('--enroll-all', 'no console: enroll every station through the AP proxy, print a summary, exit 0 only when all enrolled', false)
    .option('--method <method>', 'with --enroll-all only: pin (each station its own PIN) or pbc (one push button at a time)', method, 'pin' as const)
    .option('--rate <n>', `with --enroll-all only: enrollments a second to plan for; the lab puts an AP on as many channels as that needs (default ${LAB_TARGET_RATE})`, rate)
    .option('--ssdp-port <port>', 'SSDP port on lo (default 1900)', port)
    .option('-d, --debug', 'daemon debug output on stderr (-dd for more)', (_v: string, prev: number) => prev + 1, 0)
    .action(async (opts: { enrollees: number; port: number; enrollAll: boolean; method: 'pin' | 'pbc'; rate?: number; ssdpPort?: number; debug: number }, cmd: Command) => {
      // The console chooses its method per run, in its "Enroll all" form; a --method it would not use is an error.
      if (!opts.enrollAll && cmd.getOptionValueSource('method') === 'cli') {
        cmd.error('wpsd lab: --method takes effect with --enroll-all only (in the console, choose PIN or push button in "Enroll all waiting")', { exitCode: 2 });
      }
      if (!opts.enrollAll && opts.rate !== undefined) cmd.error('wpsd lab: --rate takes effect with --enroll-all only', { exitCode: 2 });
      const { runLab } = await import('./run-lab.js');
      process.exitCode = await runLab(opts);
    });
}
