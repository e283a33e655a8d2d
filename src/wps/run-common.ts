/**
 * Checks shared by the Enrollee and Registrar state machines: parsing a
 * received message into a RunFailure-typed outcome, the mandatory attributes,
 * nonce matching, and building the step a failure produces.
 */
import { AttributeType, attributeName, parseAttributes, WscParseError } from './attributes.js';
import { WscCryptoError } from './crypto.js';
import { ErrorIndication, UNKNOWN_MAC, type FailEvent, type WpsEvent, type WpsStep } from './events.js';
import { messageTypeName, parseMessage, requireAttributes, WscProtocolError, type WscMessage } from './message.js';
import { RunFailure, type RunEnd } from './run-failure.js';

/** WscProtocolError / WscParseError / WscCryptoError as a RunFailure; anything else is 'internal-error'. */
export function asRunFailure(e: unknown): RunFailure {
  if (e instanceof RunFailure) return e;
  if (e instanceof WscProtocolError) {
    switch (e.code) {
      case 'MISSING_ATTRIBUTE':
        return new RunFailure('missing-attribute', e.message, withAttr(e.attrType));
      case 'BAD_ATTRIBUTE':
        return new RunFailure('bad-attribute', e.message, withAttr(e.attrType));
      case 'UNEXPECTED_MESSAGE':
        return new RunFailure('unexpected-message', e.message);
      case 'MALFORMED':
        return new RunFailure('malformed-message', e.message, withAttr(e.attrType));
    }
  }
  if (e instanceof WscParseError) {
    return new RunFailure(e.code === 'MISSING_ATTRIBUTE' ? 'missing-attribute' : 'bad-attribute', e.message, withAttr(e.attrType));
  }
  if (e instanceof WscCryptoError) return new RunFailure('bad-attribute', e.message);
  // Anything else is a bug or a throwing policy hook: fail the run, not the daemon.
  return new RunFailure('internal-error', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
}

function withAttr(attrType: number | undefined): { attrType?: number } {
  return attrType === undefined ? {} : { attrType };
}

/**
 * Parses a received message. A message that cannot be parsed is not
 * attributable to this run, so (as hostapd) it gets no WSC_NACK. One that
 * lacks Version or Message Type is answered with a WSC_NACK only when it
 * carries this run's nonce (`nonceType` = `expectedNonce`).
 */
export function parseReceived(raw: Uint8Array, nonceType: number, expectedNonce: Buffer | undefined): WscMessage {
  try {
    return parseMessage(raw);
  } catch (e) {
    const f = asRunFailure(e);
    if (f.reason === 'missing-attribute') {
      const ours = expectedNonce !== undefined && rawAttribute(raw, nonceType)?.equals(expectedNonce) === true;
      throw new RunFailure('missing-attribute', f.detail, { ...f.options, nack: ours });
    }
    throw new RunFailure('malformed-message', f.detail, { ...f.options, nack: false });
  }
}

function rawAttribute(raw: Uint8Array, type: number): Buffer | undefined {
  try {
    return parseAttributes(raw).find((a) => a.type === type)?.value;
  } catch {
    return undefined;
  }
}

/** The Message Type of raw bytes if it can be found, else 0 (for the fail event of an unparsable message). */
export function guessMessageType(raw: Uint8Array): number {
  try {
    const t = parseAttributes(raw).find((a) => a.type === AttributeType.MessageType);
    return t?.value.length === 1 ? (t.value[0] ?? 0) : 0;
  } catch {
    return 0;
  }
}

/** All mandatory attributes of the message (message.ts MANDATORY_ATTRIBUTES), as a RunFailure. */
export function requireMandatory(msg: WscMessage): void {
  try {
    requireAttributes(msg);
  } catch (e) {
    throw asRunFailure(e);
  }
}

/**
 * The nonce attribute must be present and equal to this run's. Neither
 * failure is answered with a WSC_NACK: the message may belong to another run
 * (hostapd returns WPS_FAILURE without a message).
 */
export function checkNonce(msg: WscMessage, type: number, expected: Buffer | undefined): void {
  const got = msg.get(type);
  if (got === undefined) {
    throw new RunFailure('missing-attribute', `${messageTypeName(msg.type)} without ${attributeName(type)}`, { attrType: type, nack: false });
  }
  if (expected === undefined || !got.equals(expected)) {
    throw new RunFailure('nonce-mismatch', `${attributeName(type)} of ${messageTypeName(msg.type)} does not match this run`, { attrType: type });
  }
}

/** An attribute inside decrypted settings, or a missing-attribute failure. */
export function requireInner(attrs: readonly { type: number; value: Buffer }[], type: number, where: string): Buffer {
  const v = attrs.find((a) => a.type === type)?.value;
  if (v === undefined) throw new RunFailure('missing-attribute', `${where} Encrypted Settings without ${attributeName(type)}`, { attrType: type });
  return v;
}

export function failEvent(f: RunEnd, msg: number, peerMac: Buffer | undefined): FailEvent {
  const ev: FailEvent = {
    type: 'fail',
    msg,
    configError: f.configError,
    errorIndication: f.options.errorIndication ?? ErrorIndication.NoError,
    peerMac: peerMac ?? UNKNOWN_MAC,
    reason: f.reason,
    detail: f.detail,
  };
  if (f.options.attrType !== undefined) ev.attrType = f.options.attrType;
  return ev;
}

/** The step of a failed run: events so far, the fail event, and the WSC_NACK when one is due. */
export function failureStep(events: WpsEvent[], ev: FailEvent, nack: Buffer | undefined): WpsStep {
  const step: WpsStep = { events: [...events, ev], result: 'failure' };
  if (nack !== undefined) step.reply = nack;
  return step;
}
