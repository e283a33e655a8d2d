// The hwsim group's fixture over the air topology of harness/air.ts: the
// namespaces and radios in beforeAll, what a test tracked and the namespaces
// in afterAll, and each stopped daemon's output kept for the artifacts.
import { afterAll, beforeAll, expect } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, type Topology } from '../../harness/netns.js';
import { CleanupStack, type Cleanup } from '../../harness/fixture.js';
import { RADIO_RETURN_MS, airAddress, createAir, pingOverAir, type AirHost, type AirOptions } from '../../harness/air.js';
import type { CtrlSession } from '../../harness/ctrl-session.js';
import type { DaemonInstance } from '../../harness/reference-daemon.js';

export { airAddress, pingOverAir, wiredView, type AirHost } from '../../harness/air.js';

export interface AirFixture {
  host(name: string): AirHost;
  /** The AP host's end of the veth, as a host whose ifname is `wp0` (for upnp_iface). */
  track<T extends Cleanup>(thing: T): T;
  tempDir(prefix: string): string;
}

/** Call at the top of a describe: the air topology in beforeAll; afterAll ends what was tracked (last first), then the namespaces. */
export function withAir(opts: AirOptions): AirFixture {
  let air: { topo: Topology; hosts: Map<string, AirHost> } | undefined;
  const cleanups = new CleanupStack();
  beforeAll(async () => {
    air = await createAir(opts);
  }, RADIO_RETURN_MS + 30_000);
  afterAll(() => cleanups.run(async () => air?.topo.dispose()), 60_000);
  return {
    host(name) {
      const h = air?.hosts.get(name);
      if (!h) throw new HarnessError('BAD_TOPOLOGY', `no air host ${name} (made in beforeAll)`);
      return h;
    },
    track: (thing) => cleanups.track(thing, keepLog),
    tempDir: (prefix) => cleanups.tempDir(prefix),
  };
}

/** HWSIM_LOG_DIR (set by scripts/hwsim-group.sh): where each stopped daemon's output is kept for the test artifacts. */
function keepLog(thing: unknown): void {
  const dir = process.env.HWSIM_LOG_DIR;
  const proc = (thing as { proc?: { label: string; output(): string } }).proc;
  if (dir === undefined || proc === undefined) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${Date.now()}-${proc.label.replace(/[^\w@.-]/g, '_')}.log`), proc.output());
}


export interface Wpa2ConnectedOptions {
  sta: DaemonInstance;
  staCtrl: CtrlSession;
  apCtrl: CtrlSession;
  ssid: string;
  timeoutMs: number;
  /** The network id CTRL-EVENT-CONNECTED names (any when undefined). */
  networkId?: number;
}

/**
 * The station on the 'sta' host connected to the 'ap' host's BSS: CTRL-EVENT-CONNECTED, the AP saw the 4-way
 * handshake complete (EAPOL-4WAY-HS-COMPLETED), `status` says COMPLETED with WPA2-PSK/CCMP, and data crosses the air.
 */
export async function expectWpa2Connected(air: AirFixture, o: Wpa2ConnectedOptions): Promise<void> {
  const bssid = air.host('ap').radio?.mac ?? '';
  const staMac = air.host('sta').radio?.mac ?? '';
  const ev = await o.staCtrl.waitFor(/^CTRL-EVENT-CONNECTED /, o.timeoutMs);
  expect(ev.text).toMatch(new RegExp(`^CTRL-EVENT-CONNECTED - Connection to ${bssid} completed \\[id=${o.networkId ?? '\\d+'} id_str=\\]$`));
  await o.apCtrl.waitFor(new RegExp(`^EAPOL-4WAY-HS-COMPLETED ${staMac}$`), o.timeoutMs);
  const status = await o.sta.cli('status');
  for (const line of [`bssid=${bssid}`, `ssid=${o.ssid}`, 'wpa_state=COMPLETED', 'key_mgmt=WPA2-PSK', 'pairwise_cipher=CCMP']) expect(status).toContain(`${line}\n`);
  expect(await pingOverAir(air.host('sta'), airAddress(0))).toMatch(/[1-3] received/);
}
