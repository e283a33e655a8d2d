// SSDP announcements of wpsd ap on upnp_iface, seen from the other end of
// the veth: ssdp:alive for the four notification types at start, ssdp:byebye
// for the same four on a clean stop.
import { beforeAll, describe, expect, it } from 'vitest';
import { withTopology } from '../harness/fixture.js';
import { REFERENCE_AP } from '../harness/hostapd.js';
import type { ManagedProcess } from '../harness/netns.js';
import { startWpsdAp, type WpsdApInstance } from '../harness/wpsd.js';

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
  const env = withTopology({ hosts: ['ap', 'er'] });
  let listener: ManagedProcess;
  let wpsd: WpsdApInstance;

  beforeAll(async () => {
    const er = env.host('er');
    listener = env.track(er.spawn(process.execPath, ['-e', LISTENER, er.address], { label: 'ssdp-listener' }));
    await listener.waitForOutput(/LISTENING/, 10_000);
  });

  it('announces ssdp:alive for the root device, its UUID, WFADevice:1 and WFAWLANConfig:1 with LOCATION on upnp_iface', async () => {
    const ap = env.host('ap');
    wpsd = env.track(await startWpsdAp({ host: ap }));
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
    await wpsd.proc.stop('SIGTERM');
    expect(wpsd.proc.exitCode).toBe(0);
    await listener.waitForOutput(/NTS: ssdp:byebye/, 5000);
    // Give the second copy a moment; both copies leave before the process exits.
    const bye = datagrams(listener.output()).filter((d) => header(d.text, 'NTS') === 'ssdp:byebye');
    expect(new Set(bye.map((d) => header(d.text, 'NT')))).toEqual(new Set(NTS));
  });
});
