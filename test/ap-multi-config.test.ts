// `wpsd ap a.conf b.conf`: one process serving several configuration files
// as `hostapd a.conf b.conf` does, each with its own BSS and control socket
// (driver=none, no upnp_iface: only UNIX sockets and temp files are used).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type ManagedProcess } from '../harness/netns.js';
import { spawnWpsd } from '../harness/wpsd.js';
import { until } from '../harness/until.js';

const STOP_GRACE_MS = 5000;
const START_MS = 15_000;
const IFNAME = `wpsdm${process.pid % 100000}`;

function conf(ctrlDir: string, n: number, extra = ''): string {
  return [
    'driver=none',
    `interface=${IFNAME}`,
    `bssid=02:00:00:00:0${n}:00`,
    `ctrl_interface=${ctrlDir}`,
    'wps_state=2',
    'ap_pin=12345670',
    `uuid=12345678-9abc-def0-1234-56789abcdef${n}`,
    `ssid=multi-${n}`,
    extra,
  ].join('\n');
}

async function getConfig(ctrlDir: string): Promise<string> {
  return (await run('hostapd_cli', ['-p', ctrlDir, '-i', IFNAME, 'get_config'], { allowFail: true })).stdout;
}

describe('wpsd ap with several configuration files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wpsd-apm-'));
  let wpsd: ManagedProcess | undefined;
  afterAll(async () => {
    await wpsd?.stop('SIGTERM', STOP_GRACE_MS);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves each file with its own BSS and control socket, in one process', async () => {
    const paths = [1, 2, 3].map((n) => {
      const p = join(dir, `ap${n}.conf`);
      writeFileSync(p, conf(join(dir, `ctrl${n}`), n));
      return p;
    });
    wpsd = spawnWpsd(['ap', '-c', paths[0] as string, paths[1] as string, paths[2] as string]);
    for (const n of [1, 2, 3]) {
      const ctrl = join(dir, `ctrl${n}`);
      await until(async () => (await getConfig(ctrl)).includes(`ssid=multi-${n}`), `ctrl socket of ap${n}.conf`, { timeoutMs: START_MS });
      const text = await getConfig(ctrl);
      expect(text).toContain(`bssid=02:00:00:00:0${n}:00`);
    }
  });

  it('starts none when one of the files is invalid, naming it as hostapd does', async () => {
    const good = join(dir, 'good.conf');
    const bad = join(dir, 'bad.conf');
    writeFileSync(good, conf(join(dir, 'ctrl-good'), 4));
    writeFileSync(bad, conf(join(dir, 'ctrl-bad'), 5, 'wps_state=7'));
    const p = spawnWpsd(['ap', good, bad]);
    const code = await p.exited;
    expect(code).toBe(1);
    expect(p.output()).toContain(`Failed to set up interface with ${bad}`);
  });
});
