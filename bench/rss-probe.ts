/**
 * `node dist/bench/rss-probe.js [--rounds N] [--learns N] [label=path/to/cli.js ...]`
 * (root; not part of `npm run bench`): resident memory and CPU of `wpsd ap`
 * (driver=none, UPnP on the veth, as bench 6) and `wpsd sta -D none` (ER
 * started, the AP discovered) for one or more builds of wpsd, alternating
 * build by build in every round, so that a lever's before/after comes from
 * one run on the same machine load. Per build: VmRSS at idle (2 s after
 * discovery) split into anonymous and file-backed pages
 * (/proc/PID/smaps_rollup), then `--learns` learns of the AP by the ER and
 * each daemon's CPU per learn (utime + stime from /proc/PID/stat, a 10 ms
 * tick, hence the many learns), VmRSS after them and VmHWM. Medians over the
 * rounds. Without a label the repository's own dist/src/cli.js is measured;
 * `--env label:KEY=VALUE` adds to one build's environment (e.g. NODE_OPTIONS).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { disposeAllOnSignals } from '../harness/netns.js';
import { sleep } from '../src/common/sleep.js';
import { apUuid, readRss, startAp, startEr, wpsdCli } from './daemons.js';
import { cpuMs } from './learn-cpu.js';
import { attachCtrl, learnOnce, startErAndDiscover, type LearnSamples } from './learn.js';
import { withScope } from './scope.js';

const IDLE_SETTLE_MS = 2_000;
const KIB_PER_MIB = 1024;

interface Build {
  label: string;
  cli: string;
  /** Environment of this build's daemons on top of ours (`--env label:KEY=VALUE`, e.g. NODE_OPTIONS). */
  env: Record<string, string>;
}

interface Sample {
  idleRss: number;
  idleAnon: number;
  idleFile: number;
  loadedRss: number;
  hwm: number;
  cpuPerLearn: number;
}

/** Rss, Anonymous and file-backed (Rss less Anonymous) of a process, MiB. */
function rollup(pid: number): { rss: number; anon: number; file: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? NaN);
  const rss = kib('Rss');
  const anon = kib('Anonymous');
  return { rss: rss / KIB_PER_MIB, anon: anon / KIB_PER_MIB, file: (rss - anon) / KIB_PER_MIB };
}

/** Starts `fn`'s daemons with the build's environment on top of ours (the harness spawns with process.env). */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}

async function measure(b: Build, learns: number, round: number): Promise<{ ap: Sample; sta: Sample }> {
  return withScope(async (scope) => {
    const topo = await scope.topology({ hosts: [`ap${round}`, `er${round}`], link: 'p2p' });
    const uuid = apUuid(1);
    const { ap, sta } = await withEnv(b.env, async () => ({
      ap: scope.daemon(await startAp('wpsd', topo.host(`ap${round}`), { uuid, cli: b.cli })),
      sta: scope.daemon(await startEr('wpsd', topo.host(`er${round}`), { cli: b.cli })),
    }));
    const apCtrl = scope.session(await attachCtrl(ap));
    const erCtrl = scope.session(await attachCtrl(sta));
    await startErAndDiscover(erCtrl, [uuid]);
    await sleep(IDLE_SETTLE_MS);
    const idle = { ap: rollup(ap.pid), sta: rollup(sta.pid) };
    const c0 = { ap: cpuMs(ap.pid), sta: cpuMs(sta.pid) };
    const res: LearnSamples = { samples: [], failures: 0, settleMisses: 0 };
    const pair = { label: b.label, er: erCtrl, ap: apCtrl, uuid };
    for (let i = 0; i < learns; i++) {
      try {
        await learnOnce(pair, res);
      } catch (err) {
        res.failures++;
        process.stderr.write(`${b.label}: learn failed: ${(err as Error).message.slice(0, 200)}\n`);
      }
    }
    const n = Math.max(1, learns);
    const sample = (pid: number, i: { rss: number; anon: number; file: number }, cpu0: number): Sample => {
      const r = readRss(pid);
      return { idleRss: i.rss, idleAnon: i.anon, idleFile: i.file, loadedRss: r.rssKiB / KIB_PER_MIB, hwm: r.hwmKiB / KIB_PER_MIB, cpuPerLearn: (cpuMs(pid) - cpu0) / n };
    };
    return { ap: sample(ap.pid, idle.ap, c0.ap), sta: sample(sta.pid, idle.sta, c0.sta) };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function parseArgs(argv: string[]): { rounds: number; learns: number; builds: Build[] } {
  let rounds = 3;
  let learns = 30;
  const builds: Build[] = [];
  const envs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--rounds') rounds = Number(argv[++i]);
    else if (a === '--learns') learns = Number(argv[++i]);
    else if (a === '--env') envs.push(argv[++i] ?? '');
    else {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new Error(`rss-probe: expected label=path/to/cli.js, got ${a}`);
      builds.push({ label: a.slice(0, eq), cli: resolve(a.slice(eq + 1)), env: {} });
    }
  }
  for (const e of envs) {
    const m = /^([^:]+):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(e);
    const b = builds.find((x) => x.label === m?.[1]);
    if (!m || !b) throw new Error(`rss-probe: expected --env label:KEY=VALUE for a given label, got ${e}`);
    b.env[m[2] as string] = m[3] as string;
  }
  if (!(rounds >= 1) || !(learns >= 0)) throw new Error('rss-probe: --rounds >= 1, --learns >= 0');
  return { rounds, learns, builds: builds.length > 0 ? builds : [{ label: 'this', cli: wpsdCli(), env: {} }] };
}

async function main(): Promise<void> {
  disposeAllOnSignals();
  const { rounds, learns, builds } = parseArgs(process.argv.slice(2));
  const out = new Map<string, { ap: Sample[]; sta: Sample[] }>(builds.map((b) => [b.label, { ap: [], sta: [] }]));
  const load0 = loadavg()[0] ?? 0;
  for (let r = 0; r < rounds; r++) {
    for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
      const s = await measure(b, learns, r);
      const o = out.get(b.label) as { ap: Sample[]; sta: Sample[] };
      o.ap.push(s.ap);
      o.sta.push(s.sta);
      process.stderr.write(`round ${r} ${b.label}: ap ${s.ap.idleRss.toFixed(1)} MiB, sta ${s.sta.idleRss.toFixed(1)} MiB\n`);
    }
  }
  const f = (x: number): string => x.toFixed(1);
  process.stdout.write(`load average (1 min) ${load0.toFixed(2)} at the start, ${(loadavg()[0] ?? 0).toFixed(2)} at the end; ${rounds} rounds, ${learns} learns per round; medians\n`);
  process.stdout.write('| build | daemon | idle VmRSS MiB | anon | file | after learns VmRSS | VmHWM | CPU ms/learn |\n|---|---|---:|---:|---:|---:|---:|---:|\n');
  for (const [label, o] of out) {
    for (const [name, xs] of [['wpsd ap', o.ap], ['wpsd sta -D none', o.sta]] as const) {
      const m = (k: keyof Sample): string => f(median(xs.map((x) => x[k])));
      process.stdout.write(`| ${label} | ${name} | ${m('idleRss')} | ${m('idleAnon')} | ${m('idleFile')} | ${m('loadedRss')} | ${m('hwm')} | ${f(median(xs.map((x) => x.cpuPerLearn)))} |\n`);
    }
  }
}

await main();
