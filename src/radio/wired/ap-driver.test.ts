import { afterEach, describe, expect, it } from 'vitest';
import { DriverError, type DriverEvent } from '../driver.js';
import { buildEapol, EapolType } from '../eapol.js';
import { WiredApDriver } from './ap-driver.js';
import { PAE_GROUP_ADDRESS, type EapolFrameIn } from './eapol-port.js';

const AP = '02:00:00:00:aa:01';
const STA = '02:00:00:00:bb:01';
const START = buildEapol({ version: 1, type: EapolType.START, body: new Uint8Array(0) });

interface FakePort {
  sent: { dst: string; src: string; eapol: Uint8Array }[];
  closed: boolean;
  rx(f: EapolFrameIn): void;
}

async function open(usePaeGroupAddr = false): Promise<{ d: WiredApDriver; port: FakePort; events: DriverEvent[] }> {
  const port: FakePort = { sent: [], closed: false, rx: () => undefined };
  const d = await WiredApDriver.open({
    ifname: 'veth0',
    address: AP,
    usePaeGroupAddr,
    openPort: (_ifname, onFrame) => {
      port.rx = onFrame;
      return { send: (dst, src, eapol) => void port.sent.push({ dst, src, eapol }), close: () => void (port.closed = true) };
    },
  });
  const events: DriverEvent[] = [];
  d.onEvent((e) => events.push(e));
  return { d, port, events };
}

describe('WiredApDriver (driver=wired)', () => {
  const drivers: WiredApDriver[] = [];
  afterEach(async () => {
    for (const d of drivers.splice(0)) await d.close();
  });

  it('reports the first frame of an unknown source as new-sta before its EAPOL, and only EAPOL once the station is added', async () => {
    const { d, port, events } = await open();
    drivers.push(d);
    port.rx({ dst: PAE_GROUP_ADDRESS, src: STA, eapol: START });
    expect(events.map((e) => e.type)).toEqual(['new-sta', 'rx-eapol']);
    expect(events[1]).toMatchObject({ type: 'rx-eapol', src: STA, fourAddr: false });
    await d.addStation(STA, { aid: 1, capability: 0, listenInterval: 0 });
    events.length = 0;
    port.rx({ dst: AP, src: STA, eapol: START });
    expect(events.map((e) => e.type)).toEqual(['rx-eapol']);
    await d.removeStation(STA);
    expect(events.at(-1)).toMatchObject({ type: 'station-disassociated', addr: STA, byPeer: false });
  });

  it('ignores frames from a group address or from itself', async () => {
    const { d, port, events } = await open();
    drivers.push(d);
    port.rx({ dst: PAE_GROUP_ADDRESS, src: '01:80:c2:00:00:03', eapol: START });
    port.rx({ dst: PAE_GROUP_ADDRESS, src: AP, eapol: START });
    expect(events).toEqual([]);
  });

  it('sends EAPOL to the station, or to the PAE group address with use_pae_group_addr=1', async () => {
    const a = await open();
    const b = await open(true);
    drivers.push(a.d, b.d);
    await a.d.sendEapol(STA, START);
    await b.d.sendEapol(STA, START);
    expect(a.port.sent[0]).toMatchObject({ dst: STA, src: AP });
    expect(b.port.sent[0]).toMatchObject({ dst: PAE_GROUP_ADDRESS, src: AP });
  });

  it('has no management frames and no keys; a closed port refuses to send', async () => {
    const { d, port } = await open();
    await expect(d.sendMgmt(new Uint8Array(24))).rejects.toBeInstanceOf(DriverError);
    await expect(d.installKey({ type: 'group', cipher: 0x000fac04, keyIndex: 1, key: new Uint8Array(16) })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    await d.close();
    expect(port.closed).toBe(true);
    await expect(d.sendEapol(STA, START)).rejects.toMatchObject({ code: 'NOT_STARTED' });
  });
});
