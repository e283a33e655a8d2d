/**
 * wpa_supplicant.conf fields wpsd's station knows but does not implement and
 * must not keep-and-ignore: each narrows which APs a network may use, hides
 * the station's address, or demands a protection wpsd's station does not
 * give. Refused unless set to wpa_supplicant's "off" value. Every other
 * known field is kept as written with a warning: it either makes a network
 * unusable for wpsd (EAP methods, SAE, WEP: it then never connects, which
 * weakens nothing) or tunes the radio.
 *
 * API:
 *   refusedNetworkField(name, value): string | undefined   the error, if refused
 *   refusedGlobalField(name, value): string | undefined
 */

const OFF = ['0', ''];

const NETWORK: ReadonlyMap<string, string> = new Map([
  ['bssid_accept', 'it limits the APs the network may use'],
  ['bssid_whitelist', 'it limits the APs the network may use'],
  ['bssid_ignore', 'it excludes APs from the network'],
  ['bssid_blacklist', 'it excludes APs from the network'],
  ['mac_addr', 'it randomizes the station address'],
  ['beacon_prot', 'it requires beacon protection'],
  ['ocv', 'it requires operating channel validation'],
  ['transition_disable', 'it disables transition modes'],
  ['owe_only', 'it limits the network to OWE'],
  ['sae_pk', 'it requires SAE-PK'],
  ['mem_only_psk', 'it keeps the PSK out of the file'],
  ['ignore_broadcast_ssid', 'it hides the SSID of an AP-mode network'],
]);

const GLOBAL: ReadonlyMap<string, string> = new Map([
  ['mac_addr', 'it randomizes the station address'],
  ['preassoc_mac_addr', 'it randomizes the address while scanning'],
  ['gas_rand_mac_addr', 'it randomizes the address for GAS'],
  ['filter_ssids', 'it limits the scan results to the configured SSIDs'],
]);

export function refusedNetworkField(name: string, value: string): string | undefined {
  const why = NETWORK.get(name);
  if (why === undefined || OFF.includes(value)) return undefined;
  return `network field '${name}' is not implemented by wpsd (${why}); remove it to run without it`;
}

export function refusedGlobalField(name: string, value: string): string | undefined {
  const why = GLOBAL.get(name);
  if (why === undefined || OFF.includes(value)) return undefined;
  return `global field '${name}' is not implemented by wpsd (${why}); remove it to run without it`;
}
