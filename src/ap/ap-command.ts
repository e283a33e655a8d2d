/** Registers `wpsd ap -c hostapd.conf [-d|-dd] [-t] [-K]`; the daemon loads only when it runs. */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('ap')
    .description('access point daemon (like hostapd): WPS AP PIN, UPnP WFADevice for External Registrars, control socket')
    .requiredOption('-c, --config <file>', 'hostapd.conf')
    .option('-d, --debug', 'more debug output (-dd for more)', (_v: string, prev: number) => prev + 1, 0)
    .option('-t, --timestamps', 'timestamp debug lines', false)
    .option('-K, --show-keys', 'include key material in debug output', false)
    .action(async (opts: { config: string; debug: number; timestamps: boolean; showKeys: boolean }) => {
      const { runAp } = await import('./main.js');
      process.exitCode = await runAp(opts);
    });
}
