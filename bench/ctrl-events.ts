/**
 * The cost of the control socket's per-peer accounting (sock_diag checks):
 * events per second that reach one reading monitor, with the accounting and
 * without it (the daemon's behaviour where the kernel has no sock_diag).
 * Alternating runs; the median of each.
 *
 *   node dist/bench/ctrl-events.js [--events N] [--runs R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CtrlClient } from '../src/ctrl/client.js';
import { CtrlServer } from '../src/ctrl/server.js';

/** Events emitted between two turns of the event loop, as a burst of real events would be. */
const BURST = 50;
/** Events emitted but not yet received before the next burst waits: below the daemon's backlog per peer (1024), past which a monitor counts failed sends. */
const WINDOW = 500;

interface Run {
  perSecond: number;
  received: number;
  reopens: number;
}

/** No event received for this long ends a run (the monitor was cut). */
const STALL_MS = 2000;

async function deliver(sockDiag: boolean, events: number): Promise<Run> {
  const dir = mkdtempSync(`/tmp/wpsd-ctlbench-${process.pid}-`);
  const s = await CtrlServer.open({ ctrlInterface: join(dir, 'run'), ifname: 'wlan0', sockDiag });
  const c = CtrlClient.open(s.path, dir);
  try {
    let got = 0;
    let last = performance.now();
    c.onEvent(() => {
      got++;
      last = performance.now();
    });
    await c.attach();
    const t0 = performance.now();
    let i = 0;
    const stalled = (): boolean => performance.now() - last > STALL_MS;
    for (; i < events && !stalled(); i++) {
      s.emit(3, `WPS-EVENT-${i}`);
      if (i % BURST === BURST - 1) do await new Promise((r) => setImmediate(r)); while (i + 1 - got > WINDOW && !stalled());
    }
    while (got < i && !stalled()) await new Promise((r) => setTimeout(r, 5));
    const end = got === i ? last : performance.now() - STALL_MS;
    return { perSecond: got / ((end - t0) / 1000), received: got, reopens: s.stallRecoveries };
  } finally {
    c.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(argv: string[]): Promise<void> {
  const opt = (name: string, d: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const events = opt('--events', 10_000);
  const runs = opt('--runs', 5);
  const results = { with: [] as Run[], without: [] as Run[] };
  for (let r = 0; r < runs; r++) {
    results.with.push(await deliver(true, events));
    results.without.push(await deliver(false, events));
  }
  process.stdout.write(`events to one reading monitor (emitted in bursts of ${BURST}), ${events} per run, ${runs} runs each\n`);
  for (const [name, rs] of Object.entries(results)) {
    process.stdout.write(
      `  ${name === 'with' ? 'with sock_diag accounting' : 'without (would-block path)'}: median ${Math.round(median(rs.map((x) => x.perSecond)))} events/s; ` +
        `received ${rs.map((x) => x.received).join(' ')}; socket reopens ${rs.map((x) => x.reopens).join(' ')}\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
