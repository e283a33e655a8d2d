/**
 * NFC tokens against Debian hostapd 2.10 and wpa_supplicant 2.10 (no radio
 * needed): the daemons, configured with the lines `wpsd nfc-pw-token` prints,
 * print the very token wpsd printed; wpsd builds the handover carriers and the
 * configuration token the daemons build from the same inputs, byte for byte;
 * and the daemons accept the tokens wpsd writes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd, type HostapdInstance } from '../harness/hostapd.js';
import { hostMac } from '../harness/netns.js';
import { REFERENCE_ER, startWpaSupplicantEr, type WpaSupplicantInstance } from '../harness/wpa-supplicant.js';
import { wrapWscNdef } from '../src/wps/nfc/ndef.js';
import { buildConfigToken, buildHandoverRequest, buildHandoverSelect, generatePasswordToken, readNfcTag } from '../src/wps/nfc/nfc-token.js';
import { AuthType, EncrType, RfBand } from '../src/wps/values.js';
import { parseUuid } from '../src/wps/device.js';

const execFileP = promisify(execFile);
const WPSD = new URL('../dist/src/cli.js', import.meta.url).pathname;

/** `wpsd nfc-pw-token`'s lines as key -> value (#WPS, #NDEF and the four config keys). */
async function wpsdPwToken(): Promise<Map<string, string>> {
  const { stdout } = await execFileP(process.execPath, [WPSD, 'nfc-pw-token']);
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1)] as const;
      }),
  );
}

function configLines(t: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['wps_nfc_dev_pw_id', 'wps_nfc_dh_pubkey', 'wps_nfc_dh_privkey', 'wps_nfc_dev_pw']) out[k] = t.get(k) ?? '';
  return out;
}

const hex = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('NFC tokens with Debian hostapd and wpa_supplicant', () => {
  const env = withTopology({ hosts: ['ap', 'sta'] });
  let token: Map<string, string>;
  let hostapd: HostapdInstance;
  let wpas: WpaSupplicantInstance;
  let apMac: Buffer;

  beforeAll(async () => {
    token = await wpsdPwToken();
    hostapd = env.track(await startHostapd({ host: env.host('ap'), extra: configLines(token) }));
    wpas = env.track(await startWpaSupplicantEr({ host: env.host('sta'), extra: configLines(token) }));
    apMac = Buffer.from((await hostMac(env.host('ap'))).replace(/:/g, ''), 'hex');
  });

  it('both daemons, given the lines wpsd nfc-pw-token printed, print the very token wpsd printed', async () => {
    expect((await wpas.cli('wps_nfc_token', 'WPS')).trim()).toBe(token.get('#WPS'));
    expect((await wpas.cli('wps_nfc_token', 'NDEF')).trim()).toBe(token.get('#NDEF'));
    expect((await hostapd.cli('wps_nfc_token', 'WPS')).trim()).toBe(token.get('#WPS'));
    expect((await hostapd.cli('wps_nfc_token', 'NDEF')).trim()).toBe(token.get('#NDEF'));
  });

  it("wpa_supplicant's handover request and hostapd's handover select equal wpsd's from the same key", async () => {
    const publicKey = Buffer.from(token.get('wps_nfc_dh_pubkey') ?? '', 'hex');
    const req = wrapWscNdef(buildHandoverRequest({ publicKey, uuidE: parseUuid(REFERENCE_ER.uuid) }));
    expect((await wpas.cli('nfc_get_handover_req', 'NDEF', 'WPS-CR')).trim()).toBe(hex(req));
    await hostapd.cli('wps_nfc_token', 'enable');
    // driver=wired has no frequency, so hostapd leaves RF Bands and AP Channel out.
    const sel = wrapWscNdef(buildHandoverSelect({ publicKey, ssid: Buffer.from(REFERENCE_AP.ssid), macAddress: apMac }));
    expect((await hostapd.cli('nfc_get_handover_sel', 'NDEF', 'WPS-CR')).trim()).toBe(hex(sel));
  });

  it("hostapd's configuration token equals wpsd's for the same network", async () => {
    const ours = buildConfigToken(
      {
        networkIndex: 1,
        ssid: Buffer.from(REFERENCE_AP.ssid),
        authType: AuthType.Wpa2Psk,
        encrType: EncrType.Aes,
        networkKey: Buffer.from(REFERENCE_AP.passphrase),
        macAddress: Buffer.alloc(6),
        extra: [],
      },
      { rfBands: RfBand.Band24GHz, macAddress: apMac },
    );
    const theirs = (await hostapd.cli('wps_nfc_config_token', 'NDEF')).trim();
    expect(theirs).toBe(hex(wrapWscNdef(ours)));
    const tag = readNfcTag(Buffer.from(theirs, 'hex'));
    expect(tag.kind).toBe('config');
  });

  it("the daemons read wpsd's tokens: a password token by hostapd, a configuration token by wpa_supplicant", async () => {
    const fresh = generatePasswordToken();
    expect((await hostapd.cli('wps_nfc_tag_read', hex(wrapWscNdef(fresh.token)))).trim()).toBe('OK');
    const ssid = 'wpsd-nfc-config';
    const cfg = buildConfigToken(
      { networkIndex: 1, ssid: Buffer.from(ssid), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('wpsd passphrase'), macAddress: Buffer.alloc(6), extra: [] },
      { rfBands: RfBand.Band24GHz, apChannel: 6, macAddress: apMac },
    );
    expect((await wpas.cli('wps_nfc_tag_read', hex(wrapWscNdef(cfg)))).trim()).toBe('OK');
    expect(await wpas.cli('list_networks')).toContain(`\t${ssid}\t`);
    expect((await wpas.cli('save_config')).trim()).toBe('OK');
    expect(wpas.currentConf()).toMatch(/ssid="wpsd-nfc-config"\n\s*psk="wpsd passphrase"/);
  });

  it('a truncated token is refused by hostapd as by wpsd', async () => {
    const cut = wrapWscNdef(generatePasswordToken().token).subarray(0, 40);
    expect((await hostapd.cli('wps_nfc_tag_read', hex(cut))).trim()).toBe('FAIL');
    expect(() => readNfcTag(cut)).toThrow(/truncated/);
  });
});
