/**
 * Cleanup for one benchmark: every ctrl session, daemon and topology it made
 * is closed / stopped / deleted in reverse order, also when the bench fails.
 */
import type { CtrlSession } from '../harness/ctrl-session.js';
import { createTopology, type Topology, type TopologyOptions } from '../harness/netns.js';
import type { Daemon } from './daemons.js';

/** Namespace prefix of the benchmarks (swept by the harness's leak guard). */
export const BENCH_PREFIX = 'wpsdb';

export class BenchScope {
  private readonly undo: Array<() => Promise<void> | void> = [];

  async topology(opts: Omit<TopologyOptions, 'prefix'>): Promise<Topology> {
    const t = await createTopology({ ...opts, prefix: BENCH_PREFIX });
    this.undo.push(() => t.dispose());
    return t;
  }

  daemon<T extends Daemon>(d: T): T {
    this.undo.push(() => d.stop());
    return d;
  }

  session(s: CtrlSession): CtrlSession {
    this.undo.push(() => s.close());
    return s;
  }

  async dispose(): Promise<void> {
    for (const f of this.undo.splice(0).reverse()) {
      try {
        await f();
      } catch {
        // keep cleaning up the rest
      }
    }
  }
}

/** Runs `fn` with a scope that is always disposed afterwards. */
export async function withScope<T>(fn: (scope: BenchScope) => Promise<T>): Promise<T> {
  const scope = new BenchScope();
  try {
    return await fn(scope);
  } finally {
    await scope.dispose();
  }
}
