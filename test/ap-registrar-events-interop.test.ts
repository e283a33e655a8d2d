// The internal Registrar's control commands and the event lines they cause,
// byte for byte: Debian hostapd 2.10 (driver=wired in a namespace) is the
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
import { withTopology } from './harness/fixture.js';
import { startHostapd } from './harness/hostapd.js';

const SCRIPT = ['WPS_PBC', 'WPS_GET_STATUS', 'WPS_PBC', 'WPS_CANCEL', 'WPS_GET_STATUS', 'WPS_CANCEL', 'WPS_PIN any 12345670', 'WPS_CANCEL', 'PING'];
const TRANSCRIPT_MS = 20_000;

/** Runs SCRIPT on `socketPath`; every reply and event line, in arrival order, until PING's PONG (the last reply). */
async function transcript(socketPath: string): Promise<string[]> {
  const c = CtrlClient.open(socketPath);
  const lines: string[] = [];
  try {
    c.onEvent((e) => lines.push(`<${e.level}>${e.text}`));
    await c.attach();
    for (const cmd of SCRIPT) lines.push(`${cmd} -> ${JSON.stringify(await c.request(cmd, TRANSCRIPT_MS))}`);
  } finally {
    c.close();
  }
  return lines;
}

let reference: string[] | undefined;

describe('Debian hostapd (driver=wired): internal Registrar commands', () => {
  const env = withTopology({ hosts: ['ap'] });
  it('records the reference transcript', async () => {
    const ap = env.track(await startHostapd({ host: env.host('ap') }));
    reference = await transcript(ap.socketPath);
    expect(reference).toContain('<3>WPS-PBC-ACTIVE ');
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

  it('gives hostapd\'s transcript: replies, WPS-PBC-ACTIVE, WPS-TIMEOUT, WPS-CANCEL, trailing spaces included', async () => {
    expect(reference).toBeDefined();
    expect(await transcript(join(dir, 'ctrl', 'wregev0'))).toEqual(reference);
  });
});
