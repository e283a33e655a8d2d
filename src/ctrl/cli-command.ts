/**
 * Registers `wpsd cli -p DIR -i IF [command [args]]`; the client loads only
 * when the subcommand runs.
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('cli')
    .description('control-interface client for wpsd, hostapd and wpa_supplicant (like hostapd_cli / wpa_cli)')
    .option('-p, --ctrl-dir <dir>', 'control socket directory (default: /var/run/wpsd, /var/run/hostapd or /var/run/wpa_supplicant)')
    .option('-i, --ifname <ifname>', 'interface, i.e. the socket name (default: the first socket in the directory)')
    .option('-a, --action <program>', 'attach and run PROGRAM IFNAME EVENT-TEXT... for each event')
    .option('-s, --client-dir <dir>', 'directory for the client socket', '/tmp')
    .option('-G, --ping-interval <seconds>', 'seconds between PINGs in -a and interactive mode', '5')
    .argument('[command...]', 'command and its arguments; interactive mode when none is given')
    .passThroughOptions()
    .action(async (words: string[], opts: { ctrlDir?: string; ifname?: string; action?: string; clientDir?: string; pingInterval?: string }) => {
      const { runCli } = await import('./cli.js');
      const interval = Number(opts.pingInterval);
      process.exitCode = await runCli(
        {
          ctrlDir: opts.ctrlDir,
          ifname: opts.ifname,
          action: opts.action,
          clientDir: opts.clientDir,
          pingInterval: Number.isFinite(interval) && interval > 0 ? interval : 5,
        },
        words,
      );
    });
}
