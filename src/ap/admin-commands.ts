/**
 * hostapd control commands of a BSS that are not about WPS runs:
 *   GET version|tls_library   hostapd_ctrl_iface_get (no newline; FAIL for any other name)
 * and, on a BSS with WPS off (wps_state=0), WPS_PIN, WPS_PBC and WPS_CANCEL
 * answering FAIL as hostapd's do there (hostapd_wps_* find no WPS context).
 *
 * API:
 *   GET_VERSION
 *   registerGetCommand(registry): void
 *   registerWpsOffCommands(registry, iface, log): void   only the names not yet registered
 */
import type { Logger } from '../common/log.js';
import { REPLY_FAIL, type CommandRegistry } from '../ctrl/registry.js';

/**
 * hostapd's VERSION_STR: "2.10" for Debian's build (no VERSION_STR_POSTFIX),
 * the string `hostapd_cli get version` and scripts compare against. wpsd
 * follows 2.10's behaviour, so it answers the same.
 */
export const GET_VERSION = '2.10';

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

export function registerWpsOffCommands(registry: CommandRegistry, iface: string, log: Logger): void {
  for (const name of ['WPS_PIN', 'WPS_PBC', 'WPS_CANCEL']) {
    if (registry.get(name) !== undefined) continue;
    registry.register({
      name,
      help: '= (WPS is off on this BSS: FAIL)',
      handler: () => {
        log.debug(`${iface}: ${name}: WPS is not enabled on this BSS (wps_state=0)`);
        return REPLY_FAIL;
      },
    });
  }
}
