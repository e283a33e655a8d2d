/**
 * `wpsd ap`'s NFC commands against Debian hostapd 2.10 on the same
 * configuration, and with Debian wpa_supplicant as reader and External
 * Registrar (no radio needed): the same password token, configuration token
 * and handover select, byte for byte; wpa_supplicant adds the network of
 * wpsd's configuration token; wpsd takes wpa_supplicant's password token and
 * refuses what hostapd refuses; with its own token enabled the AP still lets
 * an External Registrar learn it with the AP PIN (the PIN is the token's
 * alternative, as in hostapd); wpsd's ER writes a learned hostapd's settings
 * as the configuration token wpa_supplicant's ER writes, and wpa_supplicant
 * reads it; bad tags get FAIL from wpsd's AP, ER and station as from the
 * Debian daemons, and change nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { erLearn } from '../harness/er-runs.js';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd, type HostapdInstance } from '../harness/hostapd.js';
import { hostMac } from '../harness/netns.js';
import { startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import { startWpsdAp, startWpsdSta, WPSD_CLI, type WpsdApInstance, type WpsdStaInstance } from '../harness/wpsd.js';
import { buildNdefMessage, NdefTnf, wrapWscNdef, wscPayloadFromNdef } from '../src/wps/nfc/ndef.js';
import type { CtrlSession } from '../harness/ctrl-session.js';

const execFileP = promisify(execFile);
const EVENT_MS = 20_000;
const WPSD_AP_UUID = '12345678-9abc-def0-1234-56789abcde01';

async function tokenLines(): Promise<Record<string, string>> {
  const { stdout } = await execFileP(process.execPath, [WPSD_CLI, 'nfc-pw-token']);
  const out: Record<string, string> = {};
  for (const l of stdout.trim().split('\n')) {
    const i = l.indexOf('=');
    if (!l.startsWith('#')) out[l.slice(0, i)] = l.slice(i + 1);
  }
  return out;
}

const trim = (s: string): string => s.trim();

describe('wpsd ap NFC commands, beside Debian hostapd and wpa_supplicant', () => {
  const env = withTopology({ hosts: ['hapd', 'ap', 'er', 'er2'], link: 'bridge' });
  let hostapd: HostapdInstance;
  let ap: WpsdApInstance;
  let wpas: WpaSupplicantInstance;
  let erCtrl: CtrlSession;
  let nfc: Record<string, string>;
  let ours: WpsdStaInstance;
  let ourCtrl: CtrlSession;

  beforeAll(async () => {
    nfc = await tokenLines();
    hostapd = env.track(await startHostapd({ host: env.host('hapd'), extra: nfc }));
    // The same BSSID as hostapd's, so that the tokens that carry it compare byte for byte.
    const bssid = await hostMac(env.host('hapd'));
    ap = env.track(await startWpsdAp({ host: env.host('ap'), uuid: WPSD_AP_UUID, extra: { ...nfc, bssid }, args: ['-d'] }));
    // The ER holds the same NFC key as wpsd's ER below, so that their handover selects compare byte for byte.
    wpas = env.track(await startWpaSupplicantEr({ host: env.host('er'), extra: nfc }));
    erCtrl = env.track(await wpas.ctrl());
  });

  it('prints the same password token, configuration token and handover select as hostapd', async () => {
    for (const args of [['wps_nfc_token', 'WPS'], ['wps_nfc_token', 'NDEF'], ['wps_nfc_config_token', 'WPS'], ['wps_nfc_config_token', 'NDEF'], ['nfc_get_handover_sel', 'NDEF', 'WPS-CR'], ['nfc_get_handover_sel', 'WPS', 'WPS-CR']]) {
      const theirs = trim(await hostapd.cli(...args));
      expect(theirs).toMatch(/^[0-9A-F]{40,}$/);
      expect(trim(await ap.cli(...args)), args.join(' ')).toBe(theirs);
    }
    for (const args of [['wps_nfc_token', 'foo'], ['wps_nfc_config_token', 'FOO'], ['nfc_get_handover_sel', 'NDEF', 'foo']]) {
      expect(trim(await ap.cli(...args))).toBe(trim(await hostapd.cli(...args)));
    }
  });

  it("wpa_supplicant reads wpsd's configuration token into a network with the AP's SSID and passphrase", async () => {
    const token = trim(await ap.cli('wps_nfc_config_token', 'NDEF'));
    expect(trim(await wpas.cli('wps_nfc_tag_read', token))).toBe('OK');
    expect(await wpas.cli('list_networks')).toContain(`\t${REFERENCE_AP.ssid}\t`);
    expect(trim(await wpas.cli('save_config'))).toBe('OK');
    expect(wpas.currentConf()).toContain(`psk="${REFERENCE_AP.passphrase}"`);
  });

  it("takes wpa_supplicant's password token as hostapd does, and refuses what hostapd refuses", async () => {
    const pw = trim(await wpas.cli('wps_nfc_token', 'NDEF'));
    expect(trim(await ap.cli('wps_nfc_tag_read', pw))).toBe('OK');
    expect(trim(await hostapd.cli('wps_nfc_tag_read', pw))).toBe('OK');
    const cfg = trim(await hostapd.cli('wps_nfc_config_token', 'NDEF'));
    for (const bad of [cfg, pw.slice(0, 40), '0', '00', '0q', 'D2174461']) {
      expect(trim(await hostapd.cli('wps_nfc_tag_read', bad)), bad).toBe('FAIL');
      expect(trim(await ap.cli('wps_nfc_tag_read', bad)), bad).toBe('FAIL');
    }
  });

  it('with its NFC token enabled, an External Registrar still learns the AP with the AP PIN', async () => {
    expect(trim(await ap.cli('wps_nfc_token', 'enable'))).toBe(trim(await hostapd.cli('wps_nfc_token', 'enable')));
    expect(trim(await erCtrl.request('WPS_ER_START'))).toBe('OK');
    await erCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${WPSD_AP_UUID} `), EVENT_MS);
    const run = await erLearn(erCtrl, WPSD_AP_UUID, REFERENCE_AP.apPin, { timeoutMs: EVENT_MS });
    expect(run.reply).toBe('OK\n');
    expect(run.settings).toContain(`ssid=${REFERENCE_AP.ssid}`);
    expect(trim(await ap.cli('wps_nfc_token', 'disable'))).toBe('');
  });

  it("takes wpa_supplicant's handover request as hostapd does (NFC_REPORT_HANDOVER RESP WPS), and refuses what hostapd refuses", async () => {
    // hostapd_cli has no nfc_report_handover: the command goes to both control sockets as hostapd's own tests send it.
    const theirs = env.track(await hostapd.ctrl());
    const ours = env.track(await ap.ctrl());
    const req = trim(await wpas.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR'));
    const sel = trim(await ap.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR'));
    const pw = trim(await wpas.cli('wps_nfc_token', 'NDEF'));
    const rawCarrier = req.slice(req.indexOf('0038'));
    const cases = [
      `RESP WPS ${req} ${sel}`,
      // hostapd reads only the request: the select may be anything that is hex.
      `RESP WPS ${req} 00`,
      `INIT WPS ${req} ${sel}`,
      `RESP P2P ${req} ${sel}`,
      `RESP WPS ${pw} ${sel}`,
      `RESP WPS ${rawCarrier} ${sel}`,
      `RESP WPS ${req.slice(0, 40)} ${sel}`,
      `RESP WPS ${req.slice(1)} ${sel}`,
      `RESP WPS ${req} zz`,
      `RESP WPS ${req}`,
    ];
    for (const c of cases) {
      expect(trim(await ours.request(`NFC_REPORT_HANDOVER ${c}`)), c).toBe(trim(await theirs.request(`NFC_REPORT_HANDOVER ${c}`)));
    }
    expect(trim(await ours.request(`NFC_REPORT_HANDOVER RESP WPS ${req} ${sel}`))).toBe('OK');
  });

  it("wpsd's ER writes the same configuration token and handover select for the learned AP as wpa_supplicant's ER, and the same token for a configured network", async () => {
    // Needs wpa_supplicant's ER started with the AP learned (the test before this one).
    ours = env.track(await startWpsdSta({ host: env.host('er2'), extra: nfc, args: ['-d'] }));
    ourCtrl = env.track(await ours.ctrl());
    expect(trim(await ourCtrl.request('WPS_ER_START'))).toBe('OK');
    await ourCtrl.waitFor(new RegExp(`^WPS-ER-AP-ADD ${WPSD_AP_UUID} `), EVENT_MS);
    expect((await erLearn(ourCtrl, WPSD_AP_UUID, REFERENCE_AP.apPin, { timeoutMs: EVENT_MS })).reply).toBe('OK\n');
    for (const args of [['wps_er_nfc_config_token', 'WPS', WPSD_AP_UUID], ['wps_er_nfc_config_token', 'NDEF', WPSD_AP_UUID], ['nfc_get_handover_sel', 'NDEF', 'WPS-CR', WPSD_AP_UUID]]) {
      const theirs = trim(await wpas.cli(...args));
      expect(theirs, args.join(' ')).toMatch(/^[0-9A-F]{40,}$/);
      expect(trim(await ours.cli(...args)), args.join(' ')).toBe(theirs);
    }
    // A station's own network as a configuration token (wps_nfc_config_token <WPS|NDEF> <id>): the same network on both.
    const addNetwork = async (c: CtrlSession): Promise<string> => {
      const id = trim(await c.request('ADD_NETWORK'));
      expect(trim(await c.request(`SET_NETWORK ${id} ssid "${REFERENCE_AP.ssid}"`))).toBe('OK');
      expect(trim(await c.request(`SET_NETWORK ${id} psk "${REFERENCE_AP.passphrase}"`))).toBe('OK');
      return id;
    };
    const [theirId, ourId] = [await addNetwork(erCtrl), await addNetwork(ourCtrl)];
    for (const f of ['WPS', 'NDEF']) {
      const theirs = trim(await wpas.cli('wps_nfc_config_token', f, theirId));
      expect(theirs).toMatch(/^[0-9A-F]{40,}$/);
      expect(trim(await ours.cli('wps_nfc_config_token', f, ourId))).toBe(theirs);
    }
    expect(trim(await ours.cli('wps_nfc_config_token', 'NDEF', '99'))).toBe(trim(await wpas.cli('wps_nfc_config_token', 'NDEF', '99')));
    expect(trim(await ours.cli('wps_nfc_config_token', 'NDEF'))).toBe(trim(await wpas.cli('wps_nfc_config_token', 'NDEF')));
    for (const args of [['wps_er_nfc_config_token', 'FOO', WPSD_AP_UUID], ['wps_er_nfc_config_token', 'WPS', '02:00:00:00:00:99'], ['nfc_get_handover_sel', 'NDEF', 'WPS-CR'], ['nfc_get_handover_sel', 'WPS', 'WPS-CR', WPSD_AP_UUID]]) {
      expect(trim(await ours.cli(...args)), args.join(' ')).toBe(trim(await wpas.cli(...args)));
    }
  });

  it("wpsd's ER writes Debian hostapd's settings, learned with its AP PIN, as a configuration token that wpa_supplicant reads into a network with hostapd's SSID and passphrase", async () => {
    // Needs wpsd's ER started (the test before this one); hostapd's UPnP device is on the same bridge.
    const hostapdAdded = new RegExp(`^WPS-ER-AP-ADD ${REFERENCE_AP.uuid} `);
    // Announced with wpsd ap's, maybe before it (the test before waited for that one).
    if (!ourCtrl.events.some((e) => hostapdAdded.test(e.text))) await ourCtrl.waitFor(hostapdAdded, EVENT_MS);
    expect((await erLearn(ourCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: EVENT_MS })).reply).toBe('OK\n');
    const token = trim(await ours.cli('wps_er_nfc_config_token', 'NDEF', REFERENCE_AP.uuid));
    expect(token).toMatch(/^D2[0-9A-F]+$/);
    // The same bytes wpa_supplicant's ER writes for hostapd once it has learned it.
    expect((await erLearn(erCtrl, REFERENCE_AP.uuid, REFERENCE_AP.apPin, { timeoutMs: EVENT_MS })).reply).toBe('OK\n');
    expect(trim(await wpas.cli('wps_er_nfc_config_token', 'NDEF', REFERENCE_AP.uuid))).toBe(token);
    // The earlier tests left networks of the same SSID: the reader starts from none.
    expect(trim(await wpas.cli('remove_network', 'all'))).toBe('OK');
    expect(trim(await wpas.cli('wps_nfc_tag_read', token))).toBe('OK');
    expect(await wpas.cli('list_networks')).toContain(`\t${REFERENCE_AP.ssid}\t`);
    expect(trim(await wpas.cli('save_config'))).toBe('OK');
    expect(wpas.currentConf()).toMatch(new RegExp(`ssid="${REFERENCE_AP.ssid}"\\n\\s*psk="${REFERENCE_AP.passphrase}"`));
  });

  it('bad tags (truncated NDEF, a record of another type, cut attributes, a handover request, a WSC record that is no token) get FAIL from wpsd ap, ER and station as from hostapd and wpa_supplicant, and change nothing', async () => {
    // Needs both ERs started with the AP learned (the tests before this one).
    const pw = trim(await wpas.cli('wps_nfc_token', 'NDEF'));
    const wsc = wscPayloadFromNdef(Buffer.from(pw, 'hex'));
    const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
    const bad: Record<string, string> = {
      'truncated NDEF': pw.slice(0, pw.length - 10),
      'a record of another type': hex(buildNdefMessage([{ tnf: NdefTnf.MediaType, type: 'text/plain', payload: wsc }])),
      'cut WSC attributes': hex(wsc).slice(0, 30),
      'a handover request': trim(await wpas.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')),
      'a WSC record that is no token': hex(wrapWscNdef(Buffer.from('104a000110', 'hex'))),
    };
    const apBefore = await ap.cli('get_config');
    const tagRead = async (name: string): Promise<void> => {
      for (const [what, tag] of Object.entries(bad)) {
        expect(trim(await hostapd.cli('wps_nfc_tag_read', tag)), `hostapd: ${what}`).toBe('FAIL');
        expect(trim(await ap.cli('wps_nfc_tag_read', tag)), `wpsd ap: ${what}`).toBe('FAIL');
        expect(trim(await wpas.cli('wps_nfc_tag_read', tag)), `wpa_supplicant ${name}: ${what}`).toBe('FAIL');
        expect(trim(await ours.cli('wps_nfc_tag_read', tag)), `wpsd ${name}: ${what}`).toBe('FAIL');
      }
    };
    // As External Registrars: a refused tag adds no device password to the Registrar; the good token that follows shows the check can see one.
    const added = (): number => ours.proc.output().split('WPS: Added NFC Device Password').length - 1;
    const before = added();
    await tagRead('ER');
    expect(added()).toBe(before);
    const good = trim(await ours.cli('wps_nfc_token', 'NDEF'));
    expect(trim(await wpas.cli('wps_nfc_tag_read', good))).toBe('OK');
    expect(trim(await ours.cli('wps_nfc_tag_read', good))).toBe('OK');
    expect(added()).toBe(before + 1);
    // As stations (ER stopped): no network added.
    for (const r of [wpas, ours]) expect(trim(await r.cli('wps_er_stop'))).toBe('OK');
    const networks = [await wpas.cli('list_networks'), await ours.cli('list_networks')];
    await tagRead('station');
    expect([await wpas.cli('list_networks'), await ours.cli('list_networks')]).toEqual(networks);
    expect(await ap.cli('get_config')).toBe(apBefore);
    // Each refusal is logged with its reason.
    for (const out of [ap.proc.output(), ours.proc.output()]) {
      expect(out).toMatch(/Ignore invalid data from NFC tag: .*truncated/);
      expect(out).toMatch(/Ignore invalid data from NFC tag: no application\/vnd\.wfa\.wsc record/);
    }
  });
});
