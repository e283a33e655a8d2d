/**
 * In-memory registration runs: a real Enrollee against a real Registrar, the
 * bytes of each reply carried straight to the other side. Successful flows.
 */
import { describe, expect, it } from 'vitest';
import { AttributeType, encodeAttributes, parseAttributes } from '../src/wps/attributes.js';
import { Enrollee } from '../src/wps/enrollee.js';
import { eventsOf } from '../src/wps/events.js';
import { parseMessage } from '../src/wps/message.js';
import { PbcSessions } from '../src/wps/pbc.js';
import { Registrar, type DevicePasswordChoice, type EnrolleeInfo } from '../src/wps/registrar.js';
import { AuthType, ConfigError, DevicePasswordId, EncrType, MessageType, WpsState } from '../src/wps/values.js';
import { MultiApBits } from '../src/wps/vendor-ext.js';
import { AP, credential, REG, runFlow, seededRng, STA, nackConfigError } from './wps-flows-helpers.js';

const PIN = '12345670';
const pinPolicy = (pin: string) => ({ devicePassword: (): DevicePasswordChoice => ({ kind: 'pin', pin }) });

describe('a station enrolls with a PIN', () => {
  it('gets the Registrar credential in M8 and both sides report success', () => {
    const cred = credential('home-net', 'correct horse battery', STA.macAddress);
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, peerAddress: AP.macAddress });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [cred] } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);

    expect(flow.wire.map((w) => w.type)).toEqual([
      MessageType.M1, MessageType.M2, MessageType.M3, MessageType.M4, MessageType.M5,
      MessageType.M6, MessageType.M7, MessageType.M8, MessageType.WscDone, MessageType.WscAck,
    ]);
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.registrarResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials).toEqual([cred]);
    expect(flow.registrarResult?.credentials).toEqual([cred]);

    const received = eventsOf(flow.enrolleeEvents, 'cred-received');
    expect(received).toHaveLength(1);
    expect(received[0]?.credential).toEqual(cred);
    // The event carries the whole Credential attribute, header included (WPS-CRED-RECEIVED).
    expect(parseAttributes(received[0]?.attribute ?? Buffer.alloc(0)).map((a) => a.type)).toEqual([AttributeType.Credential]);
    expect(eventsOf(flow.enrolleeEvents, 'success')).toEqual([{ type: 'success', peerMac: AP.macAddress }]);
    expect(eventsOf(flow.registrarEvents, 'reg-success')).toEqual([
      { type: 'reg-success', macAddress: STA.macAddress, uuid: STA.uuid, password: 'pin' },
    ]);
    expect(eventsOf(flow.registrarEvents, 'success')).toEqual([{ type: 'success', peerMac: STA.macAddress }]);
    expect(eventsOf([...flow.enrolleeEvents, ...flow.registrarEvents], 'fail')).toEqual([]);
    // WSC_ACK answers the Enrollee's last word; only an EAP-peer Registrar sends it.
    expect(flow.registrarResult?.closing).toBe(true);
  });

  it('receives several credentials in one M8, each with its network index', () => {
    const creds = [credential('net-a', 'passphrase-a', STA.macAddress, 1), credential('net-b', 'passphrase-b', STA.macAddress, 2)];
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => creds } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials?.map((c) => [c.networkIndex, c.ssid.toString()])).toEqual([
      [1, 'net-a'],
      [2, 'net-b'],
    ]);
    expect(eventsOf(flow.enrolleeEvents, 'cred-received')).toHaveLength(2);
  });

  it('lets the policy see the Enrollee from M1 (UUID, MAC, device name, password id)', () => {
    const seen: EnrolleeInfo[] = [];
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({
      device: REG,
      policy: {
        devicePassword: (e) => {
          seen.push(e);
          return { kind: 'pin', pin: PIN };
        },
        credentials: (e) => [credential('x-net', 'passphrase', e.macAddress)],
      },
    });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.registrarResult?.result).toBe('success');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.uuid).toEqual(STA.uuid);
    expect(seen[0]?.macAddress).toEqual(STA.macAddress);
    expect(seen[0]?.device.deviceName).toBe('station');
    expect(seen[0]?.devicePasswordId).toBe(DevicePasswordId.Default);
    expect(seen[0]?.version2).toBe(true);
    expect(registrar.enrollee?.device.manufacturer).toBe('wpsd tests');
    expect(enrollee.registrar?.uuid).toEqual(REG.uuid);
    // Both sides agree on the run's nonces (a UPnP device matches PutMessage to runs by them).
    expect(enrollee.nonces).toEqual(registrar.nonces);
    expect(parseMessage(flow.wire[0]?.raw as Buffer).get(AttributeType.EnrolleeNonce)).toEqual(enrollee.nonces.enrollee);
  });

  it('is reproducible with an injected random source', () => {
    const a = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, rng: seededRng('one') }).start();
    const b = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, rng: seededRng('one') }).start();
    const c = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, rng: seededRng('two') }).start();
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });
});

describe('push button (PBC)', () => {
  it('enrolls with Device Password ID PushButton and PIN 00000000', () => {
    let now = 1_000_000;
    const pbc = new PbcSessions({ now: () => now });
    expect(pbc.buttonPushed()).toBe(true);
    const cred = credential('pbc-net', 'pbc passphrase', STA.macAddress);
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pbc' } });
    const registrar = new Registrar({
      device: REG,
      pbc,
      policy: { devicePassword: () => (pbc.active ? { kind: 'pbc' } : undefined), credentials: () => [cred] },
    });
    const m1 = enrollee.start();
    expect(parseMessage(m1).get(AttributeType.DevicePasswordId)?.readUInt16BE(0)).toBe(DevicePasswordId.PushButton);
    now += 1000;
    const flow = runFlow(enrollee, m1, registrar);
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.enrolleeResult?.credentials).toEqual([cred]);
    expect(eventsOf(flow.registrarEvents, 'reg-success')[0]?.password).toBe('pbc');
    // Success ends PBC mode and forgets the session.
    expect(pbc.active).toBe(false);
    expect(pbc.sessions()).toEqual([]);
  });

  it('a PushButton M1 while PBC mode is off gets M2D without a PIN request', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pbc' } });
    const registrar = new Registrar({ device: REG, policy: { devicePassword: () => undefined } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.wire.map((w) => w.type)).toEqual([MessageType.M1, MessageType.M2D, MessageType.WscAck]);
    expect(eventsOf(flow.registrarEvents, 'pin-needed')).toEqual([]);
    expect(flow.registrarResult?.result).toBe('failure');
  });
});

describe('M2D when the Registrar has no password for the Enrollee', () => {
  it('sends M2D, asks for the PIN, and the station acknowledges and keeps waiting', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { devicePassword: () => undefined } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.wire.map((w) => w.type)).toEqual([MessageType.M1, MessageType.M2D, MessageType.WscAck]);
    const needed = eventsOf(flow.registrarEvents, 'pin-needed');
    expect(needed).toHaveLength(1);
    expect(needed[0]?.uuid).toEqual(STA.uuid);
    expect(needed[0]?.macAddress).toEqual(STA.macAddress);
    expect(needed[0]?.device.deviceName).toBe('station');
    const m2d = eventsOf(flow.enrolleeEvents, 'm2d');
    expect(m2d).toHaveLength(1);
    expect(m2d[0]?.device.deviceName).toBe('registrar');
    expect(m2d[0]?.configError).toBe(ConfigError.NoError);
    // The Registrar run ends on the ACK; the station still waits for a Registrar that knows its PIN.
    expect(flow.registrarResult?.result).toBe('failure');
    expect(enrollee.result).toBeUndefined();
    expect(enrollee.state).toBe('recv-m2');

    // A second Registrar with the PIN can still complete the same Enrollee run.
    const cred = credential('later', 'passphrase', STA.macAddress);
    const second = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [cred] } });
    const m1 = flow.wire[0]?.raw as Buffer;
    const again = runFlow(enrollee, m1, second);
    expect(again.enrolleeResult?.result).toBe('success');
    expect(again.enrolleeResult?.credentials).toEqual([cred]);
  });

  it("accepts hostapd's acknowledgement of M2D, which carries an all-zero Registrar Nonce", () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { devicePassword: () => undefined } });
    const m2d = registrar.receive(enrollee.start()).reply as Buffer;
    const ack = enrollee.receive(m2d).reply as Buffer;
    const zeroed = encodeAttributes(parseAttributes(ack).map((a) => (a.type === AttributeType.RegistrarNonce ? { type: a.type, value: Buffer.alloc(16) } : a)));
    const step = registrar.receive(zeroed);
    expect(step).toEqual({ events: [], result: 'failure' });
  });

  it('an AP Registrar with setup locked says config error 15 in M2D', () => {
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, setupLocked: true, policy: { devicePassword: () => undefined } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(eventsOf(flow.enrolleeEvents, 'm2d')[0]?.configError).toBe(ConfigError.SetupLocked);
  });
});

describe('an AP as Enrollee (AP PIN)', () => {
  const apSettings = credential('ap-current', 'current passphrase', AP.macAddress);

  it('learn: the Registrar reads the AP settings from M7 and ends with WSC_NACK', () => {
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings } });
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: pinPolicy(PIN) });
    const flow = runFlow(ap, ap.start(), registrar);
    expect(flow.wire.map((w) => w.type).slice(0, 8)).toEqual([
      MessageType.M1, MessageType.M2, MessageType.M3, MessageType.M4, MessageType.M5, MessageType.M6, MessageType.M7, MessageType.WscNack,
    ]);
    expect(flow.registrarResult?.result).toBe('success');
    const learned = eventsOf(flow.registrarEvents, 'er-ap-settings');
    expect(learned).toHaveLength(1);
    expect(learned[0]?.uuid).toEqual(AP.uuid);
    expect(learned[0]?.settings.ssid.toString()).toBe('ap-current');
    expect(learned[0]?.settings.networkKey.toString()).toBe('current passphrase');
    expect(learned[0]?.settings.authType).toBe(AuthType.Wpa2Psk);
    expect(learned[0]?.settings.macAddress).toEqual(AP.macAddress);
    expect(flow.registrarResult?.credentials?.[0]?.ssid.toString()).toBe('ap-current');
    // hostapd reports the learn-only end as WPS-FAIL msg=7 config_error=0.
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, configError: 0, reason: 'learn-complete' }]);
    // The AP sees the NACK: not configured, nothing changed.
    expect(flow.enrolleeResult?.result).toBe('failure');
    expect(eventsOf(flow.enrolleeEvents, 'new-ap-settings')).toEqual([]);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M7, configError: 0, reason: 'nack-received' }]);
    expect(eventsOf(flow.enrolleeEvents, 'ap-pin-success')).toHaveLength(1);
  });

  it('configure: the Registrar sends new settings in M8 and both sides agree on them', () => {
    const newSettings = credential('new-ssid', 'new passphrase!', Buffer.alloc(6));
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings, wpsState: WpsState.NotConfigured } });
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'configure', settings: newSettings }, policy: pinPolicy(PIN) });
    const m1 = ap.start();
    expect(parseMessage(m1).get(AttributeType.WifiProtectedSetupState)?.[0]).toBe(WpsState.NotConfigured);
    const flow = runFlow(ap, m1, registrar);
    expect(flow.wire.map((w) => w.type)).toEqual([
      MessageType.M1, MessageType.M2, MessageType.M3, MessageType.M4, MessageType.M5,
      MessageType.M6, MessageType.M7, MessageType.M8, MessageType.WscDone, MessageType.WscAck,
    ]);
    expect(flow.enrolleeResult?.result).toBe('success');
    expect(flow.registrarResult?.result).toBe('success');
    const applied = eventsOf(flow.enrolleeEvents, 'new-ap-settings');
    expect(applied).toHaveLength(1);
    expect(applied[0]?.settings.ssid.toString()).toBe('new-ssid');
    expect(applied[0]?.settings.networkKey.toString()).toBe('new passphrase!');
    // The AP keeps its own MAC (from M7) in the settings.
    expect(applied[0]?.settings.macAddress).toEqual(AP.macAddress);
    // The raw settings are what hostapd prints in WPS-NEW-AP-SETTINGS: Credential fields, KWA last.
    const raw = parseAttributes(applied[0]?.attributes ?? Buffer.alloc(0));
    expect(raw[0]?.type).toBe(AttributeType.NetworkIndex);
    expect(raw.at(-1)?.type).toBe(AttributeType.KeyWrapAuthenticator);
    expect(raw.at(-1)?.value).toHaveLength(8);
    expect(flow.enrolleeResult?.credentials).toEqual(flow.registrarResult?.credentials);
    expect(eventsOf(flow.registrarEvents, 'er-ap-settings')[0]?.settings.ssid.toString()).toBe('ap-current');
    expect(eventsOf(flow.enrolleeEvents, 'success')).toHaveLength(1);
  });

  it('a WPA-PSK/TKIP-only configuration is upgraded to mixed mode, then loses WPA-PSK and TKIP, as a CONFIG_NO_TKIP hostapd does', () => {
    const tkip = { ...credential('old-style', 'passphrase', Buffer.alloc(6)), authType: AuthType.WpaPsk, encrType: EncrType.Tkip };
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings } });
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'configure', settings: tkip }, policy: pinPolicy(PIN) });
    const flow = runFlow(ap, ap.start(), registrar);
    const s = eventsOf(flow.enrolleeEvents, 'new-ap-settings')[0]?.settings;
    expect(s?.authType).toBe(AuthType.Wpa2Psk);
    expect(s?.encrType).toBe(EncrType.Aes);
  });

  it('M1 of an AP with a PIN hides PushButton config methods', () => {
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings } });
    const methods = parseMessage(ap.start()).get(AttributeType.ConfigMethods)?.readUInt16BE(0) ?? 0;
    expect(methods & 0x0080).toBe(0);
    expect(methods & 0x0008).not.toBe(0);
  });

  it('refuses Registrars at M2 while AP setup is locked (config error 15)', () => {
    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: { settings: apSettings, setupLocked: true } });
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: pinPolicy(PIN) });
    const flow = runFlow(ap, ap.start(), registrar);
    expect(nackConfigError(flow.enrollee[0]?.reply)).toBe(ConfigError.SetupLocked);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M2, configError: 15, reason: 'setup-locked' }]);
    // The Registrar reports WPS-FAIL msg=5 config_error=15 (hostapd test_ap_wps_setup_locked).
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M2, configError: 15, reason: 'nack-received' }]);
  });

  it('an AP without an AP PIN refuses external Registrars', () => {
    const ap = new Enrollee({ device: AP, ap: { settings: apSettings } });
    const registrar = new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: pinPolicy(PIN) });
    const flow = runFlow(ap, ap.start(), registrar);
    expect(nackConfigError(flow.enrollee[0]?.reply)).toBe(ConfigError.SetupLocked);
  });

  it("'learn-only' lock lets a Registrar learn but refuses new settings at M8", () => {
    const learnOnly = { settings: apSettings, setupLocked: 'learn-only' as const };
    const learner = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: learnOnly });
    const learn = runFlow(learner, learner.start(), new Registrar({ device: REG, apSettings: { mode: 'learn' }, policy: pinPolicy(PIN) }));
    expect(learn.registrarResult?.result).toBe('success');

    const ap = new Enrollee({ device: AP, password: { kind: 'pin', pin: PIN }, ap: learnOnly });
    const newSettings = credential('hijack', 'passphrase', Buffer.alloc(6));
    const flow = runFlow(ap, ap.start(), new Registrar({ device: REG, apSettings: { mode: 'configure', settings: newSettings }, policy: pinPolicy(PIN) }));
    expect(eventsOf(flow.enrolleeEvents, 'new-ap-settings')).toEqual([]);
    expect(eventsOf(flow.enrolleeEvents, 'fail')).toMatchObject([{ msg: MessageType.M8, configError: 15, reason: 'setup-locked' }]);
    expect(eventsOf(flow.registrarEvents, 'fail')).toMatchObject([{ msg: MessageType.M8, configError: 15, reason: 'nack-received' }]);
  });
});

describe('WPS 1.0 and 2.0 peers', () => {
  for (const [label, eV2, rV2] of [
    ['a WPS 1.0 Enrollee (no Version2) with a WPS 2.0 Registrar', false, true],
    ['a WPS 2.0 Enrollee with a WPS 1.0 Registrar', true, false],
    ['two WPS 1.0 peers', false, false],
  ] as const) {
    it(`${label} completes`, () => {
      const cred = credential('v-net', 'passphrase', STA.macAddress);
      const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, version2: eV2 });
      const registrar = new Registrar({ device: REG, version2: rV2, policy: { ...pinPolicy(PIN), credentials: () => [cred] } });
      const flow = runFlow(enrollee, enrollee.start(), registrar);
      expect(flow.enrolleeResult?.result).toBe('success');
      expect(flow.registrarResult?.result).toBe('success');
      expect(flow.enrolleeResult?.credentials).toEqual([cred]);
      for (const w of flow.wire) {
        const wantV2 = w.from === 'enrollee' ? eV2 : rV2;
        expect(parseMessage(w.raw).wfa?.version2 !== undefined).toBe(wantV2);
      }
      expect(registrar.enrollee?.version2).toBe(eV2);
      expect(enrollee.registrar?.version2).toBe(rV2);
    });
  }
});

describe('Multi-AP onboarding', () => {
  it('a backhaul STA asks in M1 and the policy answers with backhaul credentials', () => {
    const fronthaul = credential('fronthaul', 'front passphrase', STA.macAddress);
    const backhaul = credential('backhaul', 'back passphrase', STA.macAddress);
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN }, multiApBackhaulSta: true });
    const m1 = enrollee.start();
    expect(parseMessage(m1).wfa?.multiAp).toBe(MultiApBits.BackhaulSta);
    const registrar = new Registrar({
      device: REG,
      policy: { ...pinPolicy(PIN), credentials: () => [fronthaul], multiApBackhaul: (e) => (e.multiAp === MultiApBits.BackhaulSta ? [backhaul] : undefined) },
    });
    const flow = runFlow(enrollee, m1, registrar);
    expect(flow.enrolleeResult?.credentials).toEqual([backhaul]);
  });

  it('a plain station gets the fronthaul credentials', () => {
    const fronthaul = credential('fronthaul', 'front passphrase', STA.macAddress);
    const backhaul = credential('backhaul', 'back passphrase', STA.macAddress);
    const enrollee = new Enrollee({ device: STA, password: { kind: 'pin', pin: PIN } });
    const registrar = new Registrar({ device: REG, policy: { ...pinPolicy(PIN), credentials: () => [fronthaul], multiApBackhaul: () => [backhaul] } });
    const flow = runFlow(enrollee, enrollee.start(), registrar);
    expect(flow.enrolleeResult?.credentials).toEqual([fronthaul]);
  });
});
