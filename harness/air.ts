// The air topology of the hwsim group (test/hwsim) and of
// bench/hwsim-radio.ts: each host is a network namespace; a radio host owns
// one mac80211_hwsim radio (`iw phy phyN set netns name NS`), so frames and
// data really cross the simulated air between namespaces; a wired host (an
// External Registrar) is joined to the AP host by a veth pair (`wp0` on both
// ends) for UPnP. Runs only inside the hwsim VM (scripts/hwsim-vm.sh), where
// the radios exist; every radio returns to the VM's root namespace when its
// namespace is deleted.
import { HarnessError, HOST_IFNAME, run, Topology, type NetnsHost } from './netns.js';

/** How long a radio may take to come back to the root namespace after the previous file deleted its namespace. */
export const RADIO_RETURN_MS = 60_000;
const RADIO_POLL_MS = 200;

export interface Radio {
  phy: string;
  ifname: string;
  mac: string;
}

export interface AirHost extends NetnsHost {
  /** The radio moved into this namespace (radio hosts only). */
  readonly radio?: Radio;
  /** The IPv4 address on the air (radio hosts) or the veth (wired hosts). */
  readonly address: string;
}

export interface AirOptions {
  /** Hosts with a radio, e.g. ['ap', 'sta']; the first is the AP side of any veth. */
  radios: readonly string[];
  /** Hosts joined to the first radio host by a veth (`wp0`), e.g. ['er']. At most one. */
  wired?: readonly string[];
}

/** The radios in the root namespace, from `iw dev` (phy#N / Interface / addr). */
export async function freeRadios(): Promise<Radio[]> {
  const { stdout } = await run('iw', ['dev']);
  const out: Radio[] = [];
  let phy: string | undefined;
  let ifname: string | undefined;
  for (const line of stdout.split('\n')) {
    const p = /^phy#(\d+)/.exec(line);
    if (p) {
      phy = `phy${p[1]}`;
      ifname = undefined;
      continue;
    }
    const i = /^\s+Interface (\S+)/.exec(line);
    if (i) ifname = i[1];
    const a = /^\s+addr ([0-9a-f:]{17})/.exec(line);
    if (a?.[1] && phy && ifname && !out.some((r) => r.phy === phy)) out.push({ phy, ifname, mac: a[1] });
  }
  return out.sort((x, y) => Number(x.phy.slice(3)) - Number(y.phy.slice(3)));
}

async function takeRadios(n: number): Promise<Radio[]> {
  const deadline = Date.now() + RADIO_RETURN_MS;
  for (;;) {
    const free = await freeRadios();
    if (free.length >= n) return free.slice(0, n);
    if (Date.now() > deadline) throw new HarnessError('BAD_TOPOLOGY', `need ${n} hwsim radios, ${free.length} in the root namespace (is this the hwsim VM?)`);
    await new Promise((r) => setTimeout(r, RADIO_POLL_MS));
  }
}

/** Air addresses 169.254.2.N/24, veth addresses 169.254.1.N/24: the two never share a route. */
export const airAddress = (i: number): string => `169.254.2.${i + 1}`;
const wiredAddress = (i: number): string => `169.254.1.${i + 1}`;

export async function createAir(opts: AirOptions): Promise<{ topo: Topology; hosts: Map<string, AirHost> }> {
  const wired = opts.wired ?? [];
  if (opts.radios.length === 0) throw new HarnessError('BAD_TOPOLOGY', 'no radio hosts');
  if (wired.length > 1) throw new HarnessError('BAD_TOPOLOGY', 'one wired host at most');
  const topo = new Topology(`hw${process.pid}-${Date.now().toString(36).slice(-4)}`);
  const hosts = new Map<string, AirHost>();
  try {
    const radios = await takeRadios(opts.radios.length);
    for (const [i, name] of opts.radios.entries()) {
      const radio = radios[i] as Radio;
      const ns = `${topo.id}-${name}`;
      await run('ip', ['netns', 'add', ns]);
      topo.namespaces.push(ns);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('iw', ['phy', radio.phy, 'set', 'netns', 'name', ns]);
      await run('ip', ['-n', ns, 'addr', 'add', `${airAddress(i)}/24`, 'dev', radio.ifname]);
      const base = topo.addHost(name, ns, airAddress(i));
      hosts.set(name, { ...base, ifname: radio.ifname, radio });
    }
    const apSide = hosts.get(opts.radios[0] as string) as AirHost;
    for (const name of wired) {
      const ns = `${topo.id}-${name}`;
      await run('ip', ['netns', 'add', ns]);
      topo.namespaces.push(ns);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', ['link', 'add', HOST_IFNAME, 'netns', apSide.ns, 'type', 'veth', 'peer', 'name', HOST_IFNAME, 'netns', ns]);
      const sides: Array<[string, string]> = [
        [apSide.ns, wiredAddress(0)],
        [ns, wiredAddress(1)],
      ];
      for (const [n, addr] of sides) {
        await run('ip', ['-n', n, 'addr', 'add', `${addr}/24`, 'dev', HOST_IFNAME]);
        await run('ip', ['-n', n, 'link', 'set', HOST_IFNAME, 'up']);
        // SSDP multicast stays on the veth: there is no other route for it.
        await run('ip', ['-n', n, 'route', 'add', '239.0.0.0/8', 'dev', HOST_IFNAME]);
      }
      hosts.set(name, topo.addHost(name, ns, wiredAddress(1)));
    }
  } catch (err) {
    await topo.dispose();
    throw err;
  }
  return { topo, hosts };
}

/** Pings `address` from `host` (3 echo requests, bounded); resolves with ping's output when at least one reply came back. */
export async function pingOverAir(host: AirHost, address: string): Promise<string> {
  const r = await host.exec('ping', ['-c', '3', '-i', '0.5', '-W', '5', address], { allowFail: true, timeoutMs: 30_000 });
  if (r.code !== 0) throw new HarnessError('COMMAND_FAILED', `ping ${address} from ${host.name} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The same host seen through its veth end (`wp0`), for daemons that take the UPnP interface as their ifname. */
export function wiredView(host: AirHost): NetnsHost {
  return { ...host, ifname: HOST_IFNAME };
}
