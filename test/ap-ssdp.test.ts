// SSDP announcements of wpsd ap on upnp_iface, seen from the other end of
// the veth: ssdp:alive for the four notification types at start, ssdp:byebye
// for the same four on a clean stop.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_AP, hostapdConf, waitForCtrl } from './harness/hostapd.js';
import { createTopology, type ManagedProcess, type Topology } from './harness/netns.js';

const CLI = join(process.cwd(), 'dist/src/cli.js');
const UUID = REFERENCE_AP.uuid;
const NTS = ['upnp:rootdevice', `uuid:${UUID}`, 'urn:schemas-wifialliance-org:device:WFADevice:1', 'urn:schemas-wifialliance-org:service:WFAWLANConfig:1'];

/** Joins the SSDP group on the given address and prints every datagram as one JSON line. */
const LISTENER = `
const dgram = require('node:dgram');
const [local] = process.argv.slice(1);
const s = dgram.createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (m, r) => process.stdout.write(JSON.stringify({ from: r.address, text: m.toString('latin1') }) + '\\n'));
s.bind(1900, () => { s.addMembership('239.255.255.250', local); process.stdout.write('LISTENING\\n'); });
setTimeout(() => process.exit(0), 60000);
`;

interface Datagram {
  from: string;
  text: string;
}

function datagrams(out: string): Datagram[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Datagram);
}

function header(text: string, name: string): string | undefined {
  return new RegExp(`^${name}: ?(.*)\\r$`, 'mi').exec(text)?.[1];
}

describe('wpsd ap SSDP announcements', () => {
  let topo: Topology;
  let dir: string;
  let listener: ManagedProcess;
  let wpsd: ManagedProcess;

  beforeAll(async () => {
    topo = await createTopology({ hosts: ['ap', 'er'] });
    const er = topo.host('er');
    listener = er.spawn(process.execPath, ['-e', LISTENER, er.address], { label: 'ssdp-listener' });
    await listener.waitForOutput(/LISTENING/, 10_000);
  });

  afterAll(async () => {
    await wpsd?.stop();
    await listener?.stop();
    await topo?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('announces ssdp:alive for the root device, its UUID, WFADevice:1 and WFAWLANConfig:1 with LOCATION on upnp_iface', async () => {
    const ap = topo.host('ap');
    dir = mkdtempSync(join(tmpdir(), 'wpsd-apssdp-'));
    const ctrlDir = join(dir, 'ctrl');
    const confPath = join(dir, 'hostapd.conf');
    writeFileSync(confPath, hostapdConf({ ifname: ap.ifname, ctrlDir }).replace('driver=wired', 'driver=none'));
    wpsd = ap.spawnNode(CLI, ['ap', '-c', confPath], { label: 'wpsd-ap' });
    await waitForCtrl(join(ctrlDir, ap.ifname), wpsd);
    await listener.waitForOutput(/WFAWLANConfig:1\\r\\nNTS: ssdp:alive/, 10_000);
    const alive = datagrams(listener.output()).filter((d) => header(d.text, 'NTS') === 'ssdp:alive');
    expect(alive.every((d) => d.from === ap.address)).toBe(true);
    expect(new Set(alive.map((d) => header(d.text, 'NT')))).toEqual(new Set(NTS));
    for (const d of alive) {
      expect(d.text.startsWith('NOTIFY * HTTP/1.1\r\n')).toBe(true);
      expect(header(d.text, 'LOCATION')).toMatch(new RegExp(`^http://${ap.address.replace(/\./g, '\\.')}:\\d+/wps_device\\.xml$`));
      expect(header(d.text, 'CACHE-CONTROL')).toBe('max-age=1801');
      expect(header(d.text, 'USN')?.startsWith(`uuid:${UUID}`)).toBe(true);
    }
  });

  it('sends ssdp:byebye for the same four types when stopped', async () => {
    await wpsd.stop('SIGTERM');
    expect(wpsd.exitCode).toBe(0);
    await listener.waitForOutput(/NTS: ssdp:byebye/, 5000);
    // Give the second copy a moment; both copies leave before the process exits.
    const bye = datagrams(listener.output()).filter((d) => header(d.text, 'NTS') === 'ssdp:byebye');
    expect(new Set(bye.map((d) => header(d.text, 'NT')))).toEqual(new Set(NTS));
  });
});
