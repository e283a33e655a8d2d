import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Medium } from './medium.js';
import { SimApDriver } from './ap-driver.js';
import { SimStationDriver } from './station-driver.js';
import { SimLink } from './link.js';
import { openApDriver, openStationDriver } from '../open-driver.js';
import { DriverError, type DriverEvent, type ApDriver, type RadioDriver } from '../driver.js';
import { managementFrame, eapolDataFrame, llcDataFrame, buildFrame, StatusCode, CapabilityInfo, AID_FIELD_BITS, ReasonCode } from '../frame.js';
import { fragmentWpsIe, joinWpsIe } from '../wps-ie.js';
import { buildMultiApElement, findMultiApElement, MultiApCapability } from '../multi-ap-ie.js';
import { rsnElement, wpa2PersonalRsn, RsnCipher } from '../rsn-ie.js';
import { buildEapol, EapolType } from '../eapol.js';

const AP = '02:00:00:00:01:00';
const STA = '02:00:00:00:02:00';
const SSID = new TextEncoder().encode('wpsd-test');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Collects a driver's events and lets a test wait for the first one matching a predicate. */
function recorder(d: RadioDriver): { events: DriverEvent[]; next<T extends DriverEvent['type']>(type: T, pred?: (e: Extract<DriverEvent, { type: T }>) => boolean): Promise<Extract<DriverEvent, { type: T }>> } {
  const events: DriverEvent[] = [];
  const waiters: { type: string; pred: (e: DriverEvent) => boolean; resolve: (e: DriverEvent) => void }[] = [];
  d.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.type === e.type && w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  return {
    events,
    next(type, pred = () => true) {
      return new Promise((resolve) => waiters.push({ type, pred: pred as (e: DriverEvent) => boolean, resolve: resolve as (e: DriverEvent) => void }));
    },
  };
}

/** The MLME part of an AP daemon, hostapd style: answers Authentication and Association Requests. */
function runMlme(ap: ApDriver, opts: { refuseWith?: number; fourAddr?: boolean } = {}): void {
  ap.onEvent((e) => {
    if (e.type !== 'rx-mgmt') return;
    const { header: h, body: b } = e.frame;
    if (b.subtype === 'authentication' && b.transaction === 1) {
      void ap.sendMgmt(managementFrame(h.addr2, AP, AP, { subtype: 'authentication', algorithm: 0, transaction: 2, status: 0, rest: new Uint8Array(0) }));
    } else if (b.subtype === 'association-request') {
      const status = opts.refuseWith ?? StatusCode.SUCCESS;
      const multiAp = findMultiApElement(b.elements);
      const reply = (): void =>
        void ap.sendMgmt(
          managementFrame(h.addr2, AP, AP, {
            subtype: 'association-response',
            capability: CapabilityInfo.ESS,
            status,
            aid: status === 0 ? 1 | AID_FIELD_BITS : 0,
            elements: multiAp ? [buildMultiApElement({ capability: MultiApCapability.BACKHAUL_BSS, profile: 1 })] : [],
          }),
        );
      if (status !== 0) return reply();
      void ap.addStation(h.addr2, { aid: 1, capability: b.capability, listenInterval: b.listenInterval, fourAddr: opts.fourAddr ?? false }).then(reply);
    }
  });
}

describe('sim drivers: an AP daemon and a station over the medium', () => {
  let dir: string;
  let medium: Medium;
  let ap: SimApDriver;
  let sta: SimStationDriver;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), `wpsd-drv-${process.pid}-`));
    medium = new Medium({ seed: 7 });
    await medium.listen(join(dir, 'm.sock'));
    ap = await SimApDriver.open({ mediumPath: join(dir, 'm.sock'), address: AP, channel: 6 });
    sta = await SimStationDriver.open({ mediumPath: join(dir, 'm.sock'), address: STA, channel: 1, mlmeTimeoutMs: 250, mlmeTries: 2 });
  });

  afterEach(async () => {
    await sta.close();
    await ap.close();
    await medium.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const startAp = (probeAttrs = enc('attrs-v1')): Promise<void> =>
    ap.startAp({
      ssid: SSID,
      channel: 6,
      beaconInterval: 1000,
      capability: CapabilityInfo.ESS | CapabilityInfo.PRIVACY,
      beaconElements: [rsnElement(wpa2PersonalRsn())],
      probeResponseElements: [rsnElement(wpa2PersonalRsn()), ...fragmentWpsIe(probeAttrs)],
    });

  it('a scan finds the AP with its SSID and the WPS element of its probe response, and the AP sees the probe', async () => {
    const apEvents = recorder(ap);
    await startAp(Uint8Array.from({ length: 400 }, (_, i) => i & 0xff));
    const probe = apEvents.next('rx-mgmt', (e) => e.frame.body.subtype === 'probe-request');
    const results = await sta.scan({ channels: [1, 6], dwellMs: 400, elements: fragmentWpsIe(enc('enrollee-attrs')) });
    expect(results).toHaveLength(1);
    const r = results[0];
    expect(r?.bssid).toBe(AP);
    expect(r?.channel).toBe(6);
    expect(Buffer.from(r?.ssid ?? []).toString()).toBe('wpsd-test');
    expect(r?.fromProbeResponse).toBe(true);
    expect(joinWpsIe(r?.elements ?? [])).toEqual(Uint8Array.from({ length: 400 }, (_, i) => i & 0xff));
    const p = await probe;
    if (p.frame.body.subtype !== 'probe-request') throw new Error('not a probe request');
    expect(p.frame.header.addr2).toBe(STA);
    expect(joinWpsIe(p.frame.body.elements)).toEqual(enc('enrollee-attrs'));
  });

  it('new probe-response elements show in the next scan', async () => {
    await startAp(enc('before'));
    expect(joinWpsIe((await sta.scan({ channels: [6], dwellMs: 400 }))[0]?.elements ?? [])).toEqual(enc('before'));
    await ap.setApElements({ probeResponseElements: fragmentWpsIe(enc('selected-registrar')) });
    expect(joinWpsIe((await sta.scan({ channels: [6], dwellMs: 400 }))[0]?.elements ?? [])).toEqual(enc('selected-registrar'));
  });

  it('with a hidden SSID only a directed probe gets an answer', async () => {
    await ap.startAp({ ssid: SSID, channel: 6, beaconInterval: 1000, capability: CapabilityInfo.ESS, beaconElements: [], probeResponseElements: [], hideSsid: true });
    const wildcard = await sta.scan({ channels: [6], dwellMs: 300 });
    expect(wildcard.filter((r) => r.fromProbeResponse)).toEqual([]);
    const directed = await sta.scan({ channels: [6], dwellMs: 400, ssid: SSID });
    expect(directed.map((r) => [r.bssid, Buffer.from(r.ssid).toString(), r.fromProbeResponse])).toEqual([[AP, 'wpsd-test', true]]);
  });

  it('connects, exchanges EAPOL both ways and reports the association on both sides', async () => {
    runMlme(ap);
    const apEvents = recorder(ap);
    const staEvents = recorder(sta);
    await startAp();
    const res = await sta.connect({ bssid: AP, ssid: SSID, channel: 6, elements: fragmentWpsIe(enc('wps-assoc')) });
    expect(res).toMatchObject({ ok: true, bssid: AP, aid: 1 });
    expect(staEvents.events.some((e) => e.type === 'associated')).toBe(true);
    expect(apEvents.events.find((e) => e.type === 'station-associated')).toMatchObject({ addr: STA, aid: 1, fourAddr: false });
    const assocReq = apEvents.events.find((e) => e.type === 'rx-mgmt' && e.frame.body.subtype === 'association-request');
    if (assocReq?.type !== 'rx-mgmt' || assocReq.frame.body.subtype !== 'association-request') throw new Error('no association request');
    expect(joinWpsIe(assocReq.frame.body.elements)).toEqual(enc('wps-assoc'));

    const start = buildEapol({ version: 1, type: EapolType.START, body: new Uint8Array(0) });
    const atAp = apEvents.next('rx-eapol');
    await sta.sendEapol(AP, start);
    expect(await atAp).toMatchObject({ src: STA, eapol: start, fourAddr: false });
    const identity = buildEapol({ version: 2, type: EapolType.EAP_PACKET, body: Uint8Array.of(1, 0, 0, 5, 1) });
    const atSta = staEvents.next('rx-eapol');
    await ap.sendEapol(STA, identity);
    expect(await atSta).toMatchObject({ src: AP, eapol: identity, fourAddr: false });

    const gone = apEvents.next('station-disassociated');
    await sta.disconnect(ReasonCode.DEAUTH_LEAVING);
    expect(await gone).toMatchObject({ addr: STA, reason: ReasonCode.DEAUTH_LEAVING, byPeer: true });
    expect(ap.stations()).toEqual([]);
    await expect(ap.sendEapol(STA, identity)).rejects.toMatchObject({ code: 'UNKNOWN_STATION' });
  });

  it('carries only EAPOL until the port is authorized on both ends; keys are kept per station and go with it', async () => {
    runMlme(ap);
    const apEvents = recorder(ap);
    const staEvents = recorder(sta);
    await startAp();
    expect((await sta.connect({ bssid: AP, ssid: SSID, channel: 6 })).ok).toBe(true);
    expect(ap.stations()[0]?.authorized).toBe(false);
    expect(sta.connection()?.authorized).toBe(false);
    const ipv4 = 0x0800;
    await expect(sta.sendData(ipv4, enc('early'))).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    await expect(ap.sendData(STA, ipv4, enc('early'))).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' });
    // A raw data frame from the unauthorized station is dropped; the EAPOL frame after it still arrives.
    await sta.sendMgmt(buildFrame(llcDataFrame({ direction: 'to-ap', bssid: AP, station: STA, fourAddr: false, etherType: ipv4, payload: enc('sneaked') })));
    const eapolIn = apEvents.next('rx-eapol');
    await sta.sendEapol(AP, buildEapol({ version: 2, type: EapolType.START, body: new Uint8Array(0) }));
    await eapolIn;
    expect(apEvents.events.filter((e) => e.type === 'rx-data')).toEqual([]);

    const tk = Uint8Array.from({ length: 16 }, (_, i) => i);
    const gtk = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 ^ i);
    await ap.installKey({ type: 'pairwise', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: tk, addr: STA });
    await ap.installKey({ type: 'group', cipher: RsnCipher.CCMP_128, keyIndex: 1, key: gtk, defaultTx: true });
    await sta.installKey({ type: 'pairwise', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: tk, addr: AP });
    await sta.installKey({ type: 'group', cipher: RsnCipher.CCMP_128, keyIndex: 1, key: gtk, rsc: Uint8Array.of(5, 0, 0, 0, 0, 0) });
    await expect(ap.installKey({ type: 'pairwise', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: tk, addr: '02:00:00:00:07:07' })).rejects.toMatchObject({ code: 'UNKNOWN_STATION' });
    await expect(ap.installKey({ type: 'group', cipher: RsnCipher.CCMP_128, keyIndex: 0, key: gtk })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(sta.installKey({ type: 'pairwise', cipher: RsnCipher.TKIP, keyIndex: 0, key: new Uint8Array(32), addr: AP })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    expect(ap.installedKeys(STA).map((k) => [k.type, k.keyIndex, k.addr, k.defaultTx])).toEqual([
      ['pairwise', 0, STA, false],
      ['group', 1, undefined, true],
    ]);
    expect(sta.installedKeys().map((k) => [k.type, k.keyIndex])).toEqual([
      ['pairwise', 0],
      ['group', 1],
    ]);
    expect(ap.keyData('pairwise', STA)).toEqual(tk);

    await ap.setStationAuthorized(STA, true);
    await sta.setPortAuthorized(true);
    const up = apEvents.next('rx-data');
    await sta.sendData(ipv4, enc('ping'));
    expect(await up).toMatchObject({ src: STA, dst: AP, etherType: ipv4, payload: enc('ping') });
    const down = staEvents.next('rx-data');
    await ap.sendData(STA, ipv4, enc('pong'));
    expect(await down).toMatchObject({ src: AP, dst: STA, payload: enc('pong') });
    // Group-addressed data counts against the default group key's transmit sequence.
    expect(await ap.groupKeySequence(1)).toEqual(new Uint8Array(6));
    const bcast = staEvents.next('rx-data', (e) => e.dst === 'ff:ff:ff:ff:ff:ff');
    await ap.sendData('ff:ff:ff:ff:ff:ff', ipv4, enc('all'));
    await bcast;
    expect(await ap.groupKeySequence(1)).toEqual(Uint8Array.of(1, 0, 0, 0, 0, 0));

    // Leaving drops the station's key and closes its port; the group key stays with the BSS.
    const gone = apEvents.next('station-disassociated');
    await sta.disconnect(ReasonCode.DEAUTH_LEAVING);
    await gone;
    expect(ap.installedKeys(STA).map((k) => k.type)).toEqual(['group']);
    expect(sta.installedKeys()).toEqual([]);
    expect(sta.connection()).toBeUndefined();
  });

  it('a Multi-AP backhaul STA in 4-address mode gets EAPOL in 4-address frames', async () => {
    runMlme(ap, { fourAddr: true });
    const apEvents = recorder(ap);
    const staEvents = recorder(sta);
    await startAp();
    const res = await sta.connect({ bssid: AP, ssid: SSID, channel: 6, fourAddr: true, elements: [buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: 1 })] });
    if (!res.ok) throw new Error(res.reason);
    expect(findMultiApElement(res.elements)?.capability).toBe(MultiApCapability.BACKHAUL_BSS);
    expect(sta.connection()).toMatchObject({ bssid: AP, fourAddr: true });
    const wire = new Promise<Uint8Array>((resolve) => {
      const onFrame = (e: { frame: Uint8Array }): void => {
        if (e.frame[0] !== 0x08) return; // beacons may pass by; wait for the data frame
        medium.off('frame', onFrame);
        resolve(e.frame);
      };
      medium.on('frame', onFrame);
    });
    const atAp = apEvents.next('rx-eapol');
    await sta.sendEapol(AP, buildEapol({ version: 2, type: EapolType.START, body: new Uint8Array(0) }));
    expect((await wire)[1]).toBe(0x03); // To DS and From DS
    expect((await atAp).fourAddr).toBe(true);
    const atSta = staEvents.next('rx-eapol');
    await ap.sendEapol(STA, buildEapol({ version: 2, type: EapolType.EAP_PACKET, body: Uint8Array.of(1, 1, 0, 4) }));
    expect((await atSta).fourAddr).toBe(true);
  });

  it('reports an AP that refuses the association with its status code', async () => {
    runMlme(ap, { refuseWith: StatusCode.AP_UNABLE_TO_HANDLE_NEW_STA });
    await startAp();
    const res = await sta.connect({ bssid: AP, ssid: SSID, channel: 6 });
    expect(res).toMatchObject({ ok: false, stage: 'association', status: 17 });
    expect(sta.connection()).toBeUndefined();
  });

  it('gives up authentication when nobody answers', async () => {
    await startAp(); // no MLME: the AP daemon ignores the request
    const res = await sta.connect({ bssid: AP, ssid: SSID, channel: 6 });
    expect(res).toMatchObject({ ok: false, stage: 'authentication', reason: 'authentication timed out' });
  });

  it('a station learns of Deauthentication from its AP', async () => {
    runMlme(ap);
    const staEvents = recorder(sta);
    await startAp();
    expect((await sta.connect({ bssid: AP, ssid: SSID, channel: 6 })).ok).toBe(true);
    const down = staEvents.next('disconnected');
    await ap.sendMgmt(managementFrame(STA, AP, AP, { subtype: 'deauthentication', reason: ReasonCode.DISASSOC_DUE_TO_INACTIVITY, elements: [] }));
    await ap.removeStation(STA, ReasonCode.DISASSOC_DUE_TO_INACTIVITY);
    expect(await down).toMatchObject({ bssid: AP, reason: 4, locallyGenerated: false });
    expect(sta.connection()).toBeUndefined();
  });

  it('the AP ignores EAPOL from a station it never added', async () => {
    const apEvents = recorder(ap);
    await startAp();
    const rogue = await SimLink.connect(join(dir, 'm.sock'), { addresses: ['02:00:00:00:09:09'], channel: 6 });
    rogue.send(buildFrame(eapolDataFrame({ direction: 'to-ap', bssid: AP, station: '02:00:00:00:09:09', fourAddr: false, eapol: buildEapol({ version: 2, type: 1, body: new Uint8Array(0) }) })));
    const probe = apEvents.next('rx-mgmt');
    rogue.send(buildFrame(managementFrame(AP, '02:00:00:00:09:09', AP, { subtype: 'probe-request', elements: [{ id: 0, data: new Uint8Array(0) }] })));
    await probe; // sent after the EAPOL frame on the same stream
    expect(apEvents.events.filter((e) => e.type === 'rx-eapol')).toEqual([]);
    rogue.send(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)); // garbage must not hurt the AP
    await rogue.close();
    await expect(sta.sendEapol(AP, new Uint8Array(4))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('a scan reports a BSS on the channel its DS Parameter Set names, not the one it was heard on (cfg80211_get_bss_channel)', async () => {
    // As a beacon still in flight when the scan moves on to the next channel: sent on 6, naming channel 1.
    const other = '02:00:00:00:09:0a';
    const rogue = await SimLink.connect(join(dir, 'm.sock'), { addresses: [other], channel: 6 });
    const beacon = buildFrame(
      managementFrame('ff:ff:ff:ff:ff:ff', other, other, {
        subtype: 'beacon',
        timestamp: 0n,
        beaconInterval: 100,
        capability: CapabilityInfo.ESS,
        elements: [{ id: 0, data: enc('elsewhere') }, { id: 3, data: Uint8Array.of(1) }],
      }),
    );
    const timer = setInterval(() => rogue.send(beacon), 20);
    try {
      const results = await sta.scan({ channels: [6], dwellMs: 200 });
      expect(results.map((r) => [r.bssid, r.channel])).toEqual([[other, 1]]);
    } finally {
      clearInterval(timer);
      await rogue.close();
    }
  });
});

describe('choosing a driver', () => {
  it('driver=sim needs sim_medium, unknown drivers are refused, an absent medium is a clear error', async () => {
    await expect(openApDriver({ driver: 'sim', ifname: 'wlan0', address: AP, channel: 1 })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    await expect(openStationDriver({ driver: 'madwifi', ifname: 'wlan0', address: STA, channel: 1 })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    const err = await openStationDriver({ driver: 'sim', simMedium: `/nonexistent/${process.pid}.sock`, ifname: 'wlan0', address: STA, channel: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).message).toContain('cannot attach to the sim medium');
  });

  it('driver=none is a station without a radio that refuses radio work', async () => {
    const none = await openStationDriver({ driver: 'none', ifname: 'wlan0', address: STA, channel: 1 });
    expect(none.driverName).toBe('none');
    await expect(none.scan()).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: 'driver=none has no radio: cannot scan' });
    await expect(none.sendEapol(AP, new Uint8Array(4))).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    expect(none.connection()).toBeUndefined();
    await none.close();
  });
});
