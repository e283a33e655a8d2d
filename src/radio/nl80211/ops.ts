/**
 * nl80211 operations both the station and the AP driver use: management
 * frame registration and TX, keys (NEW_KEY / SET_KEY / DEL_KEY), station
 * flags (the authorized port), interface type and 4-address mode
 * (SET_INTERFACE), the interface's up state (rtnetlink), and EAPOL over the
 * control port (CONTROL_PORT_FRAME).
 */
import { DriverError, type KeyInstall } from '../driver.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { macToBytes, type MacAddress } from '../mac.js';
import { Nl80211Cmd, type Nl80211Connection } from './connection.js';
import { nl80211Failure } from './errors.js';

/** NL80211_WPA_VERSION_2. */
export const WPA_VERSION_2 = 2;
/** enum nl80211_sta_flags: the bit of NL80211_STA_FLAG_AUTHORIZED in struct nl80211_sta_flag_update. */
export const STA_FLAG_AUTHORIZED = 1 << 1;

/** A u16 attribute in host (little-endian) order, e.g. NL80211_ATTR_CONTROL_PORT_ETHERTYPE. */
export const u16le = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** Frame Control of a management subtype as REGISTER_FRAME takes it (type 0, subtype << 4). */
export const mgmtFrameType = (subtype: number): number => subtype << 4;

/**
 * REGISTER_FRAME: the kernel hands matching received management frames to
 * this session (event FRAME). Another program's overlapping registration
 * makes the kernel answer EALREADY: the interface belongs to another daemon.
 */
export async function registerFrame(conn: Nl80211Connection, subtype: number, match: Uint8Array = new Uint8Array(0)): Promise<void> {
  try {
    await conn.request(Nl80211Cmd.REGISTER_FRAME, { frameType: [mgmtFrameType(subtype)], frameMatch: Buffer.from(match) }, `registering for management frames (subtype ${subtype})`);
  } catch (err) {
    if (err instanceof DriverError && err.code === 'BUSY') {
      throw new DriverError('BUSY', `${conn.ifname} is busy: another program (hostapd or wpa_supplicant?) already receives its management frames`);
    }
    throw err;
  }
}

/** FRAME: transmits a management frame; `freq` (MHz) for off-channel frames. */
export async function sendFrame(conn: Nl80211Connection, frame: Uint8Array, o: { freq?: number; noAck?: boolean } = {}): Promise<void> {
  await conn.request(
    Nl80211Cmd.FRAME,
    { frame: Buffer.from(frame), ...(o.freq !== undefined ? { wiphyFreq: o.freq } : {}), ...(o.noAck === true ? { dontWaitForAck: true } : {}) },
    'sending a management frame',
  );
}

/**
 * CONTROL_PORT_FRAME: sends an EAPOL PDU to `dst` over the control port (the
 * kernel adds the 802.11 and LLC headers and encrypts once a key is in);
 * `unencrypted` for the frames before the pairwise key (802.1X / WPS, message 4 of a rekey).
 */
export async function sendControlPortFrame(conn: Nl80211Connection, dst: MacAddress, eapol: Uint8Array, unencrypted: boolean): Promise<void> {
  await conn.request(
    Nl80211Cmd.CONTROL_PORT_FRAME,
    { mac: Buffer.from(macToBytes(dst)), frame: Buffer.from(eapol), controlPortEthertype: u16le(ETHERTYPE_EAPOL), ...(unencrypted ? { controlPortNoEncrypt: true } : {}) },
    'sending EAPOL on the control port',
  );
}

/**
 * NEW_KEY (pairwise with the peer's address, or group), then SET_KEY making
 * a group key the default transmit key when asked (an AP's GTK), as
 * driver_nl80211's set_key does.
 */
export async function installKey(conn: Nl80211Connection, k: KeyInstall): Promise<void> {
  const pairwise = k.type === 'pairwise';
  if (pairwise && k.addr === undefined) throw new DriverError('BAD_CONFIG', `${conn.ifname}: a pairwise key needs the peer address`);
  await conn.request(
    Nl80211Cmd.NEW_KEY,
    {
      keyData: Buffer.from(k.key),
      keyIdx: k.keyIndex,
      keyCipher: k.cipher,
      ...(k.rsc !== undefined ? { keySeq: Buffer.from(k.rsc) } : {}),
      ...(pairwise && k.addr !== undefined ? { mac: Buffer.from(macToBytes(k.addr)), keyType: 'PAIRWISE' } : { keyType: 'GROUP' }),
    },
    `installing the ${pairwise ? 'pairwise key' : `group key ${k.keyIndex}`}`,
  );
  if (!pairwise && k.defaultTx === true) {
    await conn.request(Nl80211Cmd.SET_KEY, { keyIdx: k.keyIndex, keyDefault: true, keyDefaultTypes: { multicast: true } }, `making group key ${k.keyIndex} the default`);
  }
}

/** DEL_KEY: removes a key; a key that is not there is not an error. */
export async function delKey(conn: Nl80211Connection, keyIdx: number, peer?: MacAddress): Promise<void> {
  try {
    await conn.request(Nl80211Cmd.DEL_KEY, { keyIdx, ...(peer !== undefined ? { mac: Buffer.from(macToBytes(peer)) } : {}) }, `removing key ${keyIdx}`);
  } catch (err) {
    if (err instanceof DriverError && err.message.endsWith(': ENOENT')) return;
    throw err;
  }
}

/** SET_STATION with the authorized flag: opens (or closes) the 802.1X port for `peer` (the AP, on a station). */
export async function setAuthorized(conn: Nl80211Connection, peer: MacAddress, authorized: boolean): Promise<void> {
  const update = Buffer.alloc(8);
  update.writeUInt32LE(STA_FLAG_AUTHORIZED, 0);
  update.writeUInt32LE(authorized ? STA_FLAG_AUTHORIZED : 0, 4);
  await conn.request(Nl80211Cmd.SET_STATION, { mac: Buffer.from(macToBytes(peer)), staFlags2: update }, `${authorized ? 'authorizing' : 'unauthorizing'} ${peer}`);
}

/** SET_INTERFACE: the interface type (STATION, AP) and/or 4-address mode. */
export async function setInterface(conn: Nl80211Connection, o: { iftype?: 'STATION' | 'AP'; fourAddr?: boolean }): Promise<void> {
  await conn.request(
    Nl80211Cmd.SET_INTERFACE,
    { ...(o.iftype !== undefined ? { iftype: o.iftype } : {}), ...(o.fourAddr !== undefined ? { _4addr: o.fourAddr ? 1 : 0 } : {}) },
    o.fourAddr !== undefined ? `turning 4-address mode ${o.fourAddr ? 'on' : 'off'}` : `making it a${o.iftype === 'AP' ? 'n AP' : ' station'} interface`,
  );
}

/** Brings the interface up (IFF_UP) over rtnetlink, as wpa_supplicant and hostapd do at start. */
export async function setInterfaceUp(conn: Nl80211Connection): Promise<void> {
  const rt = conn.mod.createRtNetlink();
  try {
    await rt.setLink({ index: conn.ifindex, flags: { up: true }, change: { up: true } }, {}, { timeout: 5_000 });
  } catch (err) {
    throw nl80211Failure(conn.ifname, 'bringing the interface up', err);
  } finally {
    rt.socket.close();
  }
}
