/**
 * The internal Registrar's control commands (hostapd/ctrl_iface.c), for a
 * BSS whose WPS runs over a radio:
 *   WPS_PIN <UUID|any> <PIN> [timeout] [addr]   OK, FAIL
 *   WPS_PBC                                     OK, FAIL on a PBC session overlap
 *   WPS_CANCEL                                  OK
 *
 * hostapd takes any PIN text and ignores an address it cannot parse; here a
 * PIN is 4 or 8 digits (any checksum: devices with fixed PINs exist), the
 * timeout a whole number of seconds and the address a MAC, else FAIL and
 * nothing changes.
 *
 * API:
 *   parseWpsPinArgs(args): WpsPinArgs | undefined
 *   registerWpsRadioCommands(registry, control, log?): string[]   the names registered
 */
import { parseMac } from '../common/mac.js';
import { type Logger, silentLogger } from '../common/log.js';
import { REPLY_FAIL, REPLY_OK, type CommandRegistry, type CtrlCommand } from '../ctrl/registry.js';
import type { MacAddress } from '../radio/mac.js';
import { parseUuid } from '../conf/values.js';
import { formatMac } from '../common/mac.js';

/** hostapd's timeout is an int of seconds; a bound keeps the timer arithmetic exact. */
export const WPS_PIN_MAX_TIMEOUT_SEC = 86_400 * 365;
const PIN_RE = /^(?:[0-9]{4}|[0-9]{8})$/;
const TIMEOUT_RE = /^[0-9]{1,9}$/;

export interface WpsPinArgs {
  /** Undefined for "any". */
  uuid?: Buffer;
  pin: string;
  /** 0: no expiry. */
  timeoutSec: number;
  enrolleeMac?: MacAddress;
}

export function parseWpsPinArgs(args: readonly string[]): WpsPinArgs | undefined {
  const [uuidText, pin, timeoutText, macText] = args;
  if (uuidText === undefined || pin === undefined || args.length > 4) return undefined;
  if (!PIN_RE.test(pin)) return undefined;
  const out: WpsPinArgs = { pin, timeoutSec: 0 };
  if (uuidText !== 'any') {
    const uuid = parseUuid(uuidText);
    if (uuid === null) return undefined;
    out.uuid = uuid;
  }
  if (timeoutText !== undefined) {
    if (!TIMEOUT_RE.test(timeoutText)) return undefined;
    const t = Number(timeoutText);
    if (t > WPS_PIN_MAX_TIMEOUT_SEC) return undefined;
    out.timeoutSec = t;
  }
  if (macText !== undefined) {
    const mac = parseMac(macText);
    if (mac === undefined) return undefined;
    out.enrolleeMac = formatMac(mac);
  }
  return out;
}

export interface WpsRadioControl {
  addPin(pin: string, o: { uuid?: Buffer; timeoutMs?: number; enrolleeMac?: MacAddress }): Promise<void>;
  pushButton(): Promise<boolean>;
  cancel(): Promise<void>;
}

/** Registers the commands not already there (another part of the daemon may own one); returns their names. */
export function registerWpsRadioCommands(registry: CommandRegistry, control: WpsRadioControl, log: Logger = silentLogger): string[] {
  const commands: CtrlCommand[] = [
    {
      name: 'WPS_PIN',
      minArgs: 2,
      maxArgs: 4,
      help: '<uuid|any> <PIN> [timeout] [addr] = add a PIN for an Enrollee',
      handler: async (args) => {
        const p = parseWpsPinArgs(args);
        if (p === undefined) return REPLY_FAIL;
        const o: { uuid?: Buffer; timeoutMs?: number; enrolleeMac?: MacAddress } = { timeoutMs: p.timeoutSec * 1000 };
        if (p.uuid !== undefined) o.uuid = p.uuid;
        if (p.enrolleeMac !== undefined) o.enrolleeMac = p.enrolleeMac;
        await control.addPin(p.pin, o);
        return REPLY_OK;
      },
    },
    {
      name: 'WPS_PBC',
      maxArgs: 0,
      help: '= push the AP\'s WPS button (PBC mode for 120 s)',
      handler: async () => ((await control.pushButton()) ? REPLY_OK : REPLY_FAIL),
    },
    {
      name: 'WPS_CANCEL',
      maxArgs: 0,
      help: '= cancel PBC mode and drop the PINs',
      handler: async () => {
        await control.cancel();
        return REPLY_OK;
      },
    },
  ];
  const done: string[] = [];
  for (const c of commands) {
    if (registry.get(c.name) !== undefined) {
      log.debug(`ctrl: ${c.name} is already registered; the radio path's is not added`);
      continue;
    }
    registry.register(c);
    done.push(c.name);
  }
  return done;
}
