/**
 * hostapd control commands of a BSS that are not about WPS runs:
 *   GET version|tls_library   hostapd_ctrl_iface_get (no newline; FAIL for any other name)
 * and, on a BSS whose WPS has no radio (driver=none / wired), WPS_PIN,
 * WPS_PBC and WPS_CANCEL: hostapd serves a wired Enrollee over IEEE 802.1X
 * EAPOL there; wpsd has no wired EAPOL port, so no Enrollee could use a PIN
 * or the push button. They are refused with FAIL and a log line saying so,
 * rather than answered OK for nothing.
 *
 * API:
 *   GET_VERSION
 *   registerGetCommand(registry): void
 *   registerRadiolessWpsCommands(registry, iface, log): void   only the names not yet registered
 */
import type { Logger } from '../common/log.js';
import { REPLY_FAIL, type CommandRegistry } from '../ctrl/registry.js';

/** hostapd's VERSION_STR is "2.10" plus a build postfix; wpsd keeps the version it follows and names itself. */
export const GET_VERSION = '2.10-wpsd';

export function registerGetCommand(registry: CommandRegistry): void {
  registry.register({
    name: 'GET',
    minArgs: 1,
    maxArgs: 1,
    help: '<version|tls_library> = daemon version or crypto library',
    handler: (args) => {
      if (args[0] === 'version') return GET_VERSION;
      if (args[0] === 'tls_library') return `OpenSSL build=OpenSSL ${process.versions.openssl} run=OpenSSL ${process.versions.openssl}`;
      return REPLY_FAIL;
    },
  });
}

export function registerRadiolessWpsCommands(registry: CommandRegistry, iface: string, log: Logger): void {
  for (const name of ['WPS_PIN', 'WPS_PBC', 'WPS_CANCEL']) {
    if (registry.get(name) !== undefined) continue;
    registry.register({
      name,
      help: '= (no radio: refused; wpsd has no wired EAPOL port for an Enrollee)',
      handler: () => {
        log.warn(`${iface}: ${name} refused: WPS on this BSS runs over no radio (driver=none/wired, or a BSS after the first), and wpsd serves no wired EAPOL Enrollee`);
        return REPLY_FAIL;
      },
    });
  }
}
