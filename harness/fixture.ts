// Describe-level fixtures for namespace interop tests. withTopology makes the
// topology in beforeAll, and in afterAll ends everything the test registered
// (ctrl sessions, daemons, processes, temp dirs), last first, before the
// namespaces go: one cleanup path, also when a beforeAll failed half-way.
// withApAndEr adds the usual pair on top: an AP, an External Registrar and a
// ctrl session on each.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { CtrlSession } from './ctrl-session.js';
import { createTopology, HarnessError, hostMac, type NetnsHost, type Topology, type TopologyOptions } from './netns.js';
import type { DaemonInstance } from './reference-daemon.js';

/** What afterAll can end: a ctrl session (close) or a daemon / process (stop). */
export type Cleanup = { close(): void } | { stop(): Promise<void> };

export interface TopologyFixture {
  /** The topology (from beforeAll on). */
  readonly topo: Topology;
  host(name: string): NetnsHost;
  /** Ends `thing` in afterAll, before the topology is disposed (last tracked first); returns it. */
  track<T extends Cleanup>(thing: T): T;
  /** A fresh temp directory, removed in afterAll. */
  tempDir(prefix: string): string;
}

async function end(thing: Cleanup): Promise<void> {
  if ('stop' in thing) await thing.stop();
  else thing.close();
}

/**
 * What a describe's afterAll ends: tracked things and temp dirs, last first;
 * every one is tried, the first error is thrown after `last` (the
 * namespaces) has run.
 */
export class CleanupStack {
  private readonly list: Array<() => Promise<void>> = [];

  /** Ends `thing` (then calls `after` with it); returns it. */
  track<T extends Cleanup>(thing: T, after?: (thing: T) => void): T {
    this.list.push(async () => {
      await end(thing);
      after?.(thing);
    });
    return thing;
  }

  /** A fresh temp directory, removed with the rest. */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.list.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async run(last: () => Promise<void>): Promise<void> {
    let first: unknown;
    for (const cleanup of this.list.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        first ??= err;
      }
    }
    await last();
    if (first !== undefined) throw first;
  }
}

/** Call at the top of a describe, before its own beforeAll (hooks run in the order registered). */
export function withTopology(opts: TopologyOptions): TopologyFixture {
  let topo: Topology | undefined;
  const cleanups = new CleanupStack();

  beforeAll(async () => {
    topo = await createTopology(opts);
  });

  afterAll(() => cleanups.run(async () => topo?.dispose()));

  const fixture: TopologyFixture = {
    get topo(): Topology {
      if (!topo) throw new HarnessError('BAD_TOPOLOGY', 'withTopology: the topology is made in beforeAll');
      return topo;
    },
    host: (name) => fixture.topo.host(name),
    track: (thing) => cleanups.track(thing),
    tempDir: (prefix) => cleanups.tempDir(prefix),
  };
  return fixture;
}

/** An AP and an External Registrar, each in its own namespace (hosts "ap" and "er"), with attached ctrl sessions. */
export interface ApErFixture<A extends DaemonInstance, E extends DaemonInstance> {
  readonly env: TopologyFixture;
  readonly ap: A;
  readonly er: E;
  readonly apCtrl: CtrlSession;
  readonly erCtrl: CtrlSession;
  /** The MAC address of the AP host's veth (what WPS-ER-AP-ADD shows). */
  readonly apMac: string;
}

/**
 * Call at the top of a describe: in beforeAll the topology, then the AP and
 * the ER from `start` and a ctrl session on each; all of it ends in afterAll.
 */
export function withApAndEr<A extends DaemonInstance, E extends DaemonInstance>(start: {
  ap: (host: NetnsHost) => Promise<A>;
  er: (host: NetnsHost) => Promise<E>;
}): ApErFixture<A, E> {
  const env = withTopology({ hosts: ['ap', 'er'] });
  let ready: Omit<ApErFixture<A, E>, 'env'> | undefined;
  beforeAll(async () => {
    const ap = env.track(await start.ap(env.host('ap')));
    const er = env.track(await start.er(env.host('er')));
    const apCtrl = env.track(await ap.ctrl());
    const erCtrl = env.track(await er.ctrl());
    ready = { ap, er, apCtrl, erCtrl, apMac: await hostMac(ap.host) };
  });
  const get = (): Omit<ApErFixture<A, E>, 'env'> => {
    if (!ready) throw new HarnessError('BAD_TOPOLOGY', 'withApAndEr: the daemons are started in beforeAll');
    return ready;
  };
  return {
    env,
    get ap() {
      return get().ap;
    },
    get er() {
      return get().er;
    },
    get apCtrl() {
      return get().apCtrl;
    },
    get erCtrl() {
      return get().erCtrl;
    },
    get apMac() {
      return get().apMac;
    },
  };
}
