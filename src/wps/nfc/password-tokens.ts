/**
 * The NFC device passwords a Registrar holds (hostapd's nfc_pw_tokens,
 * wps_registrar_add_nfc_pw_token): Enrollees' password tokens read from tags
 * and the public key hashes of connection handover requests, each claimed by
 * the one M1 with its Device Password ID.
 */
import { DEV_PW_NFC_CONNECTION_HANDOVER, FIRST_NFC_PASSWORD_ID, OOB_DEVICE_PASSWORD_LEN } from './oob-device-password.js';

/**
 * Tokens held at once. hostapd keeps any number; a token is read by hand from
 * a tag, so a handful covers every real use and bounds a flood of
 * wps_nfc_tag_read (the oldest goes first).
 */
export const MAX_NFC_PASSWORD_TOKENS = 8;

/** An Enrollee's NFC password token, or a handover request (ID 0x0007, no password). */
export interface NfcPasswordToken {
  passwordId: number;
  /** The token's password octets (a secret); empty for a handover. */
  password: Buffer;
  /** The Enrollee's public key hash; M1's key must match it. Required for a handover. */
  publicKeyHash?: Buffer;
}

/** A Device Password ID a token may stand for: 0x0010 and up, or connection handover. */
export function isNfcTokenId(id: number): boolean {
  return (id >= FIRST_NFC_PASSWORD_ID && id <= 0xffff) || id === DEV_PW_NFC_CONNECTION_HANDOVER;
}

export class NfcPasswordTokens {
  /** By Device Password ID, oldest first. */
  private readonly tokens = new Map<number, NfcPasswordToken>();

  /**
   * Adds a copy; a token with the same ID is replaced. False for what hostapd
   * refuses: an ID below 0x10 other than a handover with its key hash and no
   * password, an over-long password.
   */
  add(t: NfcPasswordToken): boolean {
    const handover = t.passwordId === DEV_PW_NFC_CONNECTION_HANDOVER;
    if (!isNfcTokenId(t.passwordId) || t.password.length > OOB_DEVICE_PASSWORD_LEN) return false;
    if (handover && (t.publicKeyHash === undefined || t.password.length > 0)) return false;
    this.tokens.delete(t.passwordId);
    if (this.tokens.size >= MAX_NFC_PASSWORD_TOKENS) this.tokens.delete(this.tokens.keys().next().value as number);
    const copy: NfcPasswordToken = { passwordId: t.passwordId, password: Buffer.from(t.password) };
    if (t.publicKeyHash !== undefined) copy.publicKeyHash = Buffer.from(t.publicKeyHash);
    this.tokens.set(t.passwordId, copy);
    return true;
  }

  /** The token for an M1's Device Password ID, taken off the list (hostapd dl_list_del). */
  claim(passwordId: number): NfcPasswordToken | undefined {
    const t = isNfcTokenId(passwordId) ? this.tokens.get(passwordId) : undefined;
    if (t !== undefined) this.tokens.delete(passwordId);
    return t;
  }

  has(passwordId: number): boolean {
    return this.tokens.has(passwordId);
  }

  get size(): number {
    return this.tokens.size;
  }

  /** The IDs held, for status displays (passwords not included). */
  get ids(): number[] {
    return [...this.tokens.keys()];
  }

  clear(): void {
    this.tokens.clear();
  }
}
