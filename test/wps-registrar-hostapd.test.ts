// wpsd's Registrar state machine against Debian hostapd 2.10's AP Enrollee:
// hostapd (driver=wired, UPnP on a veth) in one namespace; the Registrar runs
// in this process and its messages travel as WFAWLANConfig GetDeviceInfo /
// PutMessage SOAP calls made with curl from a second namespace. This checks
// our M2/M4/M6/M8 bytes, Authenticators, Key Wrap and hashes against the
// reference implementation, and that failures carry hostapd's numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUuid } from '../src/wps/device.js';
import { eventsOf, type WpsEvent, type WpsStep } from '../src/wps/events.js';
import { Registrar, type ApSettingsMode } from '../src/wps/registrar.js';
import { AuthType, EncrType, MessageType } from '../src/wps/values.js';
import type { CtrlSession } from '../harness/ctrl-session.js';
import { REFERENCE_AP, startHostapd, type HostapdInstance } from '../harness/hostapd.js';
import { createTopology, type NetnsHost, type Topology } from '../harness/netns.js';
import { credential, REG } from './wps-flows-helpers.js';

const EVENT_MS = 15_000;
const SERVICE = 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1';
/** A run is M1..M8 plus the closing messages; anything longer is a bug. */
const MAX_EXCHANGES = 10;

describe('our Registrar against Debian hostapd as AP Enrollee (UPnP, AP PIN)', () => {
  let topo: Topology;
  let ap: HostapdInstance;
  let er: NetnsHost;
  let apCtrl: CtrlSession;
  let controlUrl: string;

  beforeAll(async () => {
    topo = await createTopology({ hosts: ['ap', 'er'] });
    ap = await startHostapd({ host: topo.host('ap') });
    er = topo.host('er');
    apCtrl = await ap.ctrl();
    const { stdout } = await topo.host('ap').exec('ss', ['-Hltnp']);
    const port = new RegExp(`${topo.host('ap').address.replace(/\./g, '\\.')}:(\\d+)\\s.*hostapd`).exec(stdout)?.[1];
    if (port === undefined) throw new Error(`hostapd UPnP port not found in:\n${stdout}`);
    controlUrl = `http://${topo.host('ap').address}:${port}/wps_control`;
  });

  afterAll(async () => {
    apCtrl?.close();
    await ap?.stop();
    await topo?.dispose();
  });

  async function soap(action: string, args: string): Promise<{ status: number; body: string }> {
    const envelope =
      '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      `<s:Body><u:${action} xmlns:u="${SERVICE}">${args}</u:${action}></s:Body></s:Envelope>`;
    const { stdout } = await er.exec('curl', [
      '-sS', '-m', '10', '-w', '\n%{http_code}',
      '-H', 'Content-Type: text/xml; charset="utf-8"',
      '-H', `SOAPACTION: "${SERVICE}#${action}"`,
      '--data-binary', envelope, controlUrl,
    ]);
    const i = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
  }

  function b64Item(body: string, tag: string): Buffer | undefined {
    const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body);
    return m?.[1] ? Buffer.from(m[1], 'base64') : undefined;
  }

  /** GetDeviceInfo (M1), then PutMessage for every reply until the run ends. */
  async function runAgainstHostapd(registrar: Registrar): Promise<{ steps: WpsStep[]; events: WpsEvent[]; lastStatus: number }> {
    const info = await soap('GetDeviceInfo', '');
    expect(info.status).toBe(200);
    let msg = b64Item(info.body, 'NewDeviceInfo');
    const steps: WpsStep[] = [];
    let lastStatus = 200;
    for (let i = 0; i < MAX_EXCHANGES && msg !== undefined; i++) {
      const step = registrar.receive(msg);
      steps.push(step);
      // Over UPnP the ER does not answer the AP's last word (hostapd's ER neither).
      if (step.reply === undefined || step.closing === true) break;
      const out = await soap('PutMessage', `<NewInMessage>${step.reply.toString('base64')}</NewInMessage>`);
      lastStatus = out.status;
      if (out.status !== 200) break;
      msg = b64Item(out.body, 'NewOutMessage');
    }
    return { steps, events: steps.flatMap((s) => s.events), lastStatus };
  }

  const pin = (p: string) => ({ devicePassword: () => ({ kind: 'pin' as const, pin: p }) });
  const registrar = (p: string, apSettings: ApSettingsMode, version2 = true): Registrar => new Registrar({ device: REG, apSettings, version2, policy: pin(p) });

  it('learn: reads hostapd settings from M7 and hostapd logs WPS-FAIL msg=11 config_error=0 after our NACK', async () => {
    apCtrl.mark();
    const run = await runAgainstHostapd(registrar(REFERENCE_AP.apPin, { mode: 'learn' }));
    const learned = eventsOf(run.events, 'er-ap-settings');
    expect(learned).toHaveLength(1);
    expect(learned[0]?.uuid).toEqual(parseUuid(REFERENCE_AP.uuid));
    expect(learned[0]?.settings.ssid.toString()).toBe(REFERENCE_AP.ssid);
    expect(learned[0]?.settings.networkKey.toString()).toBe(REFERENCE_AP.passphrase);
    expect(learned[0]?.settings.authType).toBe(AuthType.Wpa2Psk);
    expect(learned[0]?.settings.encrType).toBe(EncrType.Aes);
    expect(run.steps.at(-1)?.result).toBe('success');
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=11 config_error=0');
  });

  it('learn as a WPS 1.0 Registrar (no Version2) works too', async () => {
    const run = await runAgainstHostapd(registrar(REFERENCE_AP.apPin, { mode: 'learn' }, false));
    expect(eventsOf(run.events, 'er-ap-settings')[0]?.settings.ssid.toString()).toBe(REFERENCE_AP.ssid);
  });

  it('a wrong first half of the AP PIN: hostapd NACKs M4 with 18 and both sides say msg=8', async () => {
    apCtrl.mark();
    const run = await runAgainstHostapd(registrar('87655670', { mode: 'learn' }));
    expect(eventsOf(run.events, 'fail')).toMatchObject([{ msg: MessageType.M4, configError: 18, reason: 'nack-received' }]);
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=8 config_error=18');
  });

  it('a wrong second half of the AP PIN: hostapd NACKs M6 with 18 and both sides say msg=10', async () => {
    apCtrl.mark();
    const run = await runAgainstHostapd(registrar('12349995', { mode: 'learn' }));
    expect(eventsOf(run.events, 'fail')).toMatchObject([{ msg: MessageType.M6, configError: 18, reason: 'nack-received' }]);
    expect(eventsOf(run.events, 'invalidate-pin')).toHaveLength(1);
    expect((await apCtrl.waitFor(/^WPS-FAIL /, EVENT_MS)).text).toBe('WPS-FAIL msg=10 config_error=18');
  });

  it('configure: hostapd takes our M8, reports WPS-NEW-AP-SETTINGS and saves the new network', async () => {
    apCtrl.mark();
    const settings = credential('wpsd-new-ssid', 'wpsd new passphrase', Buffer.alloc(6));
    const run = await runAgainstHostapd(registrar(REFERENCE_AP.apPin, { mode: 'configure', settings }));
    expect(run.steps.at(-1)?.result).toBe('success');
    expect(eventsOf(run.events, 'reg-success')).toHaveLength(1);
    await apCtrl.waitFor(/^WPS-NEW-AP-SETTINGS/, EVENT_MS);
    const conf = ap.currentConf();
    expect(conf).toMatch(/^ssid=wpsd-new-ssid$/m);
    expect(conf).toMatch(/^wpa_passphrase=wpsd new passphrase$/m);
  });
});
