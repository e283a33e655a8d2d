/**
 * The text side of `wpsd cli`: splitting a typed line into words, turning
 * words into the request a daemon expects, completion, and which lines stay
 * out of the history file.
 */
import { encodeCliArgs } from './wire-hex.js';

/** Command names completed even when the daemon cannot list its own (hostapd, wpa_supplicant). */
export const KNOWN_COMMANDS: readonly string[] = [
  'ping', 'status', 'mib', 'help', 'quit', 'raw', 'level', 'interface', 'get_config', 'reconfigure',
  'all_sta', 'sta', 'list_networks', 'scan', 'scan_results', 'reassociate', 'disconnect', 'save_config',
  'wps_pin', 'wps_check_pin', 'wps_pbc', 'wps_cancel', 'wps_ap_pin', 'wps_config', 'wps_get_status',
  'wps_reg', 'wps_nfc_token', 'wps_er_start', 'wps_er_stop', 'wps_er_pin', 'wps_er_pbc', 'wps_er_learn',
  'wps_er_set_config', 'wps_er_config', 'wps_er_nfc_config_token', 'update_config',
];

/** Commands whose arguments hold a PIN, passphrase or key: never written to the history file. */
const SENSITIVE = new Set(['wps_config', 'wps_reg', 'wps_er_config', 'wps_ap_pin', 'wps_pin', 'wps_er_pin', 'set_network', 'password', 'new_password', 'raw']);

/** Words of a typed line: split on blanks, a double-quoted part stays one word (quotes kept, as wpa_cli does). */
export function tokenizeLine(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inQuote = false;
  let started = false;
  for (const ch of line) {
    if (ch === '"') inQuote = !inQuote;
    if (!inQuote && (ch === ' ' || ch === '\t')) {
      if (started) words.push(cur);
      cur = '';
      started = false;
      continue;
    }
    cur += ch;
    started = true;
  }
  if (started) words.push(cur);
  return words;
}

/**
 * The request text for typed words: `raw ...` goes unchanged, otherwise the
 * command in upper case (hostapd matches case-sensitively) followed by the
 * arguments, SSID and key hex-encoded for WPS_CONFIG / WPS_REG / WPS_ER_CONFIG.
 */
export function buildRequest(words: readonly string[]): string {
  const [cmd, ...args] = words;
  if (cmd === undefined) return '';
  if (cmd.toLowerCase() === 'raw') return args.join(' ');
  return [cmd.toUpperCase(), ...encodeCliArgs(cmd, args)].join(' ');
}

/** Command names from a wpsd HELP reply ("name help" per line); [] for anything else. */
export function namesFromHelp(reply: string): string[] {
  if (reply.startsWith('UNKNOWN COMMAND') || reply.startsWith('FAIL')) return [];
  return reply
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((w) => /^[a-z0-9_-]+$/i.test(w))
    .map((w) => w.toLowerCase());
}

/** readline completer: command names for the first word, nothing after it. */
export function completeLine(line: string, names: readonly string[]): [string[], string] {
  if (/\s/.test(line.trimStart())) return [[], line];
  const prefix = line.trimStart().toLowerCase();
  const hits = [...new Set(names)].filter((n) => n.startsWith(prefix)).sort();
  return [hits, line.trimStart()];
}

/** Whether a typed line may go to the history file. */
export function keepInHistory(line: string): boolean {
  const cmd = tokenizeLine(line)[0]?.toLowerCase();
  return cmd !== undefined && !SENSITIVE.has(cmd);
}

/** Arguments for `-a PROGRAM`: the interface, then the event text split on spaces, as os_exec does (at most 29). */
export function actionArgs(ifname: string, eventText: string): string[] {
  return [ifname, ...eventText.split(' ').filter((w) => w.length > 0)].slice(0, 29);
}
