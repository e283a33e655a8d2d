/**
 * The table of control commands a daemon answers. Daemons register their
 * commands (name, argument count, handler, help); names match without regard
 * to case. A request whose argument count is wrong gets FAIL and never reaches
 * the handler, so it changes nothing.
 */
import type { CtrlRequest } from './request.js';
import { WpsdError } from '../common/errors.js';

/** Replies spelled as hostapd/wpa_supplicant send them, newline included. */
export const REPLY_OK = 'OK\n';
export const REPLY_FAIL = 'FAIL\n';
export const REPLY_PONG = 'PONG\n';
export const REPLY_UNKNOWN = 'UNKNOWN COMMAND\n';

/** Who asked, for commands that act on the sender (ATTACH, LEVEL). */
export interface CtrlContext {
  /** The sender's socket path ('' for an unbound sender). */
  from: string;
  /** The request as parsed, for handlers that want the raw argument text. */
  request: CtrlRequest;
}

export type CtrlHandler = (args: string[], ctx: CtrlContext) => string | Promise<string>;

export interface CtrlCommand {
  /** Command word, e.g. "WPS_PIN"; stored and matched case-insensitively. */
  name: string;
  /** Fewest arguments accepted (default 0). */
  minArgs?: number;
  /** Most arguments accepted (default unlimited). */
  maxArgs?: number;
  /** One line for HELP and `wpsd cli` completion: "<uuid|any> <pin> = ...". */
  help: string;
  /** Returns the exact reply text (use REPLY_OK / REPLY_FAIL for the plain ones). */
  handler: CtrlHandler;
}

export class CtrlRegistryError extends WpsdError<'DUPLICATE' | 'INVALID'> {}

const COMMAND_NAME = /^[A-Za-z0-9_-]+$/;

export class CommandRegistry {
  private readonly commands = new Map<string, CtrlCommand>();

  register(cmd: CtrlCommand): void {
    if (!COMMAND_NAME.test(cmd.name)) throw new CtrlRegistryError('INVALID', `invalid command name "${cmd.name}"`);
    const min = cmd.minArgs ?? 0;
    if (min < 0 || (cmd.maxArgs !== undefined && cmd.maxArgs < min)) {
      throw new CtrlRegistryError('INVALID', `invalid argument bounds for ${cmd.name}`);
    }
    const key = cmd.name.toUpperCase();
    if (this.commands.has(key)) throw new CtrlRegistryError('DUPLICATE', `command ${key} registered twice`);
    this.commands.set(key, { ...cmd, name: key });
  }

  /** Removes a command (a daemon switching roles); true if it was there. */
  unregister(name: string): boolean {
    return this.commands.delete(name.toUpperCase());
  }

  get(name: string): CtrlCommand | undefined {
    return this.commands.get(name.toUpperCase());
  }

  /** Registered commands, sorted by name. */
  list(): CtrlCommand[] {
    return [...this.commands.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Answer one request: UNKNOWN COMMAND for a name nobody registered, FAIL for
   * a wrong argument count or a handler that throws, else the handler's reply.
   */
  async dispatch(request: CtrlRequest, from: string, onError?: (err: unknown, cmd: CtrlCommand) => void): Promise<string> {
    const cmd = this.get(request.name);
    if (!cmd) return REPLY_UNKNOWN;
    const n = request.args.length;
    if (n < (cmd.minArgs ?? 0) || (cmd.maxArgs !== undefined && n > cmd.maxArgs)) return REPLY_FAIL;
    try {
      return await cmd.handler(request.args, { from, request });
    } catch (err) {
      onError?.(err, cmd);
      return REPLY_FAIL;
    }
  }
}
