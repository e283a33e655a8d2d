import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cleanupStaleNamespaces, createTopology, HOST_IFNAME, run } from './netns.js';

const PREFIX = 'wpsdh';

async function namespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}

describe('network-namespace topologies', () => {
  it('a bridged three-host topology reaches every host and dispose() deletes all its namespaces and processes', async () => {
    const topo = await createTopology({ hosts: ['a', 'b', 'c'], link: 'bridge', prefix: PREFIX });
    try {
      const a = topo.host('a');
      const c = topo.host('c');
      expect(c.address).toBe('169.254.1.3');
      // SSDP-style multicast from a reaches c through the bridge (and its unicast reply comes back).
      const listener = c.spawnNode('-e', [
        `const s=require('dgram').createSocket({type:'udp4',reuseAddr:true});
         s.on('message',(m,r)=>{console.log('got',m.toString(),r.address);s.send('pong',r.port,r.address,()=>process.exit(0));});
         s.bind(1900,()=>{s.addMembership('239.255.255.250','${c.address}');console.log('ready');});
         setTimeout(()=>process.exit(2),10000);`,
      ]);
      await listener.waitForOutput(/ready/, 10_000);
      const sender = await a.exec(process.execPath, [
        '-e',
        `const s=require('dgram').createSocket('udp4');
         s.on('message',(m,r)=>{console.log(m.toString(),r.address);process.exit(0);});
         s.bind(0,'${a.address}',()=>s.send('ping',1900,'239.255.255.250'));
         setTimeout(()=>process.exit(2),10000);`,
      ]);
      expect(sender.stdout.trim()).toBe(`pong ${c.address}`);
      await listener.exited;
      expect(listener.output()).toContain(`got ping ${a.address}`);
      const routes = await a.exec('ip', ['route', 'show', '239.0.0.0/8']);
      expect(routes.stdout).toContain(`dev ${HOST_IFNAME}`);
      // Only lo and the veth exist: multicast cannot leave through anything else.
      const links = await a.exec('ip', ['-o', 'link', 'show']);
      expect(links.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]?.trim().split('@')[0])).toEqual(['lo', HOST_IFNAME]);
      const sleeper = c.spawn('sleep', ['60']);
      expect(sleeper.running).toBe(true);
      await topo.dispose();
      await sleeper.exited;
      expect(sleeper.running).toBe(false);
    } finally {
      await topo.dispose();
    }
    const left = await namespaces();
    for (const ns of topo.namespaces) expect(left).not.toContain(ns);
  });

  it('spawnNode runs a node script inside the namespace, seeing only its veth address', async () => {
    const topo = await createTopology({ hosts: ['x', 'y'], prefix: PREFIX });
    try {
      const p = topo.host('y').spawnNode('-e', ["const o=require('os').networkInterfaces();console.log(JSON.stringify(Object.keys(o).sort()), o.wp0[0].address)"]);
      await p.waitForOutput(/\n/, 10_000);
      await p.exited;
      expect(p.output().trim()).toBe('["lo","wp0"] 169.254.1.2');
    } finally {
      await topo.dispose();
    }
  });

  it('the leak guard deletes namespaces of dead runs with the prefix and keeps those of live processes', async () => {
    const dead = spawnSync('true').pid;
    const stale = `${PREFIX}${dead}-abcdef-z`;
    const mine = `${PREFIX}${process.pid}-abcdef-z`;
    execFileSync('ip', ['netns', 'add', stale]);
    execFileSync('ip', ['netns', 'add', mine]);
    try {
      const removed = await cleanupStaleNamespaces(PREFIX);
      expect(removed).toContain(stale);
      const left = await namespaces();
      expect(left).not.toContain(stale);
      expect(left).toContain(mine);
    } finally {
      await run('ip', ['netns', 'del', stale], { allowFail: true });
      await run('ip', ['netns', 'del', mine], { allowFail: true });
    }
  });
});
