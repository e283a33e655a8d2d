/** Registers `wpsd ap [-c] hostapd.conf [more.conf ...] [-d|-dd] [-t] [-K]`; the daemon loads only when it runs. */
import { type Command, InvalidArgumentError } from 'commander';
import { isUpnpCallbackPolicy, runApRole, type ApRoleOptions, type UpnpCallbackPolicy } from './ap-args.js';

function callbackPolicy(v: string): UpnpCallbackPolicy {
  if (!isUpnpCallbackPolicy(v)) throw new InvalidArgumentError('same-host or same-subnet');
  return v;
}

/** `run` starts the daemon (a test gives its own, to see what commander read). */
export function register(program: Command, run: (opts: ApRoleOptions) => Promise<void> = runApRole): void {
  program
    .command('ap')
    .description('access point daemon (like hostapd): WPS AP PIN, UPnP WFADevice for External Registrars, control socket')
    .argument('[configs...]', 'more hostapd.conf files: each its own interface, UPnP device and control socket, in this one process (as hostapd a.conf b.conf)')
    .option('-c, --config <file>', 'hostapd.conf')
    .option('-d, --debug', 'more debug output (-dd for more)', (_v: string, prev: number) => prev + 1, 0)
    .option('-t, --timestamps', 'timestamp debug lines', false)
    .option('-K, --show-keys', 'include key material in debug output', false)
    .option('--lenient-config', 'start despite unknown configuration keys (warned about; hostapd refuses them)', false)
    .option(
      '--upnp-callback <policy>',
      'GENA callback hosts allowed: same-host (the subscriber itself, default) or same-subnet (its upnp_iface subnet)',
      callbackPolicy,
      'same-host' as const,
    )
    .action(async (files: string[], opts: Omit<ApRoleOptions, 'configs'>, cmd: Command) => {
      const configs = [...(opts.config !== undefined ? [opts.config] : []), ...files];
      if (configs.length === 0) cmd.error('error: a configuration file is needed (-c hostapd.conf, or hostapd.conf ...)');
      await run({ ...opts, configs });
    });
}
