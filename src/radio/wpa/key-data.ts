/**
 * The Key Data field of EAPOL-Key frames (IEEE 802.11-2020 12.7.2): a
 * sequence of elements and KDEs (vendor-specific elements with OUI 00-0F-AC
 * and a data type, Table 12-9), padded for AES key wrap with 0xdd and
 * zeros. A PSK handshake carries the RSN element and the GTK KDE.
 */
import { ElementId } from '../elements.js';
import { KEY_WRAP_BLOCK } from './crypto.js';
import { WpsdError } from '../../common/errors.js';

export const KDE_OUI = Uint8Array.of(0x00, 0x0f, 0xac);
export const KdeType = { GTK: 1, MAC_ADDRESS: 3, PMKID: 4, IGTK: 9 } as const;
/** GTK KDE header: Key ID / Tx octet and a reserved octet. */
export const GTK_KDE_HEADER_LEN = 2;
const VENDOR_SPECIFIC = 0xdd;
/** Key data shorter than this is padded for key wrap (RFC 3394 needs two blocks). */
export const KEY_DATA_MIN_WRAP_LEN = 16;

export interface GtkKde {
  keyId: number;
  /** The Tx bit: the GTK is used for transmit too (hostapd sets it when the pairwise cipher is not TKIP... only with WEP fallback; it sends 0). */
  tx: boolean;
  gtk: Uint8Array;
}

export interface KeyData {
  /** The RSN element, whole (ID, Length, data), as compared with the Beacon's. */
  rsnElement?: Uint8Array;
  gtk?: GtkKde;
  pmkid?: Uint8Array;
}

export type KeyDataErrorCode = 'TRUNCATED' | 'BAD_KDE' | 'DUPLICATE';

export class KeyDataError extends WpsdError<KeyDataErrorCode> {}

/** Parses (decrypted) Key Data; unknown elements and KDEs are skipped, as hostapd's wpa_parse_kde_ies does. */
export function parseKeyData(d: Uint8Array): KeyData {
  const out: KeyData = {};
  let pos = 0;
  while (pos < d.length) {
    const id = d[pos] as number;
    // Padding: 0xdd followed by nothing or a zero length ends the data.
    if (id === VENDOR_SPECIFIC && (pos + 1 === d.length || d[pos + 1] === 0)) break;
    if (pos + 2 > d.length) throw new KeyDataError('TRUNCATED', `Key Data element at ${pos} has no length`);
    const len = d[pos + 1] as number;
    if (pos + 2 + len > d.length) throw new KeyDataError('TRUNCATED', `Key Data element ${id} of ${len} octets runs past the end`);
    const body = d.subarray(pos + 2, pos + 2 + len);
    if (id === ElementId.RSN) {
      if (out.rsnElement !== undefined) throw new KeyDataError('DUPLICATE', 'two RSN elements in Key Data');
      out.rsnElement = d.slice(pos, pos + 2 + len);
    } else if (id === VENDOR_SPECIFIC && len >= 4 && body[0] === KDE_OUI[0] && body[1] === KDE_OUI[1] && body[2] === KDE_OUI[2]) {
      const type = body[3] as number;
      const data = body.subarray(4);
      if (type === KdeType.GTK) {
        if (data.length < GTK_KDE_HEADER_LEN + 5 || data.length > GTK_KDE_HEADER_LEN + 32) throw new KeyDataError('BAD_KDE', `GTK KDE of ${data.length} octets`);
        if (out.gtk !== undefined) throw new KeyDataError('DUPLICATE', 'two GTK KDEs in Key Data');
        const b = data[0] as number;
        out.gtk = { keyId: b & 0x03, tx: (b & 0x04) !== 0, gtk: data.slice(GTK_KDE_HEADER_LEN) };
      } else if (type === KdeType.PMKID) {
        if (data.length !== 16) throw new KeyDataError('BAD_KDE', `PMKID KDE of ${data.length} octets`);
        out.pmkid = data.slice();
      }
    }
    pos += 2 + len;
  }
  return out;
}

/** Encodes Key Data: the RSN element (whole) first, then the GTK KDE (hostapd's order in message 3). */
export function buildKeyData(k: KeyData): Uint8Array {
  const parts: Uint8Array[] = [];
  if (k.rsnElement !== undefined) parts.push(k.rsnElement);
  if (k.gtk !== undefined) {
    const g = k.gtk;
    if (!Number.isInteger(g.keyId) || g.keyId < 0 || g.keyId > 3) throw new KeyDataError('BAD_KDE', `GTK key ID ${g.keyId}`);
    const kde = new Uint8Array(2 + 4 + GTK_KDE_HEADER_LEN + g.gtk.length);
    kde.set([VENDOR_SPECIFIC, kde.length - 2, ...KDE_OUI, KdeType.GTK, g.keyId | (g.tx ? 0x04 : 0), 0]);
    kde.set(g.gtk, 2 + 4 + GTK_KDE_HEADER_LEN);
    parts.push(kde);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Pads to a multiple of 8 octets and at least 16: 0xdd then zeros (12.7.2 h). */
export function padKeyData(d: Uint8Array): Uint8Array {
  let len = d.length;
  if (len < KEY_DATA_MIN_WRAP_LEN) len = KEY_DATA_MIN_WRAP_LEN;
  else if (len % KEY_WRAP_BLOCK !== 0) len += KEY_WRAP_BLOCK - (len % KEY_WRAP_BLOCK);
  if (len === d.length) return d;
  const out = new Uint8Array(len);
  out.set(d);
  out[d.length] = VENDOR_SPECIFIC;
  return out;
}
