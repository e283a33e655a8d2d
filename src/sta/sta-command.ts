/** Registers `wpsd sta -c FILE -i IF -D none|sim|nl80211 [-d|-dd] [-t] [-K]` (like wpa_supplicant). */
import type { Command } from 'commander';
import { applyV8Flags, V8_DAEMON_FLAGS } from '../common/v8-memory.js';

export function register(program: Command): void {
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
    .action(async (opts: { config: string; iface: string; driver: string; debug: number; timestamps: boolean; showKeys: boolean; lenientConfig: boolean }) => {
      applyV8Flags(V8_DAEMON_FLAGS);
      const { runSta } = await import('./main.js');
      await runSta(opts);
    });
}
