/** Registers `wpsd medium --socket PATH [--loss P] [--delay MS] [--seed N] [--airtime MBPS]`. */
import { type Command, InvalidArgumentError } from 'commander';
import { OFDM_RATES_MBPS } from './sim/airtime.js';

function probability(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('a probability between 0 and 1 is expected');
  return n;
}

function milliseconds(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 60_000) throw new InvalidArgumentError('milliseconds between 0 and 60000 are expected');
  return n;
}

function seed(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 0xffffffff) throw new InvalidArgumentError('an unsigned 32-bit integer is expected');
  return n;
}

function ofdmRate(v: string): number {
  const n = Number(v);
  if (!OFDM_RATES_MBPS.includes(n)) throw new InvalidArgumentError(`an OFDM rate in Mb/s is expected (${OFDM_RATES_MBPS.join(', ')})`);
  return n;
}

export function register(program: Command): void {
  program
    .command('medium')
    .description('simulated radio medium shared by `wpsd ap` and `wpsd sta` processes with driver=sim (like mac80211_hwsim + wmediumd)')
    .requiredOption('--socket <path>', 'UNIX socket radios attach to (sim_medium=PATH)')
    .option('--loss <p>', 'probability that a delivery is lost', probability, 0)
    .option('--delay <ms>', 'delay of every delivery in milliseconds', milliseconds, 0)
    .option('--seed <n>', 'seed of the loss decisions, for reproducible fault tests', seed)
    .option('--airtime <mbps>', 'model airtime: each frame holds its channel as long as 802.11 OFDM at this rate would (frame, DIFS, backoff, SIFS + ACK) and waits for the frames before it', ofdmRate)
    .option('-d, --debug', 'more debug output (-dd for more)', (_v: string, prev: number) => prev + 1, 0)
    .option('-t, --timestamps', 'timestamp debug lines', false)
    .action(async (opts: { socket: string; loss: number; delay: number; seed?: number; airtime?: number; debug: number; timestamps: boolean }) => {
      const { runMedium } = await import('./sim/medium-main.js');
      await runMedium(opts);
    });
}
