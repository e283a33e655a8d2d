// The hwsim group's fixture over the air topology of harness/air.ts: the
// namespaces and radios in beforeAll, what a test tracked and the namespaces
// in afterAll, and each stopped daemon's output kept for the artifacts.
import { afterAll, beforeAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, type Topology } from '../../harness/netns.js';
import type { Cleanup } from '../../harness/fixture.js';
import { RADIO_RETURN_MS, createAir, type AirHost, type AirOptions } from '../../harness/air.js';

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
  const tracked: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    air = await createAir(opts);
  }, RADIO_RETURN_MS + 30_000);
  afterAll(async () => {
    let first: unknown;
    for (const cleanup of tracked.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        first ??= err;
      }
    }
    await air?.topo.dispose();
    if (first !== undefined) throw first;
  }, 60_000);
  return {
    host(name) {
      const h = air?.hosts.get(name);
      if (!h) throw new HarnessError('BAD_TOPOLOGY', `no air host ${name} (made in beforeAll)`);
      return h;
    },
    track(thing) {
      tracked.push(async () => {
        if ('stop' in thing) await thing.stop();
        else thing.close();
        keepLog(thing);
      });
      return thing;
    },
    tempDir(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      tracked.push(async () => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
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

