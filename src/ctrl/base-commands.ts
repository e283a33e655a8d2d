/**
 * Commands every wpsd control socket answers before a daemon adds its own:
 * PING, ATTACH, DETACH, LEVEL (hostapd/ctrl_iface.c), WPS_CHECK_PIN (the PIN
 * rules of src/wps, the same in every role) and HELP (a wpsd addition that
 * lists the registry, which `wpsd cli` uses for completion).
 */
import { checkPinReply } from '../wps/pin.js';
import { REPLY_FAIL, REPLY_OK, REPLY_PONG, type CommandRegistry } from './registry.js';
import type { MonitorList } from './monitors.js';

export interface BaseCommandHooks {
  /** Called when a monitor attaches or detaches, for logging. */
  onMonitor?: (what: 'attached' | 'detached' | 'evicted', address: string) => void;
}

export function registerBaseCommands(registry: CommandRegistry, monitors: MonitorList, hooks: BaseCommandHooks = {}): void {
  registry.register({
    name: 'PING',
    maxArgs: 0,
    help: '= check that the daemon answers (PONG)',
    handler: () => REPLY_PONG,
  });
  registry.register({
    name: 'ATTACH',
    help: '[probe_rx_events=<0|1>] = receive events on this socket',
    handler: (args, ctx) => {
      if (ctx.from === '') return REPLY_FAIL;
      const result = monitors.attach(ctx.from, args, (m) => hooks.onMonitor?.('evicted', m.address));
      if (result === 'attached') hooks.onMonitor?.('attached', ctx.from);
      return result === 'attached' || result === 'updated' ? REPLY_OK : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'DETACH',
    maxArgs: 0,
    help: '= stop receiving events on this socket',
    handler: (_args, ctx) => {
      if (!monitors.detach(ctx.from)) return REPLY_FAIL;
      hooks.onMonitor?.('detached', ctx.from);
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'LEVEL',
    minArgs: 1,
    maxArgs: 1,
    help: '<level> = lowest event level sent to this monitor (0..5)',
    handler: (args, ctx) => {
      const level = args[0] ?? '';
      if (!/^-?[0-9]{1,6}$/.test(level)) return REPLY_FAIL;
      return monitors.setLevel(ctx.from, Number(level)) ? REPLY_OK : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'WPS_CHECK_PIN',
    minArgs: 1,
    help: '<PIN> = verify the PIN checksum',
    // hostapd takes the whole argument text: "1234 5670" and "1234-5670" both work.
    handler: (_args, ctx) => checkPinReply(ctx.request.rawArgs),
  });
  registry.register({
    name: 'HELP',
    maxArgs: 1,
    help: '[command] = list the commands this socket answers',
    handler: (args) => {
      const only = args[0]?.toUpperCase();
      const lines = registry
        .list()
        .filter((c) => only === undefined || c.name === only)
        .map((c) => `${c.name.toLowerCase()} ${c.help}\n`);
      return lines.length === 0 ? REPLY_FAIL : lines.join('');
    },
  });
}
