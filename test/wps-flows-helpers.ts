/**
 * In-memory plumbing for the Enrollee/Registrar flow tests: devices,
 * credentials, a wire that carries each reply to the other machine (with an
 * optional tamper hook), and byte-level tampering helpers.
 */
import { createHash } from 'node:crypto';
import { encodeAttributes, parseAttributes, AttributeType } from '../src/wps/attributes.js';
import type { Credential } from '../src/wps/credential.js';
import type { DeviceInfo } from '../src/wps/device.js';
import type { WpsEvent, WpsStep } from '../src/wps/events.js';
import { AuthType, ConfigMethods, EncrType, RfBand } from '../src/wps/values.js';

export function device(name: string, mac: string, category = 1): DeviceInfo {
  return {
    uuid: createHash('sha256').update(name).digest().subarray(0, 16),
    macAddress: Buffer.from(mac.replace(/:/g, ''), 'hex'),
    deviceName: name,
    manufacturer: 'wpsd tests',
    modelName: `${name} model`,
    modelNumber: '1',
    serialNumber: '42',
    primaryDeviceType: Buffer.from([0, category, 0x00, 0x50, 0xf2, 0x04, 0, 1]),
    osVersion: 0x01020304,
    configMethods: ConfigMethods.Display | ConfigMethods.VirtualPushButton | ConfigMethods.Keypad,
    rfBands: RfBand.Band24GHz,
  };
}

export const STA = device('station', '02:00:00:00:01:00');
export const AP = device('access point', '02:00:00:00:00:00', 6);
export const REG = device('registrar', '02:00:00:00:02:00');

export function credential(ssid: string, key: string, mac: Buffer, networkIndex = 1): Credential {
  return {
    networkIndex,
    ssid: Buffer.from(ssid),
    authType: AuthType.Wpa2Psk,
    encrType: EncrType.Aes,
    networkKey: Buffer.from(key),
    macAddress: mac,
    extra: [],
  };
}

export interface Machine {
  receive(msg: Uint8Array): WpsStep;
}

export interface WireRecord {
  from: 'enrollee' | 'registrar';
  type: number;
  raw: Buffer;
}

export interface FlowResult {
  enrollee: WpsStep[];
  registrar: WpsStep[];
  wire: WireRecord[];
  enrolleeEvents: WpsEvent[];
  registrarEvents: WpsEvent[];
  /** The last step each side produced that had a result. */
  enrolleeResult?: WpsStep;
  registrarResult?: WpsStep;
}

/** Message Type of raw bytes (for the wire log and tamper decisions). */
export function typeOf(raw: Buffer): number {
  const t = parseAttributes(raw).find((a) => a.type === AttributeType.MessageType);
  return t?.value[0] ?? 0;
}

export type Tamper = (raw: Buffer, from: 'enrollee' | 'registrar', type: number) => Buffer;

/** Carries M1 and every reply to the other side until nobody has anything to send (bounded). */
export function runFlow(enrollee: Machine, m1: Buffer, registrar: Machine, tamper?: Tamper): FlowResult {
  const res: FlowResult = { enrollee: [], registrar: [], wire: [], enrolleeEvents: [], registrarEvents: [] };
  let msg: Buffer | undefined = m1;
  let from: 'enrollee' | 'registrar' = 'enrollee';
  for (let i = 0; i < 24 && msg !== undefined; i++) {
    const type = typeOf(msg);
    const sent: Buffer = tamper !== undefined ? tamper(msg, from, type) : msg;
    res.wire.push({ from, type, raw: sent });
    const to: Machine = from === 'enrollee' ? registrar : enrollee;
    const step = to.receive(sent);
    if (from === 'enrollee') {
      res.registrar.push(step);
      res.registrarEvents.push(...step.events);
      if (step.result !== undefined) res.registrarResult ??= step;
    } else {
      res.enrollee.push(step);
      res.enrolleeEvents.push(...step.events);
      if (step.result !== undefined) res.enrolleeResult ??= step;
    }
    msg = step.reply;
    from = from === 'enrollee' ? 'registrar' : 'enrollee';
  }
  return res;
}

/** Flips one bit in the Authenticator (the last attribute) of messages of `type`. */
export function flipAuthenticator(type: number): Tamper {
  return (raw, _from, t) => {
    if (t !== type) return raw;
    const out = Buffer.from(raw);
    out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0x01;
    return out;
  };
}

/** Removes the first attribute `attr` from messages of `type`. */
export function dropAttribute(type: number, attr: number): Tamper {
  return (raw, _from, t) => {
    if (t !== type) return raw;
    const attrs = parseAttributes(raw);
    const i = attrs.findIndex((a) => a.type === attr);
    if (i < 0) throw new Error(`test bug: message ${type} has no attribute 0x${attr.toString(16)}`);
    attrs.splice(i, 1);
    return encodeAttributes(attrs);
  };
}

/** Replaces the value of attribute `attr` in messages of `type`. */
export function replaceAttribute(type: number, attr: number, value: (old: Buffer) => Buffer): Tamper {
  return (raw, _from, t) => {
    if (t !== type) return raw;
    return encodeAttributes(parseAttributes(raw).map((a) => (a.type === attr ? { type: a.type, value: value(a.value) } : a)));
  };
}

/** The NACK's Configuration Error, or undefined when the message is not a WSC_NACK. */
export function nackConfigError(raw: Buffer | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const attrs = parseAttributes(raw);
  if (attrs.find((a) => a.type === AttributeType.MessageType)?.value[0] !== 0x0e) return undefined;
  return attrs.find((a) => a.type === AttributeType.ConfigurationError)?.value.readUInt16BE(0);
}

/** A deterministic random source (SHA-256 counter mode) for reproducibility checks. */
export function seededRng(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  };
}
