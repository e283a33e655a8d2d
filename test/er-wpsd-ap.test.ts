// wpsd sta as External Registrar against wpsd ap (driver=none, UPnP on a
// veth), each in its own namespace: the same event lines as against Debian
// hostapd (test/er-hostapd.test.ts). Debian's wpa_cli and hostapd_cli drive
// both daemons.
import { describe, expect, it } from 'vitest';
import { ER_EVENT_MS as EVENT_MS, erLearn, pollUntil, REFERENCE_AP_LINES } from '../harness/er-runs.js';
import { withApAndEr } from '../harness/fixture.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import { startWpsdAp, startWpsdSta } from '../harness/wpsd.js';

const UUID = REFERENCE_AP.uuid;

describe('wpsd sta (External Registrar) against wpsd ap', () => {
  const pair = withApAndEr({
    ap: (host) => startWpsdAp({ host, args: ['-d'] }),
    er: (host) => startWpsdSta({ host, args: ['-d'] }),
  });
  const cli = (...args: string[]): Promise<string> => pair.er.cli(...args);

  it('WPS-ER-AP-ADD with wpsd ap UUID, MAC and device fields', async () => {
    expect(await cli('wps_er_start')).toBe('OK\n');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-ADD /, EVENT_MS)).text).toBe(REFERENCE_AP_LINES.apAdd(pair.apMac));
  });

  it('wps_er_learn gives the AP settings, and WPS-FAIL msg=11 on both sides', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, REFERENCE_AP.apPin, { ap: pair.apCtrl, send: () => cli('wps_er_learn', UUID, REFERENCE_AP.apPin) });
    expect(learn).toMatchObject({ reply: 'OK\n', settings: REFERENCE_AP_LINES.settings, erFail: 'WPS-FAIL msg=11 config_error=0', apFail: 'WPS-FAIL msg=11 config_error=0' });
  });

  it('a wrong AP PIN gives WPS-FAIL msg=8 config_error=18 on both sides', async () => {
    const learn = await erLearn(pair.erCtrl, UUID, '11111115', { ap: pair.apCtrl, settings: false });
    expect(learn).toMatchObject({ reply: 'OK\n', erFail: 'WPS-FAIL msg=8 config_error=18', apFail: 'WPS-FAIL msg=8 config_error=18' });
  });

  it('wps_er_config: WPS-NEW-AP-SETTINGS on the AP, its get_config shows the new SSID', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.mark();
    const out = await pollUntil(() => cli('wps_er_config', UUID, REFERENCE_AP.apPin, 'new-ssid', 'WPA2PSK', 'CCMP', 'newpassphrase1'), (o) => o === 'OK\n');
    expect(out).toBe('OK\n');
    expect((await pair.apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS)).text).toMatch(/^WPS-NEW-AP-SETTINGS/);
    expect((await pair.erCtrl.waitFor(/^WPS-SUCCESS/, EVENT_MS)).text).toBe('WPS-SUCCESS ');
    const cfg = await pollUntil(() => pair.ap.cli('get_config'), (c) => /^ssid=new-ssid$/m.test(c));
    expect(cfg).toMatch(/^ssid=new-ssid$/m);
  });

  it('stopping wpsd ap gives WPS-ER-AP-REMOVE', async () => {
    pair.erCtrl.mark();
    pair.apCtrl.close();
    await pair.ap.proc.stop('SIGTERM');
    expect((await pair.erCtrl.waitFor(/^WPS-ER-AP-REMOVE /, EVENT_MS)).text).toBe(`WPS-ER-AP-REMOVE ${UUID}`);
  });
});
