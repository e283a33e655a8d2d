// One BSS of wpsd ap in-process, its UPnP device on loopback, an External
// Registrar played by src/wps's Registrar over SOAP: the AP PIN lockout and
// its end, and new settings reaching the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../common/log.js';
import { buildSoapRequest } from '../upnp/soap.js';
import { parseRequest } from '../ctrl/request.js';
import { AP_PIN_DEFAULT_LOCKOUT_MS } from '../wps/ap-pin-lockout.js';
import { encodeApSettings } from '../wps/credential.js';
import { eventsOf } from '../wps/events.js';
import { readNfcTagHex } from '../wps/nfc/nfc-token.js';
import { Registrar, type ApSettingsMode } from '../wps/registrar.js';
import { AuthType, EncrType } from '../wps/values.js';
import { ApBss } from './ap-bss.js';
import { loadHostapdConfig } from './config.js';

const SERVICE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
const PIN = '12345670';
const ER = {
  uuid: Buffer.alloc(16, 0x27), macAddress: Buffer.from('020000000200', 'hex'), deviceName: 'ER', manufacturer: 'm', modelName: 'm',
  modelNumber: '1', serialNumber: '1', primaryDeviceType: Buffer.from('00010050f2040001', 'hex'), osVersion: 0, configMethods: 0x100, rfBands: 1,
};

async function soap(base: string, action: string, args: Record<string, string>): Promise<{ status: number; out?: Buffer }> {
  const res = await fetch(`${base}/wps_control`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${SERVICE}#${action}"` },
    body: buildSoapRequest(SERVICE, action, args),
  });
  const text = await res.text();
  const m = /<(?:NewDeviceInfo|NewOutMessage)>([\s\S]*?)</.exec(text);
  return { status: res.status, ...(m?.[1] !== undefined ? { out: Buffer.from(m[1], 'base64') } : {}) };
}

/** One ER run; returns the Registrar's events and how the AP answered each PutMessage. */
async function erRun(base: string, pin: string, mode: ApSettingsMode = { mode: 'learn' }) {
  const reg = new Registrar({ device: ER, apSettings: mode, policy: { devicePassword: () => ({ kind: 'pin', pin }) } });
  const info = await soap(base, 'GetDeviceInfo', {});
  let step = reg.receive(info.out as Buffer);
  const events = [...step.events];
  while (step.reply !== undefined && step.result === undefined) {
    const r = await soap(base, 'PutMessage', { NewInMessage: step.reply.toString('base64') });
    if (r.out === undefined) break;
    step = reg.receive(r.out);
    events.push(...step.events);
  }
  if (step.reply !== undefined && step.result !== undefined) await soap(base, 'PutMessage', { NewInMessage: step.reply.toString('base64') });
  return events;
}

describe('an AP BSS serving External Registrars', () => {
  let dir: string | undefined;
  let bss: ApBss | undefined;
  afterEach(async () => {
    await bss?.stop();
    bss = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(extra = '', apSetupLocked?: number): Promise<{ lines: string[]; setNow: (t: number) => void; path: string; base: string }> {
    dir = mkdtempSync(join(tmpdir(), 'wpsd-apbss-'));
    const path = join(dir, 'hostapd.conf');
    writeFileSync(path, `driver=none\ninterface=lo\nbssid=02:00:00:00:01:00\nupnp_iface=lo\nwps_state=2\nap_pin=${PIN}\nssid=test-wps\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=12345678\n${extra}`);
    const { config } = await loadHostapdConfig(path);
    if (apSetupLocked !== undefined && config.bss[0]) config.bss[0].apSetupLocked = apSetupLocked;
    const lines: string[] = [];
    let now = 1_000_000;
    bss = await ApBss.start({
      config,
      index: 0,
      ownAddr: Buffer.from('020000000100', 'hex'),
      uuid: Buffer.alloc(16, 0x12),
      logger: new Logger({ level: LogLevel.INFO, sink: (l) => lines.push(l) }),
      upnp: { httpPort: 0, ssdpPort: 20_000 + ((process.pid + 7) % 20_000) },
      now: () => now,
    });
    return { lines, setNow: (t) => (now = t), path, base: bss.wps?.proxy?.device.baseUrl ?? '' };
  }

  it('locks after three wrong AP PINs, refuses the right one while locked, and takes it once the lockout time has passed', async () => {
    const { lines, setNow, base } = await start();
    for (let i = 0; i < 3; i++) expect(eventsOf(await erRun(base, '11111115'), 'er-ap-settings')).toEqual([]);
    expect(lines).toContain('lo: WPS-AP-SETUP-LOCKED ');
    expect(lines.filter((l) => l === 'lo: WPS-FAIL msg=8 config_error=18')).toHaveLength(3);
    const locked = await erRun(base, PIN);
    expect(eventsOf(locked, 'er-ap-settings')).toEqual([]);
    expect(eventsOf(locked, 'fail')[0]).toMatchObject({ msg: 5, configError: 15 });
    setNow(1_000_000 + AP_PIN_DEFAULT_LOCKOUT_MS);
    const learned = eventsOf(await erRun(base, PIN), 'er-ap-settings');
    expect(learned[0]?.settings.ssid.toString()).toBe('test-wps');
    expect(lines).toContain('lo: WPS-AP-SETUP-UNLOCKED ');
  });

  it('new settings from a Registrar apply, reach the file atomically and show in the next learn', async () => {
    const { lines, path, base } = await start();
    const settings = { networkIndex: 1, ssid: Buffer.from('new-ssid'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('newpassphrase1'), macAddress: Buffer.alloc(6), extra: [] };
    await erRun(base, PIN, { mode: 'configure', settings });
    expect(lines).toContain('lo: WPS-NEW-AP-SETTINGS ');
    await bss?.flushWrites();
    expect(readFileSync(path, 'utf8')).toContain('# WPS configuration - START\nwps_state=2\nssid=new-ssid\n');
    expect(bss?.state.getConfigReply()).toContain('ssid=new-ssid\nwps_state=configured\npassphrase=newpassphrase1\n');
    const learned = eventsOf(await erRun(base, PIN), 'er-ap-settings');
    expect(learned[0]?.settings.networkKey.toString()).toBe('newpassphrase1');
    expect(lines.join('\n')).not.toContain('newpassphrase1');
  });

  it('with ap_setup_locked=2 a Registrar may learn but not configure', async () => {
    // hostapd takes ap_setup_locked=2 (atoi, no range check); the config parser here allows 0..1 only, so it is set directly.
    const { path, base } = await start('', 2);
    const before = readFileSync(path, 'utf8');
    expect(eventsOf(await erRun(base, PIN), 'er-ap-settings')).toHaveLength(1);
    const settings = { networkIndex: 1, ssid: Buffer.from('hijack'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('passphrase'), macAddress: Buffer.alloc(6), extra: [] };
    const ev = await erRun(base, PIN, { mode: 'configure', settings });
    expect(eventsOf(ev, 'fail')[0]).toMatchObject({ msg: 12, configError: 15 });
    await bss?.flushWrites();
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(bss?.state.ssid.toString()).toBe('test-wps');
  });

  it('ap_settings: M7 carries the file\'s AP Settings byte for byte instead of the configured ones', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wpsd-apset-')), 'ap-settings.bin');
    const preset = { networkIndex: 1, ssid: Buffer.from('preset-ssid'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('preset passphrase'), macAddress: Buffer.from('020000000100', 'hex'), extra: [] };
    writeFileSync(file, encodeApSettings(preset, 'enrollee'));
    try {
      const { base } = await start(`ap_settings=${file}\n`);
      const learned = eventsOf(await erRun(base, PIN), 'er-ap-settings');
      expect(learned[0]?.settings).toMatchObject({ ssid: preset.ssid, networkKey: preset.networkKey, authType: preset.authType, encrType: preset.encrType });
      expect(learned[0]?.attributes.toString('hex')).toBe(encodeApSettings(preset, 'enrollee').toString('hex'));
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
  });

  describe('WPS_NFC_CONFIG_TOKEN on an unconfigured AP (wps_state=1)', () => {
    const ctrlDir = (): string => mkdtempSync(join(tmpdir(), 'wpsd-apbss-ctrl-'));
    const configToken = async (f: string): Promise<string> => {
      const registry = bss?.ctrl?.registry;
      if (registry === undefined) throw new Error('no control interface');
      return registry.dispatch(parseRequest(Buffer.from(`WPS_NFC_CONFIG_TOKEN ${f}`)), '');
    };

    it("configures the AP with the token's new passphrase; a refused format changes nothing", async () => {
      const ctrl = ctrlDir();
      try {
        const { path, lines } = await start(`wps_state=1\nctrl_interface=${ctrl}\n`);
        const before = readFileSync(path, 'utf8');
        expect(await configToken('FOO')).toBe('FAIL\n');
        await bss?.flushWrites();
        expect(readFileSync(path, 'utf8')).toBe(before);
        expect(bss?.state.wpsState).toBe(1);
        const token = await configToken('WPS');
        const read = readNfcTagHex(token.trim());
        const passphrase = 'tag' in read && read.tag.kind === 'config' ? (read.tag.credentials[0]?.networkKey.toString('latin1') ?? '') : '';
        expect(passphrase).toMatch(/^[A-Za-z0-9+/]{22}$/);
        expect(bss?.state.wpsState).toBe(2);
        expect(bss?.state.passphrase?.toString('latin1')).toBe(passphrase);
        await bss?.flushWrites();
        expect(readFileSync(path, 'utf8')).toContain(`# WPS configuration - START\nwps_state=2\nssid=test-wps\nwpa=2\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=CCMP\nwpa_passphrase=${passphrase}\n`);
        expect(lines.join('\n')).toContain('WPS-NEW-AP-SETTINGS');
        // The passphrase is a secret: not in the log without -K.
        expect(lines.join('\n')).not.toContain(passphrase);
        // Configured now: the next token carries the same passphrase.
        expect(await configToken('WPS')).toBe(token);
      } finally {
        rmSync(ctrl, { recursive: true, force: true });
      }
    });

    it('with wps_cred_processing=1 only the event goes out (the Credential in it, masked in the log); the AP and its file stay as they were', async () => {
      const ctrl = ctrlDir();
      try {
        const { path, lines } = await start(`wps_state=1\nwps_cred_processing=1\nctrl_interface=${ctrl}\n`);
        const before = readFileSync(path, 'utf8');
        expect(await configToken('NDEF')).toMatch(/^D2[0-9A-F]+\n$/);
        expect(lines.join('\n')).toMatch(/WPS-NEW-AP-SETTINGS \S/);
        expect(bss?.state.wpsState).toBe(1);
        await bss?.flushWrites();
        expect(readFileSync(path, 'utf8')).toBe(before);
      } finally {
        rmSync(ctrl, { recursive: true, force: true });
      }
    });
  });
});
