// WpsAp without a radio or UPnP: what it pushes when the ERs' selections
// change (the proxy's 'selection'), when the AP PIN lockout starts and ends,
// and when the PBC walk time runs out. Nothing is polled: each change comes
// as a typed event at the moment it happens.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErSelection, WfaProxyEvents } from '../../proxy/wfa-proxy.js';
import { AP_PIN_FAILURES_BEFORE_LOCK } from '../../wps/ap-pin-lockout.js';
import { ConfigMethods, DevicePasswordId, WpsState } from '../../wps/values.js';
import { WpsAp, type WpsApEvent } from './wps-ap.js';
import { buildEapol, EapolType, parseEapol } from '../../radio/eapol.js';
import { WiredApDriver } from '../../radio/wired/ap-driver.js';
import { PAE_GROUP_ADDRESS, type EapolFrameIn } from '../../radio/wired/eapol-port.js';

const DEVICE = {
  uuid: Buffer.alloc(16, 0x12), macAddress: Buffer.from('020000000100', 'hex'), deviceName: 'AP', manufacturer: 'm', modelName: 'm', modelNumber: '1',
  serialNumber: '1', primaryDeviceType: Buffer.from('00060050f2040001', 'hex'), osVersion: 0, configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualPushButton, rfBands: 1,
};

class Link extends EventEmitter<WfaProxyEvents> {
  subscribed = true;
  current: ErSelection[] = [];
  sent: string[] = [];
  toExternal(mac: Uint8Array, msg: Uint8Array): void {
    this.sent.push(`${Buffer.from(mac).toString('hex')} ${Buffer.from(msg).toString('hex')}`);
  }
  probe(): boolean {
    return true;
  }
  selections(): ErSelection[] {
    return this.current;
  }
}

describe('WpsAp pushes its changes', () => {
  let wps: WpsAp | undefined;
  afterEach(async () => {
    await wps?.close();
    wps = undefined;
  });

  function start(o: { now?: () => number; pbcWalkTimeMs?: number } = {}): { link: Link; events: WpsApEvent[] } {
    const link = new Link();
    const events: WpsApEvent[] = [];
    wps = new WpsAp({
      ssid: Buffer.from('test-wps'),
      channel: 1,
      rsn: true,
      ie: { wpsState: WpsState.Configured, apSetupLocked: false, device: DEVICE },
      registrarDevice: DEVICE,
      credentials: () => [],
      apPin: { pin: '12345670' },
      link,
      onEvent: (e) => events.push(e),
      ...o,
    });
    return { link, events };
  }

  it("an ER's selection shows in the view as soon as the proxy says so, and goes when it says so", async () => {
    const { link, events } = start();
    await wps?.start();
    link.current = [{ er: '169.254.1.2', expiresAt: Number.MAX_SAFE_INTEGER, devicePasswordId: DevicePasswordId.Default, configMethods: ConfigMethods.Keypad, authorizedMacs: [Buffer.alloc(6, 0xff)] }];
    link.emit('selection');
    await new Promise((r) => setImmediate(r));
    expect(events.filter((e) => e.type === 'selection').map((e) => (e.type === 'selection' ? e.view.selected : undefined))).toEqual([false, true]);
    link.current = [];
    link.emit('selection');
    await new Promise((r) => setImmediate(r));
    expect(wps?.view().selected).toBe(false);
    expect(events.filter((e) => e.type === 'selection').at(-1)).toMatchObject({ view: { selected: false } });
  });

  it('the AP PIN lockout: locked after the failures, the event at once, unlocked by a new AP PIN', async () => {
    const { events } = start();
    await wps?.start();
    const guard = wps?.guard;
    for (let i = 0; i < AP_PIN_FAILURES_BEFORE_LOCK; i++) guard?.recordFailure();
    expect(guard?.locked).toBe(true);
    expect(events.map((e) => e.type)).toContain('ap-setup-locked');
    guard?.apPin.set('87654325', 0);
    expect(guard?.locked).toBe(false);
    expect(events.map((e) => e.type)).toContain('ap-setup-unlocked');
  });

  it('PBC mode ends with WPS-TIMEOUT when its walk time is over, on its one timer', async () => {
    const { events } = start({ pbcWalkTimeMs: 50 });
    await wps?.start();
    expect(await wps?.pushButton()).toBe(true);
    expect(wps?.view()).toMatchObject({ selected: true, devicePasswordId: DevicePasswordId.PushButton });
    await new Promise<void>((resolve) => {
      const off = wps?.onEvent((e) => {
        if (e.type === 'pbc-timeout') {
          off?.();
          resolve();
        }
      });
    });
    expect(events.map((e) => e.type)).toEqual(['selection', 'pbc-active', 'selection', 'pbc-timeout', 'selection']);
    expect(wps?.view().selected).toBe(false);
  });
});

describe('WpsAp on a wired port (driver=wired)', () => {
  const STA = '02:00:00:00:bb:02';
  let wps: WpsAp | undefined;
  afterEach(async () => {
    await wps?.close();
    wps = undefined;
  });

  async function wired(o: { ieee8021x?: boolean; hideSsid?: boolean }): Promise<{ driver: WiredApDriver; sent: Uint8Array[]; rx: (f: EapolFrameIn) => void }> {
    const sent: Uint8Array[] = [];
    let rx: (f: EapolFrameIn) => void = () => undefined;
    const driver = await WiredApDriver.open({
      ifname: 'veth0',
      address: '02:00:00:00:01:00',
      openPort: (_i, onFrame) => {
        rx = onFrame;
        return { send: (_dst, _src, eapol) => void sent.push(eapol), close: () => undefined };
      },
    });
    wps = new WpsAp({
      driver,
      ssid: Buffer.from('test-wps'),
      channel: 1,
      rsn: true,
      ie: { wpsState: WpsState.Configured, apSetupLocked: false, device: DEVICE },
      registrarDevice: DEVICE,
      credentials: () => [],
      ...o,
    });
    await wps.start();
    return { driver, sent, rx: (f) => rx(f) };
  }

  const start = { dst: PAE_GROUP_ADDRESS, src: STA, eapol: buildEapol({ version: 1, type: EapolType.START, body: new Uint8Array(0) }) };

  it('with ieee8021x=1 an EAPOL-Start from a new wired station gets EAP-Request/Identity', async () => {
    const { sent, rx } = await wired({ ieee8021x: true });
    rx(start);
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    const eap = parseEapol(sent[0] ?? new Uint8Array(0));
    expect(eap.type).toBe(EapolType.EAP_PACKET);
    expect([eap.body[0], eap.body[4]]).toEqual([1, 1]); // Request, Identity
    expect(wps?.mlme?.station(STA)).toMatchObject({ state: 'associated', wired: true });
  });

  it('without ieee8021x the wired station gets no EAP (hostapd: "Ignore STA")', async () => {
    const { sent, rx } = await wired({});
    rx(start);
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(0);
  });

  it('ignore_broadcast_ssid reaches the driver with the BSS start', async () => {
    const { driver } = await wired({ hideSsid: true });
    expect(driver.apParams?.hideSsid).toBe(true);
  });
});
