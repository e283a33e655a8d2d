// WPS-NEW-AP-SETTINGS with wps_cred_processing=1 after a real External
// Registrar's wps_er_config: Debian hostapd 2.10 first (the reference), then
// wpsd ap, each driven by Debian wpa_supplicant in its own namespace pair.
// The line's hex is M8's decrypted settings as received: the two must hold
// the same attributes in the same order (the Key Wrap Authenticator depends
// on the run's keys, so only its size is compared). With processing 1 the AP
// keeps its settings. Also `wpa_cli status` on both ERs (wpa_supplicant and
// wpsd sta, -D none) answers the same.
import { describe, expect, it } from 'vitest';
import { ER_EVENT_MS as EVENT_MS, utf8Hex as hex } from '../harness/er-runs.js';
import { withApAndEr } from '../harness/fixture.js';
import { REFERENCE_AP, startHostapd } from '../harness/hostapd.js';
import { hostMac } from '../harness/netns.js';
import { REFERENCE_ER, startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { startWpsdAp, startWpsdSta } from '../harness/wpsd.js';
import { AttributeType, parseAttributes } from '../src/wps/attributes.js';

const UUID = REFERENCE_AP.uuid;
const EXTRA = { wps_cred_processing: '1' };

interface Attr {
  type: number;
  value: string;
}

/**
 * The attributes of a WPS-NEW-AP-SETTINGS line; the Key Wrap Authenticator's
 * value is replaced by its length and the AP's own MAC address by "AP".
 */
function settingsAttributes(line: string, apMac: string): Attr[] {
  const m = /^WPS-NEW-AP-SETTINGS ([0-9a-f]+)$/.exec(line);
  if (m === null) throw new Error(`not a WPS-NEW-AP-SETTINGS line with hex: ${JSON.stringify(line)}`);
  return parseAttributes(Buffer.from(m[1] ?? '', 'hex')).map((a) => ({
    type: a.type,
    value:
      a.type === AttributeType.KeyWrapAuthenticator
        ? `(${a.value.length} bytes)`
        : a.type === AttributeType.MacAddress && Buffer.from(a.value).toString('hex') === apMac.replace(/:/g, '')
          ? 'AP'
          : Buffer.from(a.value).toString('hex'),
  }));
}

let reference: Attr[] | undefined;

const APS = [
  { name: 'Debian hostapd', start: startHostapd },
  { name: 'wpsd ap', start: startWpsdAp },
] as const;

for (const ap of APS) {
  describe(`${ap.name} with wps_cred_processing=1, configured by Debian wpa_supplicant as ER`, () => {
    const pair = withApAndEr({
      ap: (host) => ap.start({ host, extra: EXTRA }),
      er: (host) => startWpaSupplicantEr({ host }),
    });

    it('wps_er_config: WPS-NEW-AP-SETTINGS carries the received settings (Network Index first, Key Wrap Authenticator last) and the AP keeps its own', async () => {
      expect(await pair.erCtrl.request('WPS_ER_START')).toBe('OK\n');
      await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS);
      pair.apCtrl.mark();
      expect(await pair.erCtrl.requestUntilOk(`WPS_ER_CONFIG ${UUID} ${REFERENCE_AP.apPin} ${hex('new-ssid')} WPA2PSK CCMP ${hex('newpassphrase1')}`)).toBe('OK\n');
      const attrs = settingsAttributes((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text, pair.apMac);
      expect(attrs[0]?.type).toBe(AttributeType.NetworkIndex);
      expect(attrs.at(-1)?.type).toBe(AttributeType.KeyWrapAuthenticator);
      expect(attrs.find((a) => a.type === AttributeType.Ssid)?.value).toBe(hex('new-ssid'));
      expect(attrs.find((a) => a.type === AttributeType.NetworkKey)?.value).toBe(hex('newpassphrase1'));
      if (reference === undefined) reference = attrs;
      else expect(attrs).toEqual(reference);
      await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS);
      // wps_cred_processing=1: the event only; the AP keeps its settings.
      expect(await pair.ap.cli('get_config')).toMatch(new RegExp(`^ssid=${REFERENCE_AP.ssid}$`, 'm'));
    });
  });
}

describe('wpa_cli status on an External Registrar without a radio (-D none)', () => {
  const ers = [
    { name: 'Debian wpa_supplicant', start: startWpaSupplicantEr },
    { name: 'wpsd sta', start: startWpsdSta },
  ] as const;
  for (const er of ers) {
    describe(er.name, () => {
      const pair = withApAndEr({
        ap: (host) => startHostapd({ host }),
        er: (host) => er.start({ host }),
      });
      it('answers wpa_state=DISCONNECTED, its IPv4 and MAC addresses and its WPS UUID, for status and status verbose', async () => {
        const expected = `wpa_state=DISCONNECTED\nip_address=${pair.er.host.address}\naddress=${await hostMac(pair.er.host)}\nuuid=${REFERENCE_ER.uuid}\n`;
        expect(await pair.er.cli('status')).toBe(expected);
        expect(await pair.er.cli('status', 'verbose')).toBe(expected);
      });
    });
  }
});
