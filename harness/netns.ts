// Small network-namespace topologies for interop tests and benchmarks.
// Every host is an `ip netns` of its own with one veth (`wp0`), addressed in
// 169.254.0.0/16, with a 239.0.0.0/8 route so SSDP multicast stays on the veth.
// Nothing here ever touches the machine's real interfaces.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const DEFAULT_PREFIX = 'wpsdt';
/** Interface name of every host's veth end (names are per namespace). */
export const HOST_IFNAME = 'wp0';
/** Max characters of captured output kept per process (older output is dropped). */
const MAX_CAPTURE = 4 * 1024 * 1024;
/** How long a SIGTERM'd process gets before SIGKILL. */
const STOP_GRACE_MS = 3000;

export class HarnessError extends Error {
  constructor(
    readonly code: 'COMMAND_FAILED' | 'TIMEOUT' | 'EXITED' | 'BAD_TOPOLOGY',
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs a command (in the root namespace); rejects with HarnessError on non-zero exit unless allowFail. */
export async function run(
  cmd: string,
  args: readonly string[],
  opts: { allowFail?: boolean; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileP(cmd, [...args], {
      timeout: opts.timeoutMs ?? 20_000,
      maxBuffer: 16 * 1024 * 1024,
      encoding: 'utf8',
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number | string };
    const res: RunResult = { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : -1 };
    if (opts.allowFail) return res;
    throw new HarnessError('COMMAND_FAILED', `${cmd} ${args.join(' ')} failed (${String(e.code)}): ${res.stderr.trim()}`);
  }
}

/** A process started inside a namespace; its stdout+stderr are captured. */
export class ManagedProcess {
  private out = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  exitCode: number | null | undefined = undefined;

  /** With `captureStdout: false` only stderr is captured: stdout is the caller's (a process that talks over its stdio). */
  constructor(
    readonly child: ChildProcess,
    readonly label: string,
    opts: { captureStdout?: boolean } = {},
  ) {
    const onData = (b: Buffer): void => {
      this.out += b.toString('utf8');
      if (this.out.length > MAX_CAPTURE) this.out = this.out.slice(this.out.length - MAX_CAPTURE);
      for (const w of this.waiters.splice(0)) w();
    };
    if (opts.captureStdout ?? true) child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // 'close', not 'exit': stdout and stderr are read to their end by then, so output() after exited is complete.
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitCode = code ?? (signal ? null : code);
        for (const w of this.waiters.splice(0)) w();
        resolve(code);
      });
      child.on('error', () => {
        this.exitCode = -1;
        for (const w of this.waiters.splice(0)) w();
        resolve(-1);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Everything the process printed so far. */
  output(): string {
    return this.out;
  }

  /** Waits until the captured output matches `re`; rejects on timeout or exit. */
  async waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (!this.running) throw new HarnessError('EXITED', `${this.label} exited (${String(this.exitCode)}) before ${re}: ${this.out.slice(-2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new HarnessError('TIMEOUT', `${this.label}: no ${re} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** SIGTERM (or `signal`), then SIGKILL after a grace period; resolves when it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

export interface SpawnOptions {
  label?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdin and stdout are pipes left to the caller (`child.stdin`, `child.stdout`); only stderr is captured. */
  stdio?: 'captured' | 'piped';
}

export interface NetnsHost {
  /** Logical name given in the topology ("ap", "er", ...). */
  readonly name: string;
  /** The `ip netns` name. */
  readonly ns: string;
  /** The veth inside this namespace. */
  readonly ifname: string;
  /** IPv4 address of `ifname` (no prefix length). */
  readonly address: string;
  /** Runs a command inside the namespace and captures its output. */
  exec(cmd: string, args: readonly string[], opts?: { allowFail?: boolean; timeoutMs?: number }): Promise<RunResult>;
  /** Starts a long-running process inside the namespace; dispose() stops it. */
  spawn(cmd: string, args: readonly string[], opts?: SpawnOptions): ManagedProcess;
  /** Starts `node SCRIPT ARGS` inside the namespace (e.g. dist/src/cli.js ap -c ...). */
  spawnNode(script: string, args: readonly string[], opts?: SpawnOptions): ManagedProcess;
}

export interface TopologyOptions {
  /** Host names, e.g. ['ap', 'er']. */
  hosts: readonly string[];
  /** 'p2p' links exactly two hosts by one veth pair; 'bridge' joins any number through a bridge namespace. */
  link?: 'p2p' | 'bridge';
  /** Namespace name prefix (also what the leak guard sweeps). */
  prefix?: string;
}

const live = new Set<Topology>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const t of live) t.disposeSync();
  });
}

/**
 * Opt-in for long-running scripts (bench/, record-reference): on SIGINT/SIGTERM
 * tear down every live topology, then die of the same signal. Not installed by
 * default because test runners own their signal handling; a run killed without
 * it is swept by the leak guard next time.
 */
export function disposeAllOnSignals(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const t of live) t.disposeSync();
      process.kill(process.pid, sig);
    });
  }
}

export class Topology {
  readonly hosts = new Map<string, NetnsHost>();
  /** Every namespace created (hosts and the bridge), for cleanup. */
  readonly namespaces: string[] = [];
  private readonly procs = new Set<ManagedProcess>();
  private disposed = false;

  constructor(readonly id: string) {}

  host(name: string): NetnsHost {
    const h = this.hosts.get(name);
    if (!h) throw new HarnessError('BAD_TOPOLOGY', `no host ${name} in topology ${this.id}`);
    return h;
  }

  /** Starts a process inside namespace `ns` (one of this topology's); dispose() stops it. */
  spawnIn(ns: string, cmd: string, args: readonly string[], o: SpawnOptions = {}): ManagedProcess {
    if (!this.namespaces.includes(ns)) throw new HarnessError('BAD_TOPOLOGY', `no namespace ${ns} in topology ${this.id}`);
    const piped = o.stdio === 'piped';
    // `ip netns exec` execs the command in place, so signals reach it directly.
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], {
      stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      cwd: o.cwd,
      env: o.env ?? process.env,
    });
    const p = new ManagedProcess(child, o.label ?? `${ns}:${cmd}`, { captureStdout: !piped });
    this.procs.add(p);
    void p.exited.then(() => this.procs.delete(p));
    return p;
  }

  /** @internal */
  addHost(name: string, ns: string, address: string): NetnsHost {
    const spawnIn = (cmd: string, args: readonly string[], o: SpawnOptions = {}): ManagedProcess => this.spawnIn(ns, cmd, args, { ...o, label: o.label ?? `${name}:${cmd}` });
    const host: NetnsHost = {
      name,
      ns,
      ifname: HOST_IFNAME,
      address,
      exec: (cmd, args, o) => run('ip', ['netns', 'exec', ns, cmd, ...args], o),
      spawn: spawnIn,
      spawnNode: (script, args, o) => spawnIn(process.execPath, [script, ...args], o),
    };
    this.hosts.set(name, host);
    return host;
  }

  /** Stops every process started here, kills any stragglers in the namespaces, deletes them. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([...this.procs].map((p) => p.stop()));
    for (const ns of this.namespaces) {
      const { stdout } = await run('ip', ['netns', 'pids', ns], { allowFail: true });
      for (const pid of stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await run('ip', ['netns', 'del', ns], { allowFail: true });
    }
    live.delete(this);
  }

  /** Synchronous last-resort cleanup for process exit. */
  disposeSync(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.procs) p.kill();
    for (const ns of this.namespaces) deleteNamespaceSync(ns);
    live.delete(this);
  }
}

function deleteNamespaceSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } catch {
    /* namespace already gone */
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Leak guard: deletes namespaces `<prefix><pid>-...` whose creating process is
 * gone (a crashed earlier run). Namespaces of live processes (parallel test
 * workers) are left alone. Returns the names deleted.
 */
export async function cleanupStaleNamespaces(prefix = DEFAULT_PREFIX): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], { allowFail: true });
  const removed: string[] = [];
  const re = new RegExp(`^${prefix}(\\d+)-[0-9a-f]+-`);
  for (const line of stdout.split('\n')) {
    const ns = line.trim().split(/\s+/)[0];
    if (!ns) continue;
    const m = re.exec(ns);
    if (!m?.[1] || pidAlive(Number(m[1]))) continue;
    deleteNamespaceSync(ns);
    removed.push(ns);
  }
  return removed;
}

/** The MAC address of `host`'s veth, as `ip link` shows it (lower-case, colons). */
export async function hostMac(host: NetnsHost): Promise<string> {
  return (await host.exec('cat', [`/sys/class/net/${host.ifname}/address`])).stdout.trim();
}

/** Address of the i-th host (0-based): 169.254.1.(i+1). */
export function hostAddress(i: number): string {
  return `169.254.1.${i + 1}`;
}

/** A new, still empty topology `<prefix><pid>-<rand>`, disposed at exit (and on signals, when opted in) until dispose(). */
async function liveTopology(prefix: string): Promise<Topology> {
  await cleanupStaleNamespaces(prefix);
  const topo = new Topology(`${prefix}${process.pid}-${randomBytes(3).toString('hex')}`);
  installExitHook();
  live.add(topo);
  return topo;
}

async function addNamespace(topo: Topology, ns: string): Promise<void> {
  await run('ip', ['netns', 'add', ns]);
  topo.namespaces.push(ns);
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

/**
 * One namespace `<prefix><pid>-<rand>-<name>` with nothing but `lo`, owned by
 * a topology of its own (so disposed like any other): for a process that must
 * run under a namespace's own sysctls, set here (`sysctl -w` inside it).
 */
export async function createLoneNamespace(name: string, sysctls: Readonly<Record<string, string>> = {}, prefix = DEFAULT_PREFIX): Promise<{ topo: Topology; ns: string }> {
  if (!/^[a-z0-9]{1,12}$/.test(name)) throw new HarnessError('BAD_TOPOLOGY', `bad namespace name ${name}`);
  const topo = await liveTopology(prefix);
  const ns = `${topo.id}-${name}`;
  try {
    await addNamespace(topo, ns);
    for (const [key, value] of Object.entries(sysctls)) await run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
  } catch (err) {
    await topo.dispose();
    throw err;
  }
  return { topo, ns };
}

/**
 * Creates the namespaces and links. Host names become namespace names
 * `<prefix><pid>-<rand>-<host>` (kept short: Linux allows any length, but
 * readable names help when something leaks).
 */
export async function createTopology(opts: TopologyOptions): Promise<Topology> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const link = opts.link ?? (opts.hosts.length === 2 ? 'p2p' : 'bridge');
  if (opts.hosts.length === 0) throw new HarnessError('BAD_TOPOLOGY', 'no hosts');
  if (link === 'p2p' && opts.hosts.length !== 2) throw new HarnessError('BAD_TOPOLOGY', 'p2p needs exactly two hosts');
  if (new Set(opts.hosts).size !== opts.hosts.length) throw new HarnessError('BAD_TOPOLOGY', 'duplicate host names');
  for (const h of opts.hosts) if (!/^[a-z0-9]{1,12}$/.test(h)) throw new HarnessError('BAD_TOPOLOGY', `bad host name ${h}`);
  const topo = await liveTopology(prefix);
  try {
    const hosts = opts.hosts.map((h, i) => topo.addHost(h, `${topo.id}-${h}`, hostAddress(i)));
    for (const h of hosts) await addNamespace(topo, h.ns);
    if (link === 'p2p') {
      const [a, b] = hosts as [NetnsHost, NetnsHost];
      await run('ip', ['link', 'add', HOST_IFNAME, 'netns', a.ns, 'type', 'veth', 'peer', 'name', HOST_IFNAME, 'netns', b.ns]);
    } else {
      const br = `${topo.id}-br`;
      await addNamespace(topo, br);
      await run('ip', ['-n', br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'stp_state', '0', 'forward_delay', '0']);
      await run('ip', ['-n', br, 'link', 'set', 'br0', 'up']);
      for (const [i, h] of hosts.entries()) {
        const port = `p${i}`;
        await run('ip', ['link', 'add', HOST_IFNAME, 'netns', h.ns, 'type', 'veth', 'peer', 'name', port, 'netns', br]);
        await run('ip', ['-n', br, 'link', 'set', port, 'master', 'br0']);
        await run('ip', ['-n', br, 'link', 'set', port, 'up']);
      }
    }
    for (const h of hosts) {
      await run('ip', ['-n', h.ns, 'addr', 'add', `${h.address}/16`, 'dev', HOST_IFNAME]);
      await run('ip', ['-n', h.ns, 'link', 'set', HOST_IFNAME, 'up']);
      // SSDP (239.255.255.250) goes out of the veth, never elsewhere: there is no other route.
      await run('ip', ['-n', h.ns, 'route', 'add', '239.0.0.0/8', 'dev', HOST_IFNAME]);
    }
  } catch (err) {
    await topo.dispose();
    throw err;
  }
  return topo;
}
