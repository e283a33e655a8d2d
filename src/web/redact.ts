/**
 * Keys stay off the page unless someone asks for them: event lines that carry
 * a network key (WPS-ER-AP-SETTINGS ... key=..., WPS-CRED-RECEIVED <hex of the
 * Credential> with wps_cred_processing) reach the browser with it removed,
 * the way the daemon log shows "[REMOVED]".
 */
import { REMOVED } from '../common/log.js';
import { CtrlEvent } from '../ctrl/event-names.js';

/** wpa_supplicant puts key= last on WPS-ER-AP-SETTINGS, so everything after it is the key (it may hold spaces). */
const AP_SETTINGS_KEY_RE = new RegExp(`^(${CtrlEvent.WpsErApSettings} .*? key=).+$`, 's');
/** WPS-CRED-RECEIVED followed by the Credential attributes in hex (wps_cred_processing=1|2). */
const CRED_HEX_RE = new RegExp(`^(${CtrlEvent.WpsCredReceived} )[0-9a-fA-F]+\\s*$`);
/** Other name=value secrets a line might carry (psk=, passphrase=, wpa_passphrase=, network_key=). */
const SECRET_FIELD_RE = /\b((?:wpa_)?(?:psk|passphrase)|network_key)=(\S+)/g;

export function redactEventText(text: string): string {
  const s = text.match(AP_SETTINGS_KEY_RE);
  if (s?.[1] !== undefined) return s[1] + REMOVED;
  const c = text.match(CRED_HEX_RE);
  if (c?.[1] !== undefined) return c[1] + REMOVED;
  return text.replace(SECRET_FIELD_RE, (_m, name: string) => `${name}=${REMOVED}`);
}

/** How a key is shown until revealed: one bullet per character would tell its length, so a fixed mask. */
export const KEY_MASK = '••••••••';
