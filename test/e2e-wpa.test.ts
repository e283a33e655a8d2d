// WPA2-PSK between separate processes on one `wpsd medium`: `wpsd ap`
// (driver=sim, the reference AP: wpa=2 WPA-PSK CCMP, passphrase 12345678)
// and `wpsd sta -D sim` stations configured over their control sockets
// (add_network / set_network / select_network): the right passphrase
// connects after the 4-way handshake, a wrong one is refused with hostapd's
// and wpa_supplicant's events.
import { describe, expect, it } from 'vitest';
import { AP_BSSID, AP_PASSPHRASE, AP_SSID, ENROLL_MS, startRadioSta, withRadioAp, type RadioStaInstance } from './e2e-helpers.js';

const TEST_MS = 90_000;

describe('wpsd ap + wpsd sta processes: WPA2-PSK on the sim medium', () => {
  const lab = withRadioAp();
  const { env } = lab;

  async function configure(sta: RadioStaInstance, passphrase: string): Promise<void> {
    expect(await sta.cli('add_network')).toBe('0\n');
    expect(await sta.cli('set_network', '0', 'ssid', `"${AP_SSID}"`)).toBe('OK\n');
    expect(await sta.cli('set_network', '0', 'psk', `"${passphrase}"`)).toBe('OK\n');
    expect(await sta.cli('set_network', '0', 'key_mgmt', 'WPA-PSK')).toBe('OK\n');
    expect(await sta.cli('select_network', '0')).toBe('OK\n');
  }

  it(
    'the passphrase: AP-STA-CONNECTED and EAPOL-4WAY-HS-COMPLETED on the AP, CTRL-EVENT-CONNECTED and wpa_state=COMPLETED on the station',
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 21, medium: lab.medium }));
      const ctrl = env.track(await sta.ctrl());
      lab.apCtrl.mark();
      await configure(sta, AP_PASSPHRASE);
      expect((await ctrl.waitFor(/^WPA: Key negotiation completed/, ENROLL_MS)).text).toBe(`WPA: Key negotiation completed with ${AP_BSSID} [PTK=CCMP GTK=CCMP]`);
      expect((await ctrl.waitFor(/^CTRL-EVENT-CONNECTED /, ENROLL_MS)).text).toBe(`CTRL-EVENT-CONNECTED - Connection to ${AP_BSSID} completed [id=0 id_str=]`);
      expect((await lab.apCtrl.waitFor(/^AP-STA-CONNECTED /, ENROLL_MS)).text).toBe(`AP-STA-CONNECTED ${sta.mac}`);
      expect((await lab.apCtrl.waitFor(/^EAPOL-4WAY-HS-COMPLETED /, ENROLL_MS)).text).toBe(`EAPOL-4WAY-HS-COMPLETED ${sta.mac}`);
      const status = await sta.cli('status');
      for (const line of ['wpa_state=COMPLETED', 'key_mgmt=WPA2-PSK', 'pairwise_cipher=CCMP', 'group_cipher=CCMP', `bssid=${AP_BSSID}`]) expect(status).toContain(`${line}\n`);
    },
    TEST_MS,
  );

  it(
    'a wrong passphrase: AP-STA-POSSIBLE-PSK-MISMATCH on the AP; the station never completes and reports WRONG_KEY',
    async () => {
      const sta = env.track(await startRadioSta({ host: env.host('sta'), n: 22, medium: lab.medium }));
      const ctrl = env.track(await sta.ctrl());
      lab.apCtrl.mark();
      await configure(sta, 'not the passphrase');
      expect((await lab.apCtrl.waitFor(/^AP-STA-POSSIBLE-PSK-MISMATCH /, ENROLL_MS)).text).toBe(`AP-STA-POSSIBLE-PSK-MISMATCH ${sta.mac}`);
      expect((await ctrl.waitFor(/^WPA: 4-Way Handshake failed/, ENROLL_MS)).text).toBe('WPA: 4-Way Handshake failed - pre-shared key may be incorrect');
      expect((await ctrl.waitFor(/^CTRL-EVENT-SSID-TEMP-DISABLED /, ENROLL_MS)).text).toBe(`CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid="${AP_SSID}" auth_failures=1 duration=10 reason=WRONG_KEY`);
      expect(ctrl.events.some((e) => e.text.startsWith('CTRL-EVENT-CONNECTED'))).toBe(false);
      expect(await sta.cli('status')).not.toContain('wpa_state=COMPLETED');
      expect(lab.apCtrl.events.some((e) => e.text === `AP-STA-CONNECTED ${sta.mac}`)).toBe(false);
    },
    TEST_MS,
  );
});
