/** Registers `wpsd sta -c FILE -i IF -D none|sim|nl80211 [-d|-dd] [-t] [-K]` (like wpa_supplicant). */
import type { Command } from 'commander';
import { runStaRole, type StaRoleOptions } from './sta-args.js';

/** `run` starts the daemon (a test gives its own, to see what commander read). */
export function register(program: Command, run: (opts: StaRoleOptions) => Promise<void> = runStaRole): void {
  program
    .command('sta')
    .description('station: wpa_supplicant.conf, network commands, the WPS External Registrar (wps_er_*) and, with a radio, scan and WPS (wps_pin, wps_pbc, wps_reg) on a control socket')
    .requiredOption('-c, --config <file>', 'wpa_supplicant.conf')
    .requiredOption('-i, --iface <ifname>', 'interface (its IPv4 address is where the External Registrar works)')
    .option('-D, --driver <name>', 'none (no radio), sim or nl80211', 'none')
    .option('-d, --debug', 'more debug output (-dd for more)', (_v: string, prev: number) => prev + 1, 0)
    .option('-t, --timestamps', 'timestamp debug lines', false)
    .option('-K, --show-keys', 'include keys in debug output', false)
    .option('--lenient-config', 'start despite unknown configuration keys (warned about; wpa_supplicant refuses them)', false)
    .action(async (opts: StaRoleOptions) => {
      await run(opts);
    });
}
