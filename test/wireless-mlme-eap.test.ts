/**
 * The AP's MLME and EAP-WSC server, and the station's EAP-WSC peer, without
 * a radio: a recording ApDriver for the MLME, and server and peer wired
 * back to back (with a lossy or fragmenting link) for EAP.
 */
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { DriverEvents, type ApDriver, type AddStationParams, type ApParams, type DriverListener, type StationInfo } from '../src/radio/driver.js';
import { managementFrame, StatusCode, ReasonCode, type ManagementBody, type ManagementFrame } from '../src/radio/frame.js';
import type { Element } from '../src/radio/elements.js';
import { rsnElement, wpa2PersonalRsn } from '../src/radio/rsn-ie.js';
import { buildMultiApElement, findMultiApElement, MultiApCapability } from '../src/radio/multi-ap-ie.js';
import { MultiApConfig } from '../src/ap/wireless/multi-ap-bss.js';
import { fragmentWpsIe, joinWpsIe } from '../src/radio/wps-ie.js';
import { buildEapol, parseEapol, EapolType } from '../src/radio/eapol.js';
import { macToBytes } from '../src/radio/mac.js';
import { ApMlme, WIRED_MAX_INACTIVITY_MS, type MlmeEvent } from '../src/ap/wireless/mlme.js';
import { EapWscServer, type EapWscOutcome } from '../src/ap/wireless/eap-wsc-server.js';
import { RegistrarBackend, ApEnrolleeBackend } from '../src/ap/wireless/registrar-backend.js';
import { wscOpCodeFor as opCodeFor, wscMessageType } from '../src/wps/eap-wsc.js';
import { EapWscPeer, type PeerOutcome } from '../src/sta/wireless/eap-wsc-peer.js';
import { buildAssocRequestElements } from '../src/sta/wireless/probe-ie.js';
import { buildEapIdentity, EapCode, parseEapHeader, WscOpCode } from '../src/wps/eap-wsc.js';
import { Enrollee } from '../src/wps/enrollee.js';
import { Registrar } from '../src/wps/registrar.js';
import { parseDeviceType, uuidFromMac, type DeviceInfo } from '../src/wps/device.js';
import { AuthType, ConfigMethods, EncrType, MessageType, RfBand } from '../src/wps/values.js';
import { buildWscAck } from '../src/wps/message.js';

const BSSID = '02:00:00:00:0a:0a';
const STA = '02:00:00:00:0b:0b';

class RecordingApDriver implements ApDriver {
  readonly driverName = 'sim' as const;
  readonly address = BSSID;
  readonly sent: ManagementFrame[] = [];
  readonly table = new Map<string, StationInfo>();
  readonly events = new DriverEvents();
  onEvent(l: DriverListener): () => void {
    return this.events.on(l);
  }
  async sendMgmt(frame: ManagementFrame | Uint8Array): Promise<void> {
    if (!(frame instanceof Uint8Array)) this.sent.push(frame);
  }
  async sendEapol(): Promise<void> {}
  async close(): Promise<void> {}
  async startAp(_p: ApParams): Promise<void> {}
  async setApElements(): Promise<void> {}
  async stopAp(): Promise<void> {}
  async addStation(addr: string, p: AddStationParams): Promise<void> {
    this.table.set(addr, { addr, ...p, authorized: false });
    this.events.emit({ type: 'station-associated', addr, aid: p.aid, fourAddr: p.fourAddr ?? false });
  }
  async removeStation(addr: string, reason = 1): Promise<void> {
    this.table.delete(addr);
    this.events.emit({ type: 'station-disassociated', addr, reason, byPeer: false });
  }
  stations(): StationInfo[] {
    return [...this.table.values()];
  }
  async setStationAuthorized(addr: string, authorized: boolean): Promise<void> {
    const s = this.table.get(addr);
    if (s) s.authorized = authorized;
  }
  async installKey(): Promise<void> {}
  async groupKeySequence(): Promise<Uint8Array> {
    return new Uint8Array(6);
  }
  rx(body: ManagementBody, from = STA): void {
    const frame = managementFrame(BSSID, from, BSSID, body);
    this.events.emit({ type: 'rx-mgmt', frame, raw: new Uint8Array(0) });
  }
  last(): ManagementBody | undefined {
    return this.sent.at(-1)?.body;
  }
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));
const auth = (d: RecordingApDriver, from = STA): void => d.rx({ subtype: 'authentication', algorithm: 0, transaction: 1, status: 0, rest: new Uint8Array(0) }, from);
const assoc = (d: RecordingApDriver, elements: Element[], from = STA): void => d.rx({ subtype: 'association-request', capability: 1, listenInterval: 5, elements }, from);

describe('ApMlme', () => {
  const mlmes: ApMlme[] = [];
  afterEach(() => {
    for (const m of mlmes.splice(0)) m.close();
  });
  function setup(o: Partial<ConstructorParameters<typeof ApMlme>[0]> = {}): { d: RecordingApDriver; m: ApMlme; ev: MlmeEvent[] } {
    const d = new RecordingApDriver();
    const m = new ApMlme({ driver: d, wpsEnabled: true, rsn: true, ...o });
    mlmes.push(m);
    const ev: MlmeEvent[] = [];
    m.onEvent((e) => ev.push(e));
    return { d, m, ev };
  }

  it('a WPS association needs no RSN element; the response carries the WPS element and the station is WPS 2.0', async () => {
    const { d, ev } = setup();
    auth(d);
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'authentication', transaction: 2, status: StatusCode.SUCCESS });
    assoc(d, buildAssocRequestElements());
    await tick();
    const resp = d.last();
    expect(resp).toMatchObject({ subtype: 'association-response', status: 0, aid: 0xc001 });
    if (resp?.subtype !== 'association-response') throw new Error('no response');
    expect(Buffer.from(joinWpsIe(resp.elements) ?? []).toString('hex')).toBe('104a000110103b00010310490006' + '00372a000120');
    expect(ev[0]).toMatchObject({ type: 'associated', station: { addr: STA, aid: 1, wps: true, wps2: true, maybeWps: false, rsn: false } });
    expect(d.table.get(STA)?.aid).toBe(1);
  });

  it('without WPS on the AP, an RSN BSS refuses a station without RSN (status 40); with RSN it associates', async () => {
    const { d } = setup({ wpsEnabled: false });
    auth(d);
    await tick();
    assoc(d, []);
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'association-response', status: StatusCode.INVALID_IE });
    assoc(d, [rsnElement(wpa2PersonalRsn())]);
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'association-response', status: StatusCode.SUCCESS });
  });

  it('no WPS and no RSN on a WPS AP is "maybe WPS"', async () => {
    const { d, ev } = setup();
    auth(d);
    await tick();
    assoc(d, []);
    await tick();
    expect(ev[0]).toMatchObject({ type: 'associated', station: { wps: false, maybeWps: true } });
  });

  it('a malformed WPS element is refused with status 40', async () => {
    const { d } = setup();
    auth(d);
    await tick();
    assoc(d, fragmentWpsIe(Buffer.from([0x10, 0x4a, 0x00, 0x05, 0x10])));
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'association-response', status: StatusCode.INVALID_IE });
  });

  it('an association without authentication is answered with Deauthentication (class 2 frame)', async () => {
    const { d } = setup();
    assoc(d, buildAssocRequestElements());
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'deauthentication', reason: ReasonCode.CLASS2_FRAME_FROM_NONAUTH_STA });
  });

  it('a backhaul-only BSS refuses a non-Multi-AP station; a backhaul STA gets the element (0x40) and 4-address mode, but not while doing WPS', async () => {
    const { d, ev } = setup({ multiAp: MultiApConfig.BACKHAUL_BSS });
    auth(d);
    await tick();
    assoc(d, [rsnElement(wpa2PersonalRsn())]);
    await tick();
    expect(d.last()).toMatchObject({ status: StatusCode.ASSOC_DENIED_UNSPEC });
    const backhaul = buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: 1 });
    assoc(d, [rsnElement(wpa2PersonalRsn()), backhaul]);
    await tick();
    const resp = d.last();
    expect(resp).toMatchObject({ status: StatusCode.SUCCESS });
    expect(findMultiApElement((resp as { elements: Element[] }).elements)?.capability).toBe(MultiApCapability.BACKHAUL_BSS);
    expect(ev.at(-1)).toMatchObject({ type: 'associated', station: { fourAddr: true } });
    expect(d.table.get(STA)?.fourAddr).toBe(true);
    auth(d, '02:00:00:00:0b:0c');
    await tick();
    assoc(d, buildAssocRequestElements({ multiApBackhaulSta: true }), '02:00:00:00:0b:0c');
    await tick();
    expect(ev.at(-1)).toMatchObject({ type: 'associated', station: { wps: true, fourAddr: false } });
  });

  // hostapd 2.10 check_multi_ap(): the status for every multi_ap value and station kind, and the element bits in the response.
  const matrix: { multiAp: number; element: boolean; status: number; respBits?: number; fourAddr?: boolean }[] = [
    { multiAp: 0, element: false, status: StatusCode.SUCCESS },
    { multiAp: 0, element: true, status: StatusCode.SUCCESS },
    { multiAp: 1, element: false, status: StatusCode.ASSOC_DENIED_UNSPEC },
    { multiAp: 1, element: true, status: StatusCode.SUCCESS, respBits: 0x40, fourAddr: true },
    { multiAp: 2, element: false, status: StatusCode.SUCCESS },
    { multiAp: 2, element: true, status: StatusCode.SUCCESS, respBits: 0x20, fourAddr: false },
    { multiAp: 3, element: false, status: StatusCode.SUCCESS },
    { multiAp: 3, element: true, status: StatusCode.SUCCESS, respBits: 0x60, fourAddr: true },
  ];
  for (const row of matrix) {
    it(`multi_ap=${row.multiAp}, station ${row.element ? 'with' : 'without'} the Multi-AP element: status ${row.status}`, async () => {
      const { d } = setup({ multiAp: row.multiAp });
      auth(d);
      await tick();
      const els = [rsnElement(wpa2PersonalRsn())];
      if (row.element) els.push(buildMultiApElement({ capability: MultiApCapability.BACKHAUL_STA, profile: 1 }));
      assoc(d, els);
      await tick();
      const resp = d.last() as { status: number; elements: Element[] };
      expect(resp.status).toBe(row.status);
      expect(findMultiApElement(resp.elements)?.capability).toBe(row.respBits);
      if (row.status === StatusCode.SUCCESS) expect(d.table.get(STA)?.fourAddr ?? false).toBe(row.fourAddr ?? false);
    });
  }

  it('multi_ap=0 ignores even a malformed Multi-AP element; multi_ap=1 refuses it with status 40', async () => {
    const bad = { id: 0xdd, data: Uint8Array.of(0x50, 0x6f, 0x9a, 0x1b, 0x07, 0x01, 0x02) };
    for (const [multiAp, status] of [[0, StatusCode.SUCCESS], [1, StatusCode.INVALID_IE]] as const) {
      const { d } = setup({ multiAp });
      auth(d);
      await tick();
      assoc(d, [rsnElement(wpa2PersonalRsn()), bad]);
      await tick();
      expect(d.last()).toMatchObject({ status });
    }
  });

  it('a repeated association request (mac80211\'s try 2/3) is one association: dropped while the first is answered, answered again after, new once the station sent EAPOL', async () => {
    const { d, ev } = setup({ wpsEnabled: false });
    const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
    const elements = [rsnElement(wpa2PersonalRsn())];
    let release: () => void = () => undefined;
    let adds = 0;
    const add = d.addStation.bind(d);
    d.addStation = async (addr, p) => {
      adds++;
      if (adds === 1) await new Promise<void>((r) => (release = r));
      return add(addr, p);
    };
    const responses = (): ManagementBody[] => d.sent.map((f) => f.body).filter((b) => b.subtype === 'association-response');
    auth(d);
    await flush();
    assoc(d, elements);
    await flush();
    // The first is still being answered (the driver holds the station): the repeat is dropped.
    assoc(d, elements);
    await flush();
    expect(adds).toBe(1);
    expect(responses()).toHaveLength(0);
    release();
    await flush();
    expect(responses()).toHaveLength(1);
    expect(ev.filter((e) => e.type === 'associated')).toHaveLength(1);
    // Answered, nothing from the station yet: the same answer again, the station left as it is.
    assoc(d, elements);
    await flush();
    expect(responses()).toHaveLength(2);
    expect(responses()[1]).toEqual(responses()[0]);
    expect(adds).toBe(1);
    expect(ev).toHaveLength(1);
    // Another request is a new association.
    d.rx({ subtype: 'association-request', capability: 1, listenInterval: 10, elements });
    await flush();
    expect(adds).toBe(2);
    expect(ev.filter((e) => e.type === 'associated')).toHaveLength(2);
    // After an EAPOL frame from the station, even the same request is a new association.
    d.events.emit({ type: 'rx-eapol', src: STA, eapol: buildEapol({ version: 2, type: EapolType.START, body: new Uint8Array(0) }), fourAddr: false });
    d.rx({ subtype: 'association-request', capability: 1, listenInterval: 10, elements });
    await flush();
    expect(adds).toBe(3);
    expect(ev.filter((e) => e.type === 'associated')).toHaveLength(3);
  });

  it('the station table is bounded: authentication beyond it gets status 17', async () => {
    const { d } = setup({ maxStations: 1 });
    auth(d, '02:00:00:00:0b:01');
    await tick();
    auth(d, '02:00:00:00:0b:02');
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'authentication', status: StatusCode.AP_UNABLE_TO_HANDLE_NEW_STA });
  });

  it('the MAC address filter (macaddr_acl) refuses authentication with status 1; an allowed station authenticates', async () => {
    const { d, m } = setup({ allowed: (addr) => addr !== STA });
    auth(d);
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'authentication', status: StatusCode.UNSPECIFIED_FAILURE });
    expect(m.station(STA)).toBeUndefined();
    auth(d, '02:00:00:00:0b:01');
    await tick();
    expect(d.last()).toMatchObject({ subtype: 'authentication', status: StatusCode.SUCCESS });
  });

  it('a wired station (new-sta) is added as associated without WPS flags, bounded, filtered, sends nothing when deauthenticated, and is forgotten when idle', async () => {
    let now = 0;
    const { d, m, ev } = setup({ now: () => now, maxStations: 2, allowed: (addr) => addr !== '02:00:00:00:0b:09' });
    const newSta = (addr: string): void => d.events.emit({ type: 'new-sta', addr });
    newSta(STA);
    expect(m.station(STA)).toMatchObject({ state: 'associated', wps: false, maybeWps: false, wired: true, aid: 1 });
    expect(ev[0]).toMatchObject({ type: 'associated', station: { addr: STA, wired: true } });
    newSta('02:00:00:00:0b:09');
    expect(m.station('02:00:00:00:0b:09')).toBeUndefined();
    newSta('02:00:00:00:0b:01');
    newSta('02:00:00:00:0b:02');
    expect(m.stations()).toHaveLength(2);
    await m.deauthenticate('02:00:00:00:0b:01');
    expect(d.sent).toHaveLength(0);
    now = WIRED_MAX_INACTIVITY_MS + 1;
    m.prune();
    await tick();
    expect(m.station(STA)).toBeUndefined();
    expect(ev.at(-1)).toMatchObject({ type: 'disassociated', addr: STA });
  });

  it('authenticated stations that never associate are forgotten after the timeout', async () => {
    let now = 0;
    const { d, m } = setup({ now: () => now, authTimeoutMs: 1_000 });
    auth(d);
    await tick();
    expect(m.station(STA)?.state).toBe('authenticated');
    now = 1_001;
    m.prune();
    expect(m.station(STA)).toBeUndefined();
  });

  it('deauthenticate() sends Deauthentication, removes the station and reports it', async () => {
    const { d, m, ev } = setup();
    auth(d);
    await tick();
    assoc(d, buildAssocRequestElements());
    await tick();
    await m.deauthenticate(STA, ReasonCode.IEEE_802_1X_AUTH_FAILED);
    expect(d.last()).toMatchObject({ subtype: 'deauthentication', reason: 23 });
    expect(d.table.has(STA)).toBe(false);
    expect(ev.at(-1)).toMatchObject({ type: 'disassociated', addr: STA, byPeer: false });
  });

  it('survives any frame body thrown at it (fast-check)', async () => {
    const { d } = setup();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ id: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 6 }), async (elements) => {
        auth(d);
        assoc(d, elements);
        await tick();
        const b = d.last();
        expect(b?.subtype === 'association-response' || b?.subtype === 'authentication').toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

function dev(mac: string, name: string): DeviceInfo {
  const macAddress = Buffer.from(macToBytes(mac));
  return {
    uuid: uuidFromMac(macAddress),
    macAddress,
    deviceName: name,
    manufacturer: 'wpsd',
    modelName: 'm',
    modelNumber: '1',
    serialNumber: '1',
    primaryDeviceType: parseDeviceType('1-0050F204-1'),
    osVersion: 0,
    configMethods: ConfigMethods.Keypad | ConfigMethods.VirtualDisplay,
    rfBands: RfBand.Band24GHz,
  };
}

interface Pair {
  server: EapWscServer;
  peer: EapWscPeer;
  serverDone: Promise<EapWscOutcome>;
  peerDone: Promise<PeerOutcome>;
}

/** A server and a peer back to back; `drop` decides per packet (direction, index) whether the link loses it. */
function pair(o: { enrollee?: Enrollee; registrar?: Registrar; fragmentSize?: number; drop?: (toPeer: boolean, n: number) => boolean; backendFor?: ConstructorParameters<typeof EapWscServer>[0]['backendFor'] }): Pair {
  let n = 0;
  const ref: { peer?: EapWscPeer } = {};
  let resolveServer: (o: EapWscOutcome) => void = () => undefined;
  const serverDone = new Promise<EapWscOutcome>((r) => (resolveServer = r));
  const server = new EapWscServer({
    peer: STA,
    sendEapol: (eapol) => {
      if (o.drop?.(true, n++) === true) return;
      const pdu = parseEapol(eapol);
      setImmediate(() => ref.peer?.receiveEap(pdu.body));
    },
    backendFor:
      o.backendFor ??
      ((role) =>
        role === 'enrollee' && o.registrar ? new RegistrarBackend({ enrollee: STA, internal: o.registrar }) : role === 'registrar' && o.enrollee ? new ApEnrolleeBackend(o.enrollee) : undefined),
    onFinished: resolveServer,
    retransmitMs: 30,
    maxRetransmissions: 5,
    fragmentSize: o.fragmentSize,
  });
  const machine = o.enrollee && !o.registrar ? { role: 'registrar' as const, registrar: new Registrar({ device: dev(STA, 'er'), policy: { devicePassword: () => ({ kind: 'pin', pin: '12345670' }) }, apSettings: { mode: 'learn' } }) } : { role: 'enrollee' as const, enrollee: new Enrollee({ device: dev(STA, 'sta'), password: { kind: 'pin', pin: '12345670' } }) };
  const peer = new EapWscPeer({
    machine,
    fragmentSize: o.fragmentSize,
    sendEap: (eap) => {
      if (o.drop?.(false, n++) === true) return;
      const eapol = buildEapol({ version: 1, type: EapolType.EAP_PACKET, body: eap });
      setImmediate(() => server.receiveEapol(EapolType.EAP_PACKET, parseEapol(eapol).body));
    },
  });
  ref.peer = peer;
  return { server, peer, serverDone, peerDone: peer.done() };
}

const cred = (mac: Buffer) => ({ networkIndex: 1, ssid: Buffer.from('net'), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from('secret-passphrase'), macAddress: mac, extra: [] });
const registrar = () => new Registrar({ device: dev(BSSID, 'ap'), policy: { devicePassword: () => ({ kind: 'pin', pin: '12345670' }), credentials: (e) => [cred(e.macAddress)] } });

describe('EAP-WSC server and peer', () => {
  it('run the whole exchange, fragmented both ways (FRAG_ACK), and end in EAP-Failure with the credential delivered', async () => {
    const p = pair({ registrar: registrar(), fragmentSize: 100 });
    p.server.start();
    const [s, c] = await Promise.all([p.serverDone, p.peerDone]);
    expect(s).toMatchObject({ result: 'success', role: 'enrollee' });
    expect(c).toMatchObject({ result: 'success', ended: 'eap-failure' });
    expect(c.credentials[0]?.networkKey.toString()).toBe('secret-passphrase');
  });

  it('recover from lost requests and responses by retransmission (the peer repeats its answer to a repeated request)', async () => {
    const lost = new Set([1, 4, 5, 9, 14, 15]);
    const p = pair({ registrar: registrar(), drop: (_toPeer, n) => lost.has(n) });
    p.server.start();
    const [s, c] = await Promise.all([p.serverDone, p.peerDone]);
    expect(s.result).toBe('success');
    expect(c.credentials).toHaveLength(1);
  });

  it('give up after the retransmissions and send EAP-Failure', async () => {
    const p = pair({ registrar: registrar(), drop: (toPeer, n) => !toPeer && n > 2 });
    p.server.start();
    expect(await p.serverDone).toMatchObject({ result: 'failure', reason: 'no response from the station' });
  });

  it('an EAPOL-Start while the backend is busy restarts the run; the old answer is dropped', async () => {
    const sent: Buffer[] = [];
    const outcomes: EapWscOutcome[] = [];
    let release: (a: { kind: 'end'; result: 'failure'; reason: string }) => void = () => undefined;
    let backends = 0;
    const server = new EapWscServer({
      peer: STA,
      sendEapol: (e) => void sent.push(Buffer.from(parseEapol(e).body)),
      backendFor: () => {
        backends++;
        return { start: () => ({ kind: 'start' }), receive: () => new Promise((r) => (release = r)), close: () => undefined };
      },
      onFinished: (o) => outcomes.push(o),
      retransmitMs: 10_000,
    });
    server.start();
    const lastId = (): number => parseEapHeader(sent.at(-1) as Buffer).identifier;
    server.receiveEapol(EapolType.EAP_PACKET, buildEapIdentity(EapCode.Response, lastId(), 'WFA-SimpleConfig-Enrollee-1-0'));
    // WSC_Start went out; answer it with a WSC_MSG so the backend gets busy.
    const msg = Buffer.from([2, lastId(), 0, 14, 254, 0, 0x37, 0x2a, 0, 0, 0, 1, WscOpCode.Msg, 0]);
    server.receiveEapol(EapolType.EAP_PACKET, msg);
    server.receiveEapol(EapolType.START, new Uint8Array(0));
    release({ kind: 'end', result: 'failure', reason: 'old run' });
    await tick();
    expect(outcomes).toEqual([]);
    expect(parseEapHeader(sent.at(-1) as Buffer)).toMatchObject({ code: EapCode.Request, type: 1 });
    expect(backends).toBe(1);
    server.close();
  });

  it('a non-WSC identity gets EAP-Failure', async () => {
    const sent: Buffer[] = [];
    let outcome: EapWscOutcome | undefined;
    const server = new EapWscServer({ peer: STA, sendEapol: (e) => void sent.push(Buffer.from(parseEapol(e).body)), backendFor: () => undefined, onFinished: (o) => (outcome = o), retransmitMs: 1000 });
    server.start();
    const id = parseEapHeader(sent[0] as Buffer).identifier;
    server.receiveEapol(EapolType.EAP_PACKET, buildEapIdentity(EapCode.Response, id, 'user@example.com'));
    expect(outcome).toMatchObject({ result: 'failure', reason: 'identity is not a WSC identity' });
    expect(parseEapHeader(sent.at(-1) as Buffer).code).toBe(EapCode.Failure);
    server.close();
  });

  it('the AP as Enrollee answers a station Registrar (wps_reg learn): M1 first, settings learned, EAP-Failure', async () => {
    const apSettings = { ...cred(Buffer.from(macToBytes(BSSID))), ssid: Buffer.from('ap-net') };
    const enrollee = new Enrollee({ device: dev(BSSID, 'ap'), password: { kind: 'pin', pin: '12345670' }, ap: { settings: apSettings } });
    const p = pair({ enrollee });
    p.server.start();
    const [s, c] = await Promise.all([p.serverDone, p.peerDone]);
    expect(s).toMatchObject({ role: 'registrar' });
    expect(c).toMatchObject({ result: 'success', ended: 'eap-failure' });
    expect(c.credentials[0]?.ssid.toString()).toBe('ap-net');
  });

  it('the peer ignores garbage and the server survives it (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 8 }), (packets) => {
        const peer = new EapWscPeer({ machine: { role: 'enrollee', enrollee: new Enrollee({ device: dev(STA, 'x'), password: { kind: 'pbc' } }) }, sendEap: () => undefined });
        const server = new EapWscServer({ peer: STA, sendEapol: () => undefined, backendFor: () => undefined, onFinished: () => undefined, retransmitMs: 10_000 });
        server.start();
        for (const p of packets) {
          peer.receiveEap(p);
          server.receiveEapol(EapolType.EAP_PACKET, p);
          server.receiveEapol(p[0] ?? 0, p);
        }
        server.close();
        peer.abort();
      }),
      { numRuns: 200 },
    );
  });
});

describe('RegistrarBackend', () => {
  it('names the Op-Code of each message type', () => {
    const ack = buildWscAck({ enrolleeNonce: Buffer.alloc(16, 1), registrarNonce: Buffer.alloc(16, 2), version2: true });
    expect(wscMessageType(ack)).toBe(MessageType.WscAck);
    expect(opCodeFor(ack)).toBe(WscOpCode.Ack);
    expect(opCodeFor(Buffer.from([1, 2, 3]))).toBe(WscOpCode.Msg);
  });

  const noPin = () => new Registrar({ device: dev(BSSID, 'ap'), policy: { devicePassword: () => undefined } });
  const erRegistrar = (pin: string | undefined) =>
    new Registrar({ device: dev('02:00:00:00:0e:0e', 'er'), policy: { devicePassword: () => (pin === undefined ? undefined : { kind: 'pin', pin }), credentials: (e) => [cred(e.macAddress)] } });
  const typeOf = (a: Awaited<ReturnType<RegistrarBackend['receive']>>): number | undefined => (a.kind === 'send' ? wscMessageType(a.message) : undefined);

  it('M2D window: an ER M2 arriving within it replaces the internal M2D', async () => {
    const enrollee = new Enrollee({ device: dev(STA, 's'), password: { kind: 'pin', pin: '12345670' } });
    const er = erRegistrar('12345670');
    const b = new RegistrarBackend({
      enrollee: STA,
      internal: noPin(),
      m2WaitMs: 2_000,
      external: { available: () => true, onToExternal: (m) => void setTimeout(() => b.deliverFromExternal(er.receive(m).reply ?? Buffer.alloc(0)), 20) },
    });
    const answer = await b.receive(enrollee.start(), WscOpCode.Msg);
    expect(typeOf(answer)).toBe(MessageType.M2);
    expect(b.using).toBe('external');
  });

  it('M2D window: with no ER answer the internal M2D goes out; after the WSC_ACK the late ER M2 is relayed', async () => {
    const enrollee = new Enrollee({ device: dev(STA, 's'), password: { kind: 'pin', pin: '12345670' } });
    const er = erRegistrar('12345670');
    let m1: Buffer | undefined;
    const b = new RegistrarBackend({ enrollee: STA, internal: noPin(), m2WaitMs: 30, externalTimeoutMs: 2_000, external: { available: () => true, onToExternal: (m) => void (m1 ??= m) } });
    const first = await b.receive(enrollee.start(), WscOpCode.Msg);
    expect(typeOf(first)).toBe(MessageType.M2D);
    if (first.kind !== 'send') return;
    const ack = enrollee.receive(first.message);
    expect(ack.result).toBeUndefined();
    const pending = b.receive(ack.reply ?? Buffer.alloc(0), WscOpCode.Ack);
    setTimeout(() => b.deliverFromExternal(er.receive(m1 ?? Buffer.alloc(0)).reply ?? Buffer.alloc(0)), 20);
    const next = await pending;
    expect(typeOf(next)).toBe(MessageType.M2);
    if (next.kind !== 'send') return;
    expect(enrollee.receive(next.message).reply).toBeDefined();
    expect(enrollee.state).toBe('recv-m4');
  });

  it('M2D window: an ER M2D within the window (and no M2) is what goes out at its end', async () => {
    const enrollee = new Enrollee({ device: dev(STA, 's'), password: { kind: 'pin', pin: '12345670' } });
    const er = erRegistrar(undefined);
    const b = new RegistrarBackend({
      enrollee: STA,
      internal: noPin(),
      m2WaitMs: 60,
      external: { available: () => true, onToExternal: (m) => b.deliverFromExternal(er.receive(m).reply ?? Buffer.alloc(0)) },
    });
    const answer = await b.receive(enrollee.start(), WscOpCode.Msg);
    expect(typeOf(answer)).toBe(MessageType.M2D);
    if (answer.kind === 'send') expect(enrollee.receive(answer.message).events[0]).toMatchObject({ type: 'm2d', device: { deviceName: 'er' } });
  });

  it('with only an External Registrar that never answers, the run ends after the ER timeout', async () => {
    const sent: Buffer[] = [];
    const b = new RegistrarBackend({ enrollee: STA, external: { available: () => true, onToExternal: (m) => void sent.push(m) }, externalTimeoutMs: 30 });
    const e = new Enrollee({ device: dev(STA, 's'), password: { kind: 'pin', pin: '12345670' } });
    const m1 = e.start();
    const answer = await b.receive(m1, WscOpCode.Msg);
    expect(answer).toMatchObject({ kind: 'end', result: 'failure', reason: 'timeout waiting for the External Registrar' });
    expect(sent).toEqual([m1]);
    expect(b.using).toBe('external');
  });

  it('drops ER messages once the internal Registrar runs the exchange, and bounds the queue', async () => {
    const b = new RegistrarBackend({ enrollee: STA, internal: registrar(), external: { available: () => true, onToExternal: () => undefined } });
    const e = new Enrollee({ device: dev(STA, 's'), password: { kind: 'pin', pin: '12345670' } });
    const answer = await b.receive(e.start(), WscOpCode.Msg);
    expect(answer.kind).toBe('send');
    expect(b.using).toBe('internal');
    b.deliverFromExternal(Buffer.from([1]));
    b.close();
  });
});
