/**
 * WPS credentials and network blocks, both ways, as wpa_supplicant does it:
 * a received (or, for an ER configuring an AP, sent) credential becomes a
 * network block (wpa_supplicant_wps_cred), and WPS_ER_SET_CONFIG turns a
 * network block into a credential (wpas_wps_network_to_cred).
 */
import { Cipher, KeyMgmt, PMK_LEN } from '../conf/values.js';
import type { Credential } from '../wps/credential.js';
import { AuthType, EncrType } from '../wps/values.js';
import { WPA_AUTH_ALG_OPEN, WPA_PROTO_RSN, WPA_PROTO_WPA, defaultNetwork, type NetworkBlock } from './config-network.js';
import { WpsdError } from '../common/errors.js';

export class CredentialNetworkError extends WpsdError<'UNSUPPORTED_AUTH' | 'BAD_KEY'> {}

/** A network block for `cred` (id assigned by the table). Throws CredentialNetworkError. */
export function networkFromCredential(cred: Credential, id: number): NetworkBlock {
  let auth = cred.authType;
  // wpa_supplicant: mixed WPA/WPA2-PSK is taken as WPA2-PSK.
  if (auth === (AuthType.WpaPsk | AuthType.Wpa2Psk)) auth = AuthType.Wpa2Psk;
  if (auth !== AuthType.Open && auth !== AuthType.WpaPsk && auth !== AuthType.Wpa2Psk) {
    throw new CredentialNetworkError('UNSUPPORTED_AUTH', `unsupported authentication type 0x${auth.toString(16)}`);
  }
  const net = defaultNetwork(id);
  net.ssid = Buffer.from(cred.ssid);
  if (cred.encrType === EncrType.Tkip) net.pairwise = Cipher.TKIP | Cipher.CCMP;
  else if (cred.encrType === EncrType.Aes) net.pairwise = Cipher.CCMP;
  if (auth === AuthType.Open) {
    net.authAlg = WPA_AUTH_ALG_OPEN;
    net.keyMgmt = KeyMgmt.NONE;
    net.proto = 0;
    return net;
  }
  net.authAlg = WPA_AUTH_ALG_OPEN;
  net.keyMgmt = KeyMgmt.PSK;
  net.proto = auth === AuthType.WpaPsk ? WPA_PROTO_WPA | WPA_PROTO_RSN : WPA_PROTO_RSN;
  const key = cred.networkKey;
  if (key.length === 2 * PMK_LEN && /^[0-9A-Fa-f]+$/.test(key.toString('latin1'))) {
    net.psk = Buffer.from(key.toString('latin1'), 'hex');
  } else if (key.length >= 8 && key.length < 2 * PMK_LEN) {
    net.passphrase = Buffer.from(key);
  } else {
    throw new CredentialNetworkError('BAD_KEY', `invalid Network Key length ${key.length}`);
  }
  return net;
}

/** wpas_wps_network_to_cred: undefined when the network cannot be described as WPS settings. */
export function credentialFromNetwork(net: NetworkBlock): Credential | undefined {
  if (net.ssid === undefined || net.ssid.length === 0) return undefined;
  const cred: Credential = { networkIndex: 1, ssid: Buffer.from(net.ssid), authType: AuthType.Open, encrType: EncrType.None, networkKey: Buffer.alloc(0), macAddress: Buffer.alloc(6), extra: [] };
  if ((net.keyMgmt & KeyMgmt.PSK) === 0) return cred;
  cred.authType = (net.proto & WPA_PROTO_RSN) !== 0 ? AuthType.Wpa2Psk : AuthType.WpaPsk;
  cred.encrType = (net.pairwise & Cipher.CCMP) !== 0 ? EncrType.Aes : EncrType.Tkip;
  if (net.passphrase !== undefined) {
    if (net.passphrase.length >= 64) return undefined;
    cred.networkKey = Buffer.from(net.passphrase);
  } else if (net.psk !== undefined) {
    // wpa_supplicant copies the 32 raw PSK bytes as the key.
    cred.networkKey = Buffer.from(net.psk);
  } else {
    return undefined;
  }
  return cred;
}
