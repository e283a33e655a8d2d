/**
 * In-memory registration runs that fail: wrong PIN halves, tampered bytes
 * between the machines, dropped mandatory attributes, messages out of order,
 * nonce mismatches, PBC overlap. Each must end with the right WSC_NACK (or
 * none, as hostapd), Configuration Error and events on both sides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeType, attributeName } from '../src/wps/attributes.js';
import { ApPinLockout } from '../src/wps/ap-pin-lockout.js';
import { Enrollee } from '../src/wps/enrollee.js';
import { eventsOf, ErrorIndication, type WpsStep } from '../src/wps/events.js';
import { MANDATORY_ATTRIBUTES, messageTypeName } from '../src/wps/message.js';
import { PbcSessions } from '../src/wps/pbc.js';
import { Registrar, type DevicePasswordChoice } from '../src/wps/registrar.js';
import { ConfigError, EncrType, MessageType } from '../src/wps/values.js';
import {
  AP,
  credential,
  device,
  dropAttribute,
  flipAuthenticator,
  nackConfigError,
  REG,
  replaceAttribute,
  runFlow,
  STA,
  typeOf,
  type FlowResult,
} from './wps-flows-helpers.js';
import { ScriptedEnrollee, ScriptedRegistrar } from './wps-scripted-peers.js';

const PIN = '12345670';
const pinPolicy = (pin: string) => ({ devicePassword: (): DevicePasswordChoice => ({ kind: 'pin', pin }) });
const CRED = credential('home-net', 'correct horse battery', STA.macAddress);

function stationFlow(opts: { enrolleePin?: string; registrarPin?: string; tamper?: Parameters<typeof runFlow>[3] } = {}): FlowResult {
  const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: opts.enrolleePin ?? PIN } });
  const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(opts.registrarPin ?? PIN), credentials: () => [CRED] } });
  return runFlow(enrollee, enrollee.start(), registrar, opts.tamper);
}

/** The step of the side that received a message of `type` in this flow. */
function stepFor(flow: FlowResult, type: number): WpsStep | undefined {
  const idx = flow.wire.findIndex((w) => w.type === type);
  if (idx < 0) return undefined;
  const from = flow.wire[idx]?.from;
  const before = flow.wire.slice(0, idx).filter((w) => w.from === from).length;
  return from === 'enrollee' ? flow.registrar[before] : flow.enrollee[before];
}

const ENROLLEE_RECEIVES = new Set<number>([MessageType.M2, MessageType.M2D, MessageType.M4, MessageType.M6, MessageType.M8, MessageType.WscAck]);

describe('a wrong PIN', () => {
  it('wrong first half: the Enrollee catches R-Hash1 at M4, NACKs 18 and says first half', () => {
    const flow = stationFlow({ enrolleePin: PIN, registrarPin: '87655670' });
    expect(eventsOf(flow.enrolleeEvents, 'pwd-auth-fail')).toEqual([{ type: 'pwd-auth-fail', part: 1, local: 'enrollee', peerMac: Buffer.alloc(6) }]);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([
      { msg: MessageType.M4, configError: ConfigError.DevicePasswordAuthFailure, reason: 'password-auth-failure', errorIndication: ErrorIndication.NoError },
    ]);
    expect(nackConfigError(stepFor(flow, MessageType.M4)?.reply)).toBe(18);
    // The Registrar hears WSC_NACK 18 for its M4: WPS-FAIL msg=8 config_error=18.
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M4, configError: 18, reason: 'nack-received' }]);
    expect(flow.enrolleeResult?.result).toBe('failure');
    expect(flow.registrarResult?.result).toBe('failure');
    expect(flow.enrolleeResult?.credentials).toBeUndefined();
  });

  it('wrong second half: the Enrollee catches R-Hash2 at M6, NACKs 18 and says second half', () => {
    const flow = stationFlow({ enrolleePin: PIN, registrarPin: '12349999' });
    expect(eventsOf(flow.enrolleeEvents, 'pwd-auth-fail')).toMatchObject([{ part: 2, local: 'enrollee' }]);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M6, configError: 18, reason: 'password-auth-failure' }]);
    expect(nackConfigError(stepFor(flow, MessageType.M6)?.reply)).toBe(18);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M6, configError: 18, reason: 'nack-received' }]);
  });

  it('an Enrollee lying about the first half: the Registrar catches E-Hash1 at M5 (pwd-auth-fail part 1, NACK 18)', () => {
    const rogue = new ScriptedEnrollee({ device: STA, hashPin: '00005670' });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
    const flow = runFlow(rogue, rogue.start(), registrar);
    expect(eventsOf(flow.registrarEvents, 'pwd-auth-fail')).toEqual([{ type: 'pwd-auth-fail', part: 1, local: 'registrar', peerMac: STA.macAddress }]);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M5, configError: 18, reason: 'password-auth-failure', peerMac: STA.macAddress }]);
    expect(nackConfigError(stepFor(flow, MessageType.M5)?.reply)).toBe(18);
    expect(flow.registrarResult?.result).toBe('failure');
  });

  it('an Enrollee lying about the second half: the Registrar catches E-Hash2 at M7 and gives no credential', () => {
    const rogue = new ScriptedEnrollee({ device: STA, hashPin: '12340000' });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
    const flow = runFlow(rogue, rogue.start(), registrar);
    expect(eventsOf(flow.registrarEvents, 'pwd-auth-fail')).toMatchObject([{ part: 2, local: 'registrar' }]);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, configError: 18 }]);
    expect(nackConfigError(stepFor(flow, MessageType.M7)?.reply)).toBe(18);
    expect(flow.wire.some((w) => w.type === MessageType.M8)).toBe(false);
  });

  it('the scripted peers complete with the right PIN (so the failures above are the PIN)', () => {
    const rogue = new ScriptedEnrollee({ device: STA, hashPin: PIN });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
    expect(runFlow(rogue, rogue.start(), registrar).registrarResult?.result).toBe('success');
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const flow = runFlow(enrollee, enrollee.start(), new ScriptedRegistrar({ device: REG, pin: PIN, credential: CRED }));
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials).toEqual([CRED]);
  });

  it('AP PIN guessing: the AP reports each failure and locks after three (ApPinLockout)', () => {
    let now = 0;
    const lockout = new ApPinLockout({ now: () => now });
    const apSettings = credential('ap', 'ap passphrase', AP.macAddress);
    const results: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings, setupLocked: lockout.isLocked() } });
      const attacker = new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: pinPolicy(`${1000 + i}5670`) });
      const flow = runFlow(ap, ap.start(), attacker);
      for (const ev of eventsOf(flow.enrolleeEvents, 'pwd-auth-fail')) {
        expect(ev.local).toBe('enrollee');
        lockout.recordFailure();
      }
      results.push(eventsOf(flow.registrarEvents, 'fail')[0]?.configError);
      now += 1000;
    }
    // Three wrong first halves, then AP setup locked.
    expect(results).toEqual([18, 18, 18, 15]);
    expect(lockout.isLocked()).toBe(true);
  });
});

describe('tampered bytes between the two machines', () => {
  for (const type of [MessageType.M2, MessageType.M3, MessageType.M4, MessageType.M5, MessageType.M6, MessageType.M7, MessageType.M8]) {
    it(`an Authenticator mismatch in ${messageTypeName(type)} is NACKed and reported by both sides`, () => {
      const flow = stationFlow({ tamper: flipAuthenticator(type) });
      const detector = ENROLLEE_RECEIVES.has(type) ? flow.enrolleeEvents : flow.registrarEvents;
      const other = ENROLLEE_RECEIVES.has(type) ? flow.registrarEvents : flow.enrolleeEvents;
      expect(eventsOf(detector, 'fail')).toMatchObject([{ msg: type, configError: ConfigError.NoError, reason: 'authenticator-mismatch' }]);
      expect(nackConfigError(stepFor(flow, type)?.reply)).toBe(ConfigError.NoError);
      expect(eventsOf(other, 'fail')).toMatchObject([{ msg: type, configError: ConfigError.NoError, reason: 'nack-received' }]);
      expect(flow.enrolleeResult?.result).toBe('failure');
      expect(flow.registrarResult?.result).toBe('failure');
      expect(eventsOf([...flow.enrolleeEvents, ...flow.registrarEvents], 'success')).toEqual([]);
    });
  }

  for (const type of [MessageType.M4, MessageType.M6, MessageType.M8]) {
    it(`a Key Wrap Authenticator mismatch in ${messageTypeName(type)} (from the Registrar) is NACKed with Decryption CRC Failure`, () => {
      const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
      const registrar = new ScriptedRegistrar({ device: REG, pin: PIN, credential: CRED, corruptKwaIn: type });
      const flow = runFlow(enrollee, enrollee.start(), registrar);
      expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([
        { msg: type, configError: ConfigError.DecryptionCrcFailure, reason: 'key-wrap-authenticator-mismatch' },
      ]);
      expect(nackConfigError(stepFor(flow, type)?.reply)).toBe(ConfigError.DecryptionCrcFailure);
      expect(flow.enrolleeResult?.credentials).toBeUndefined();
    });
  }

  for (const type of [MessageType.M5, MessageType.M7]) {
    it(`a Key Wrap Authenticator mismatch in ${messageTypeName(type)} (from the Enrollee) is NACKed with Decryption CRC Failure`, () => {
      const enrollee = new ScriptedEnrollee({ device: STA, hashPin: PIN, corruptKwaIn: type });
      const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
      const flow = runFlow(enrollee, enrollee.start(), registrar);
      expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([
        { msg: type, configError: ConfigError.DecryptionCrcFailure, reason: 'key-wrap-authenticator-mismatch' },
      ]);
      expect(nackConfigError(stepFor(flow, type)?.reply)).toBe(ConfigError.DecryptionCrcFailure);
      expect(flow.wire.some((w) => w.type === MessageType.M8)).toBe(false);
    });
  }

  it('a Registrar that changes the Device Password ID in M2 is refused', () => {
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M2, AttributeType.DevicePasswordId, () => Buffer.from([0, 5])) });
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M2, reason: 'password-id-mismatch' }]);
    expect(nackConfigError(stepFor(flow, MessageType.M2)?.reply)).toBe(0);
  });

  it('a degenerate DH public key (1) in M1 is refused with WSC_NACK', () => {
    const one = Buffer.alloc(192);
    one[191] = 1;
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M1, AttributeType.PublicKey, () => one) });
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M1, reason: 'bad-public-key' }]);
    expect(nackConfigError(flow.registrar[0]?.reply)).toBe(0);
  });
});

describe('a missing mandatory attribute', () => {
  /** Which flow carries a message of each type. */
  const flows: Record<number, (tamper: Parameters<typeof runFlow>[3]) => FlowResult> = {};
  for (const t of [MessageType.M1, MessageType.M2, MessageType.M3, MessageType.M4, MessageType.M5, MessageType.M6, MessageType.M7, MessageType.M8]) {
    flows[t] = (tamper) => stationFlow({ tamper });
  }
  flows[MessageType.M2D] = (tamper) => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    return runFlow(enrollee, enrollee.start(), new Registrar({ device: REG, policy: { devicePassword: () => undefined } }), tamper);
  };
  const apConfigure = (tamper: Parameters<typeof runFlow>[3]): FlowResult => {
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: credential('ap', 'ap passphrase', AP.macAddress) } });
    const reg = new Registrar({ device: REG, apSettings: { mode: 'configure', settings: credential('new', 'new passphrase', AP.macAddress) }, policy: pinPolicy(PIN) });
    return runFlow(ap, ap.start(), reg, tamper);
  };
  flows[MessageType.WscDone] = apConfigure;
  flows[MessageType.WscAck] = apConfigure;

  /**
   * The receiver's own nonce identifies the run: a message without it gets no
   * WSC_NACK (hostapd). WSC_ACK and WSC_Done must carry both nonces. An M1
   * without Version/Message Type is not even known to be an M1.
   */
  const noNack = (type: number, attr: number): boolean => {
    if (type === MessageType.WscAck || type === MessageType.WscDone) return attr === AttributeType.EnrolleeNonce || attr === AttributeType.RegistrarNonce;
    if (type === MessageType.M1) return attr === AttributeType.EnrolleeNonce || attr === AttributeType.Version || attr === AttributeType.MessageType;
    return attr === (ENROLLEE_RECEIVES.has(type) ? AttributeType.EnrolleeNonce : AttributeType.RegistrarNonce);
  };

  for (const [typeKey, make] of Object.entries(flows)) {
    const type = Number(typeKey);
    for (const attr of MANDATORY_ATTRIBUTES[type] ?? []) {
      it(`${messageTypeName(type)} without ${attributeName(attr)} fails the run with the right answer`, () => {
        const flow = make(dropAttribute(type, attr));
        const receiverEvents = ENROLLEE_RECEIVES.has(type) ? flow.enrolleeEvents : flow.registrarEvents;
        const fail = eventsOf(receiverEvents, 'fail');
        expect(fail).toHaveLength(1);
        expect(fail[0]).toMatchObject({ reason: 'missing-attribute', attrType: attr, configError: 0 });
        // Without a Message Type the message cannot say what it was.
        expect(fail[0]?.msg).toBe(attr === AttributeType.MessageType ? 0 : type);
        const reply = stepFor(flow, type)?.reply;
        if (noNack(type, attr)) expect(reply).toBeUndefined();
        else expect(nackConfigError(reply)).toBe(ConfigError.NoError);
        expect(eventsOf(receiverEvents, 'success')).toEqual([]);
      });
    }
  }

  const inner: [number, number, 'registrar' | 'enrollee'][] = [
    [MessageType.M4, AttributeType.RSnonce1, 'registrar'],
    [MessageType.M6, AttributeType.RSnonce2, 'registrar'],
    [MessageType.M8, AttributeType.Credential, 'registrar'],
    [MessageType.M5, AttributeType.ESnonce1, 'enrollee'],
    [MessageType.M7, AttributeType.ESnonce2, 'enrollee'],
  ];
  for (const [type, attr, sender] of inner) {
    it(`${messageTypeName(type)} whose Encrypted Settings lack ${attributeName(attr)} is NACKed`, () => {
      let flow: FlowResult;
      if (sender === 'registrar') {
        const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
        flow = runFlow(enrollee, enrollee.start(), new ScriptedRegistrar({ device: REG, pin: PIN, credential: CRED, emptySettingsIn: type }));
      } else {
        const enrollee = new ScriptedEnrollee({ device: STA, hashPin: PIN, emptySettingsIn: type });
        flow = runFlow(enrollee, enrollee.start(), new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } }));
      }
      const events = sender === 'registrar' ? flow.enrolleeEvents : flow.registrarEvents;
      const reason = type === MessageType.M8 ? 'no-usable-credential' : 'missing-attribute';
      expect(eventsOf(events, 'fail')).toMatchObject([{ msg: type, reason, attrType: attr, configError: 0 }]);
      expect(nackConfigError(stepFor(flow, type)?.reply)).toBe(0);
    });
  }
});

describe('credentials an Enrollee cannot use', () => {
  it('a WEP-only credential in M8 is skipped and the run fails with WEP Prohibited', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new ScriptedRegistrar({ device: REG, pin: PIN, credential: { ...CRED, encrType: EncrType.Wep } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([
      { msg: MessageType.M8, reason: 'no-usable-credential', errorIndication: ErrorIndication.SecurityWepProhibited },
    ]);
    expect(eventsOf(flow.enrolleeEvents, 'cred-received')).toEqual([]);
    expect(flow.enrolleeResult?.credentials).toBeUndefined();
  });
});

describe('the Registrar PIN after a failed run', () => {
  it('is invalidated when the run fails after M6 revealed R-S2 (wrong second half at the Enrollee)', () => {
    const flow = stationFlow({ enrolleePin: PIN, registrarPin: '12349999' });
    expect(eventsOf(flow.registrarEvents, 'invalidate-pin')).toEqual([{ type: 'invalidate-pin', uuid: STA.uuid, macAddress: STA.macAddress }]);
  });

  it('is invalidated when the Enrollee gets the second half wrong', () => {
    const rogue = new ScriptedEnrollee({ device: STA, hashPin: '12340000' });
    const flow = runFlow(rogue, rogue.start(), new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } }));
    expect(eventsOf(flow.registrarEvents, 'invalidate-pin')).toHaveLength(1);
  });

  it('is kept when the run fails before M6 (wrong first half) or succeeds', () => {
    expect(eventsOf(stationFlow({ registrarPin: '87655670' }).registrarEvents, 'invalidate-pin')).toEqual([]);
    expect(eventsOf(stationFlow().registrarEvents, 'invalidate-pin')).toEqual([]);
  });
});

describe('a policy hook that throws', () => {
  it('fails the run with internal-error and WSC_NACK instead of throwing', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({
      device: REG,
      policy: {
        ...pinPolicy(PIN),
        credentials: () => {
          throw new Error('credential store unavailable');
        },
      },
    });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, reason: 'internal-error', detail: 'Error: credential store unavailable' }]);
    expect(nackConfigError(stepFor(flow, MessageType.M7)?.reply)).toBe(0);
  });
});

describe('messages out of order and from other runs', () => {
  it('M5 where M3 is due is NACKed by the Registrar', () => {
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M3, AttributeType.MessageType, () => Buffer.from([MessageType.M5])) });
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M5, reason: 'unexpected-message', configError: 0 }]);
    expect(nackConfigError(flow.registrar[1]?.reply)).toBe(0);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M3, reason: 'nack-received' }]);
  });

  it('M6 where M4 is due is NACKed by the Enrollee', () => {
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M4, AttributeType.MessageType, () => Buffer.from([MessageType.M6])) });
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M6, reason: 'unexpected-message' }]);
    expect(nackConfigError(flow.enrollee[1]?.reply)).toBe(0);
  });

  it('a second M1 in the middle of a run ends it without WSC_NACK (hostapd)', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
    const m1 = enrollee.start();
    expect(typeOf(registrar.receive(m1).reply as Buffer)).toBe(MessageType.M2);
    const step = registrar.receive(m1);
    expect(step.reply).toBeUndefined();
    expect(step.result).toBe('failure');
    expect(eventsOf(step.events, 'fail')).toMatchObject([{ msg: MessageType.M1, reason: 'unexpected-message' }]);
  });

  it('a message the Enrollee never receives (M3) ends the run without WSC_NACK', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
    const m2 = registrar.receive(enrollee.start()).reply as Buffer;
    const m3 = enrollee.receive(m2).reply as Buffer;
    const step = enrollee.receive(m3);
    expect(step.reply).toBeUndefined();
    expect(eventsOf(step.events, 'fail')).toMatchObject([{ msg: MessageType.M3, reason: 'unexpected-message' }]);
  });

  it('an Enrollee Nonce from another run in M4 ends the run without WSC_NACK', () => {
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M4, AttributeType.EnrolleeNonce, (n) => Buffer.from(n.map((b) => b ^ 0xff))) });
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M4, reason: 'nonce-mismatch', attrType: AttributeType.EnrolleeNonce }]);
    expect(flow.enrollee[1]?.reply).toBeUndefined();
    expect(flow.enrolleeResult?.result).toBe('failure');
  });

  it('a Registrar Nonce from another run in M5 ends the run without WSC_NACK', () => {
    const flow = stationFlow({ tamper: replaceAttribute(MessageType.M5, AttributeType.RegistrarNonce, (n) => Buffer.from(n.map((b) => b ^ 0xff))) });
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M5, reason: 'nonce-mismatch', attrType: AttributeType.RegistrarNonce }]);
    expect(flow.registrar[2]?.reply).toBeUndefined();
  });

  it('input after the end of a run changes nothing', () => {
    const flow = stationFlow();
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    expect(enrollee.receive(flow.wire[1]?.raw as Buffer)).toMatchObject({ result: 'failure', events: [{ type: 'fail', reason: 'unexpected-message' }] });
    expect(enrollee.receive(flow.wire[1]?.raw as Buffer)).toEqual({ events: [], result: 'failure' });
  });

  it('garbage is refused as malformed without WSC_NACK', () => {
    const registrar = new Registrar({ device: REG, policy: pinPolicy(PIN) });
    const step = registrar.receive(Buffer.from([0x10, 0x4a, 0x00, 0x05, 0x10]));
    expect(step).toMatchObject({ result: 'failure', events: [{ type: 'fail', reason: 'malformed-message', msg: 0 }] });
    expect(step.reply).toBeUndefined();
  });

  it('a Registrar without a credential for the station NACKs at M7', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [] } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, reason: 'no-credential' }]);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, reason: 'nack-received' }]);
  });
});

describe('PBC session overlap', () => {
  it('two Enrollees pushing within the monitor time: M2D with config error 12 and an overlap event', () => {
    let now = 10_000;
    const pbc = new PbcSessions({ now: () => now });
    expect(pbc.buttonPushed()).toBe(true);
    const other = device('other station', '02:00:00:00:03:00');
    pbc.probeRequest(other.macAddress, other.uuid);
    now += 2000;
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pbc' } });
    const registrar = new Registrar({ device: REG, pbc, policy: { devicePassword: () => ({ kind: 'pbc' }), credentials: () => [CRED] } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.wire.map((w) => w.type)).toEqual([MessageType.M1, MessageType.M2D, MessageType.WscAck]);
    expect(eventsOf(flow.registrarEvents, 'pbc-overlap')).toEqual([{ type: 'pbc-overlap', uuid: STA.uuid, macAddress: STA.macAddress }]);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M1, configError: ConfigError.MultiplePbcSessionsDetected, reason: 'pbc-overlap' }]);
    expect(eventsOf(flow.enrolleeEvents, 'm2d')[0]?.configError).toBe(12);
    expect(flow.enrolleeEvents.some((e) => e.type === 'cred-received')).toBe(false);
  });

  it('the same Enrollee probing again is not an overlap', () => {
    const pbc = new PbcSessions({ now: () => 5000 });
    pbc.buttonPushed();
    pbc.probeRequest(STA.macAddress, STA.uuid);
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pbc' } });
    const registrar = new Registrar({ device: REG, pbc, policy: { devicePassword: () => ({ kind: 'pbc' }), credentials: () => [CRED] } });
    expect(runFlow(enrollee, enrollee.start(), registrar).enrolleeResult?.result).toBe('success');
  });

  it('a second Enrollee pushing during the run stops it at the next message with WSC_NACK 12', () => {
    const pbc = new PbcSessions({ now: () => 5000 });
    pbc.buttonPushed();
    const other = device('late station', '02:00:00:00:04:00');
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pbc' } });
    const registrar = new Registrar({ device: REG, pbc, policy: { devicePassword: () => ({ kind: 'pbc' }), credentials: () => [CRED] } });
    const flow = runFlow(enrollee, enrollee.start(), registrar, (raw, _from, type) => {
      if (type === MessageType.M3) pbc.probeRequest(other.macAddress, other.uuid);
      return raw;
    });
    expect(eventsOf(flow.registrarEvents, 'pbc-overlap')).toHaveLength(1);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M3, configError: 12, reason: 'pbc-overlap' }]);
    expect(nackConfigError(flow.registrar[1]?.reply)).toBe(12);
    expect(flow.enrolleeResult?.result).toBe('failure');
  });
});

describe('any pair of device passwords', () => {
  it('succeeds exactly when both sides hold the same password, else names the first wrong half', () => {
    const digits = fc.stringMatching(/^[0-9]{8}$/);
    fc.assert(
      fc.property(digits, fc.oneof(digits, fc.constant('same')), (a, bRaw) => {
        const b = bRaw === 'same' ? a : bRaw;
        const flow = stationFlow({ enrolleePin: a, registrarPin: b });
        const auth = eventsOf(flow.enrolleeEvents, 'pwd-auth-fail');
        if (a === b) {
          expect(flow.enrolleeResult?.result).toBe('success');
          expect(auth).toEqual([]);
        } else {
          expect(flow.enrolleeResult?.result).toBe('failure');
          expect(auth.map((e) => e.part)).toEqual([a.slice(0, 4) !== b.slice(0, 4) ? 1 : 2]);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('hostile input never throws', () => {
  const valid = stationFlow().wire;
  it('random bytes and mutated messages get a step, at every point of a run', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: valid.length - 1 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.record({ idx: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }).map(({ idx, byte }) => {
            const src = Buffer.from(valid[idx % valid.length]?.raw ?? Buffer.alloc(0));
            if (src.length > 0) src[idx % src.length] = byte;
            return src;
          }),
        ),
        (upTo, input) => {
          const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
          const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [CRED] } });
          // Drive a fresh run to a random point, then feed the hostile input to both sides.
          let msg: Buffer | undefined = enrollee.start();
          for (let i = 0; i < upTo && msg !== undefined; i++) {
            msg = (i % 2 === 0 ? registrar : enrollee).receive(msg).reply;
          }
          for (const m of [enrollee, registrar]) {
            const step = m.receive(input);
            expect(Array.isArray(step.events)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
