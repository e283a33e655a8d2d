/**
 * A BSS's run-time control, as hostapd/ctrl_iface.c answers it:
 *   SET <key> <value>   one hostapd.conf line into the configuration in
 *                       memory (hostapd_set_iface); it takes effect on
 *                       RELOAD or ENABLE (ap_pin at once, as hostapd's AP PIN
 *                       is its configuration's). FAIL for a bad value, a key wpsd
 *                       does not implement, or one that cannot change while
 *                       the daemon runs.
 *   DISABLE             the BSS stops (AP-DISABLED), its control socket stays
 *   ENABLE              it starts again from the configuration (AP-ENABLED)
 *   RELOAD              the running BSS takes the configuration as it is now
 * A second DISABLE or ENABLE answers FAIL, as hostapd's.
 *
 * API:
 *   SET_REFUSED_KEYS
 *   registerBssControlCommands(bss, log): void
 */
import { CtrlEvent } from '../ctrl/event-names.js';
import type { Logger } from '../common/log.js';
import { REPLY_FAIL, REPLY_OK } from '../ctrl/registry.js';
import type { ApBss } from './ap-bss.js';
import { DiagnosticSink } from '../conf/diagnostic.js';
import { applyHostapdKey } from './config-keys.js';

/**
 * Keys SET refuses: they shape the process (interfaces, sockets, the radio
 * and its medium) or name files read only at load (extra_cred, ap_settings).
 */
export const SET_REFUSED_KEYS: ReadonlySet<string> = new Set([
  'interface', 'bss', 'bridge', 'wds_bridge', 'driver', 'sim_medium', 'ctrl_interface', 'ctrl_interface_group', 'extra_cred', 'ap_settings',
]);

/** The BSS's control surface these commands need (ApBss has it). */
type ControlledBss = Pick<ApBss, 'iface' | 'conf' | 'config' | 'ctrl' | 'wps' | 'enable' | 'disable' | 'reload'>;

export function registerBssControlCommands(bss: ControlledBss, log: Logger): void {
  const reg = bss.ctrl?.registry;
  if (reg === undefined) return;
  reg.register({
    name: 'SET',
    minArgs: 2,
    help: '<key> <value> = set a hostapd.conf key in memory (applies on reload / enable)',
    handler: (_args, ctx) => {
      const raw = ctx.request.rawArgs;
      const space = raw.indexOf(' ');
      const key = raw.slice(0, space);
      const value = raw.slice(space + 1);
      if (SET_REFUSED_KEYS.has(key)) {
        log.info(`${bss.iface}: SET ${key}: cannot change while wpsd runs; edit the file and restart`);
        return REPLY_FAIL;
      }
      const sink = new DiagnosticSink(`${bss.iface} SET`);
      if (!applyHostapdKey({ conf: bss.config, bss: bss.conf, sink, line: 0 }, key, value)) {
        log.info(`${bss.iface}: SET ${key}: not a key wpsd implements`);
        return REPLY_FAIL;
      }
      // Not echoed: the value may be a passphrase.
      for (const e of sink.errors) log.info(`${bss.iface}: SET ${key}: ${e.message.replace(/'.*'/, "'...'")}`);
      if (sink.errors.length > 0) return REPLY_FAIL;
      // hostapd's AP PIN is its configuration's: a new one holds at once.
      if (key === 'ap_pin' && bss.conf.apPin !== undefined) bss.wps?.guard.apPin.set(bss.conf.apPin, 0);
      return REPLY_OK;
    },
  });
  reg.register({
    name: 'DISABLE',
    maxArgs: 0,
    help: `= stop the BSS (${CtrlEvent.ApDisabled}); the control socket stays`,
    handler: async () => ((await bss.disable()) ? REPLY_OK : REPLY_FAIL),
  });
  /** ENABLE / RELOAD: OK when done, FAIL when there was nothing to do or the BSS could not start (logged). */
  const restart = (what: string, run: () => Promise<boolean>) => async (): Promise<string> => {
    try {
      return (await run()) ? REPLY_OK : REPLY_FAIL;
    } catch (e) {
      log.error(`${bss.iface}: ${what} failed: ${(e as Error).message}`);
      return REPLY_FAIL;
    }
  };
  reg.register({
    name: 'ENABLE',
    maxArgs: 0,
    help: `= start the BSS again from the configuration (${CtrlEvent.ApEnabled})`,
    handler: restart('Enabling of interface', () => bss.enable()),
  });
  reg.register({
    name: 'RELOAD',
    maxArgs: 0,
    help: '= restart the BSS with the configuration as it is now',
    handler: restart('Reload', () => bss.reload()),
  });
}
