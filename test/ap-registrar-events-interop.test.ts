// The internal Registrar's control commands, the BSS's run-time control
// (DISABLE / ENABLE / SET / RELOAD) and the event lines they cause, byte for byte: Debian hostapd 2.10 (driver=wired in a namespace) is the
// reference, wpsd ap (driver=sim on an in-process medium) must give the same
// transcript. One control socket both ATTACHes and sends the commands, so
// events and replies arrive in the order the daemon sent them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger, LogLevel } from '../src/common/log.js';
import { CtrlClient } from '../src/ctrl/client.js';
import { loadHostapdConfig } from '../src/ap/config.js';
import { startAp, type ApDaemon } from '../src/ap/main.js';
import { Medium } from '../src/radio/sim/medium.js';
import { withTopology } from '../harness/fixture.js';
import { startHostapd } from '../harness/hostapd.js';

const SCRIPTS = {
  registrar: ['WPS_PBC', 'WPS_GET_STATUS', 'WPS_PBC', 'WPS_CANCEL', 'WPS_GET_STATUS', 'WPS_CANCEL', 'WPS_PIN any 12345670', 'WPS_CANCEL', 'PING'],
  control: [
    'DISABLE', 'DISABLE', 'ENABLE', 'ENABLE', 'SET ssid setssid', 'RELOAD', 'SET wps_sate 1', 'SET wpa_passphrase short', 'SET ap_pin 12345670',
    'DISABLE', 'WPS_PBC', 'WPS_GET_STATUS', 'WPS_AP_PIN get', 'ENABLE', 'PING',
  ],
} as const;
type ScriptName = keyof typeof SCRIPTS;
const TRANSCRIPT_MS = 20_000;

/** Runs a script on `socketPath`; every reply and event line, in arrival order, until PING's PONG (the last reply). */
async function transcript(socketPath: string, script: readonly string[]): Promise<string[]> {
  const c = CtrlClient.open(socketPath);
  const lines: string[] = [];
  try {
    c.onEvent((e) => lines.push(`<${e.level}>${e.text}`));
    await c.attach();
    for (const cmd of script) lines.push(`${cmd} -> ${JSON.stringify(await c.request(cmd, TRANSCRIPT_MS))}`);
  } finally {
    c.close();
  }
  return lines;
}

const reference: Partial<Record<ScriptName, string[]>> = {};
let referenceSsid: string | undefined;

describe('Debian hostapd (driver=wired): the reference transcripts', () => {
  const env = withTopology({ hosts: ['ap'] });
  it('records them', async () => {
    const ap = env.track(await startHostapd({ host: env.host('ap') }));
    reference.registrar = await transcript(ap.socketPath, SCRIPTS.registrar);
    expect(reference.registrar).toContain('<3>WPS-PBC-ACTIVE ');
    reference.control = await transcript(ap.socketPath, SCRIPTS.control);
    expect(reference.control).toContain('<3>AP-DISABLED ');
    referenceSsid = /^ssid=.*$/m.exec(await ap.cli('get_config'))?.[0];
  });
});

describe('wpsd ap (driver=sim): the same commands', () => {
  let dir: string;
  let medium: Medium;
  let ap: ApDaemon | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `wpsd-regev-${process.pid}-`));
    medium = new Medium({ seed: 3 });
    await medium.listen(join(dir, 'm.sock'));
    const conf = join(dir, 'hostapd.conf');
    writeFileSync(
      conf,
      ['driver=sim', `sim_medium=${join(dir, 'm.sock')}`, 'interface=wregev0', 'bssid=02:00:00:00:0c:00', 'channel=1', `ctrl_interface=${join(dir, 'ctrl')}`,
        'ssid=test-wps', 'wpa=2', 'wpa_key_mgmt=WPA-PSK', 'rsn_pairwise=CCMP', 'wpa_passphrase=12345678', 'eap_server=1', 'wps_state=2', ''].join('\n'),
    );
    const { config } = await loadHostapdConfig(conf);
    ap = await startAp(config, { logger: new Logger({ level: LogLevel.ERROR + 1, sink: () => undefined }) });
  });

  afterAll(async () => {
    await ap?.stop();
    await medium?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives hostapd\'s transcript of the Registrar commands: replies, WPS-PBC-ACTIVE, WPS-TIMEOUT, WPS-CANCEL, trailing spaces included', async () => {
    expect(reference.registrar).toBeDefined();
    expect(await transcript(join(dir, 'ctrl', 'wregev0'), SCRIPTS.registrar)).toEqual(reference.registrar);
  });

  it("gives hostapd's transcript of DISABLE / ENABLE / SET / RELOAD, and the SSID set takes effect", async () => {
    expect(reference.control).toBeDefined();
    const sock = join(dir, 'ctrl', 'wregev0');
    expect(await transcript(sock, SCRIPTS.control)).toEqual(reference.control);
    const c = CtrlClient.open(sock);
    try {
      expect(/^ssid=.*$/m.exec(await c.request('GET_CONFIG'))?.[0]).toBe(referenceSsid);
      expect(await c.request('STATUS')).toMatch(/^state=ENABLED\n/);
    } finally {
      c.close();
    }
    expect(ap?.radioWps).toBeDefined();
  });
});
