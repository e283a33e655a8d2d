/**
 * wpa_supplicant's network commands on the station's control socket:
 * LIST_NETWORKS, ADD_NETWORK, SET_NETWORK, GET_NETWORK, REMOVE_NETWORK,
 * ENABLE_NETWORK, DISABLE_NETWORK, SELECT_NETWORK and SAVE_CONFIG (refused
 * with update_config=0; the file is replaced atomically). Replies and the
 * CTRL-EVENT-NETWORK-ADDED/REMOVED events as wpa_supplicant/ctrl_iface.c.
 */
import { MSG_INFO } from '../ctrl/event-names.js';
import { networkAddedLine, networkRemovedLine } from './radio-events.js';
import type { Logger } from '../common/log.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry } from '../ctrl/registry.js';
import { saveWpaSupplicantConfig } from './config-writer.js';
import type { WpaSupplicantConfig } from './config.js';
import type { NetworkTable } from './network-table.js';

export interface NetworkCommandContext {
  config: WpaSupplicantConfig;
  table: NetworkTable;
  logger: Logger;
  /** Events to monitors (level, text). */
  emit: (level: number, text: string) => void;
  /** SELECT_NETWORK <id> succeeded: the radio connects to it. */
  onSelect?: (id: number) => void;
  /** REMOVE_NETWORK took these networks away: the radio leaves the one it uses (wpa_supplicant_remove_network). */
  onRemove?: (ids: readonly number[]) => void;
}

const ID = /^-?\d{1,9}$/;

function idOrAll(text: string | undefined, word: 'all' | 'any'): number | 'all' | 'any' | undefined {
  if (text === word) return word;
  return text !== undefined && ID.test(text) ? Number(text) : undefined;
}

/** SAVE_CONFIG: false when update_config=0 or the write failed (the old file stays). */
export async function saveConfig(ctx: NetworkCommandContext): Promise<boolean> {
  if (ctx.config.updateConfig === 0) {
    ctx.logger.debug('CTRL_IFACE: SAVE_CONFIG - Not allowed to update configuration (update_config=0)');
    return false;
  }
  try {
    await saveWpaSupplicantConfig(ctx.config.path, ctx.config, ctx.table.list());
    ctx.logger.debug('CTRL_IFACE: SAVE_CONFIG - Configuration updated');
    return true;
  } catch (e) {
    ctx.logger.info(`CTRL_IFACE: SAVE_CONFIG - Failed to update configuration: ${(e as Error).message}`);
    return false;
  }
}

export function registerNetworkCommands(registry: CommandRegistry, ctx: NetworkCommandContext): void {
  const { table } = ctx;
  registry.register({
    name: 'LIST_NETWORKS',
    maxArgs: 1,
    help: '[LAST_ID=<id>] = list configured networks',
    handler: (args) => {
      const m = args[0] === undefined ? undefined : /^LAST_ID=(-?\d{1,9})$/.exec(args[0]);
      if (args[0] !== undefined && !m) return REPLY_FAIL;
      return table.listNetworksReply(m?.[1] === undefined ? undefined : Number(m[1]));
    },
  });
  registry.register({
    name: 'ADD_NETWORK',
    maxArgs: 0,
    help: '= add a network (disabled); answers its id',
    handler: () => {
      const id = table.add();
      if (id < 0) return REPLY_FAIL;
      ctx.emit(MSG_INFO, networkAddedLine(id));
      return `${id}\n`;
    },
  });
  registry.register({
    name: 'SET_NETWORK',
    minArgs: 3,
    help: '<id> <variable> <value> = set a network variable',
    handler: (args, c) => {
      // The value is everything after the second space (a quoted SSID may hold spaces).
      const raw = c.request.rawArgs;
      const first = raw.indexOf(' ');
      const second = raw.indexOf(' ', first + 1);
      const idText = args[0] ?? '';
      if (!ID.test(idText) || second < 0) return REPLY_FAIL;
      const name = raw.slice(first + 1, second);
      const value = raw.slice(second + 1);
      return table.set(Number(idText), name, value) === 'OK' ? REPLY_OK : REPLY_FAIL;
    },
  });
  registry.register({
    name: 'GET_NETWORK',
    minArgs: 2,
    maxArgs: 2,
    help: '<id> <variable> = get a network variable',
    handler: (args) => {
      const [idText, name] = args as [string, string];
      if (!ID.test(idText)) return REPLY_FAIL;
      const v = table.get(Number(idText), name);
      return v === null ? REPLY_FAIL : v;
    },
  });
  registry.register({
    name: 'REMOVE_NETWORK',
    minArgs: 1,
    maxArgs: 1,
    help: '<id|all> = remove a network',
    handler: (args) => {
      const id = idOrAll(args[0], 'all');
      if (id === undefined || id === 'any') return REPLY_FAIL;
      const ids = id === 'all' ? table.list().map((n) => n.id) : [id];
      if (table.remove(id) !== 'OK') return REPLY_FAIL;
      for (const x of ids) ctx.emit(MSG_INFO, networkRemovedLine(x));
      ctx.onRemove?.(ids);
      return REPLY_OK;
    },
  });
  for (const [name, help, op] of [
    ['ENABLE_NETWORK', '<id|all> = enable a network', (id: number | 'all') => table.enable(id)],
    ['DISABLE_NETWORK', '<id|all> = disable a network', (id: number | 'all') => table.disable(id)],
  ] as const) {
    registry.register({
      name,
      minArgs: 1,
      maxArgs: 1,
      help,
      handler: (args) => {
        const id = idOrAll(args[0], 'all');
        if (id === undefined || id === 'any') return REPLY_FAIL;
        return op(id) === 'OK' ? REPLY_OK : REPLY_FAIL;
      },
    });
  }
  registry.register({
    name: 'SELECT_NETWORK',
    minArgs: 1,
    maxArgs: 1,
    help: '<id|any> = select a network (disable the others)',
    handler: (args) => {
      const id = idOrAll(args[0], 'any');
      if (id === undefined || id === 'all') return REPLY_FAIL;
      if (table.select(id) !== 'OK') return REPLY_FAIL;
      if (id !== 'any') ctx.onSelect?.(id);
      return REPLY_OK;
    },
  });
  registry.register({
    name: 'SAVE_CONFIG',
    maxArgs: 0,
    help: '= write the configuration file (update_config=1 needed)',
    handler: async () => ((await saveConfig(ctx)) ? REPLY_OK : REPLY_FAIL),
  });
}
