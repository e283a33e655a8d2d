/**
 * Enrollees an AP proxies to the External Registrar, per AP, as
 * wps_er_add_sta_data keeps them: a Probe Request (WLANEvent type 1) or an
 * EAP M1 (type 2) adds an entry; a probe does not overwrite what an M1
 * said; other EAP messages from an unknown MAC are ignored (they may belong
 * to a run that began before we subscribed). Entries expire after 300 s
 * without news, 10 s after a successful run. A full table makes room for a
 * new Enrollee by dropping a finished one early (it only waits out those 10 s).
 */
import { AttributeType } from '../wps/attributes.js';
import { parseWscTlvs, type WscTlvs } from '../wps/message.js';
import { MessageType } from '../wps/values.js';
import { bytesText, type EnrolleeEventData } from './events.js';

/** wps_er.c: an Enrollee entry lives 300 s after its last message ... */
export const ENROLLEE_TIMEOUT_MS = 300_000;
/** ... and 10 s after a successful protocol run. */
export const ENROLLEE_DONE_TIMEOUT_MS = 10_000;
/** Enrollees kept per AP; a flood of spoofed probes cannot grow memory past this. */
export const MAX_ENROLLEES_PER_AP = 64;

/** The attributes of a proxied message (a probe's WPS element or an EAP message), as src/wps checks them. */
export type ProxiedTlvs = WscTlvs;

/** wps_parse_msg() with hostapd's workarounds; throws WscProtocolError. */
export function parseProxiedTlvs(msg: Uint8Array): ProxiedTlvs {
  return parseWscTlvs(msg, { workarounds: true });
}

export interface ErEnrollee extends EnrolleeEventData {
  /** When the entry expires (ms, the table's clock). */
  expiresAt: number;
  /** Its run succeeded and nothing came since: it only waits to expire, and a full table may drop it first. */
  finished?: boolean;
}

function newEnrollee(mac: Buffer, now: number): ErEnrollee {
  return {
    uuid: Buffer.alloc(16),
    macAddress: Buffer.from(mac),
    m1Received: false,
    configMethods: 0,
    devicePasswordId: 0,
    primaryDeviceType: Buffer.alloc(8),
    expiresAt: now + ENROLLEE_TIMEOUT_MS,
  };
}

/** `evicted`: a finished entry dropped early to make room (its WPS-ER-ENROLLEE-REMOVE is due). */
export type EnrolleeUpdate = { enrollee: ErEnrollee; announce: boolean; evicted?: ErEnrollee } | undefined;

/** An Enrollee as readers outside the ER see it. */
export type ErEnrolleeView = Readonly<ErEnrollee>;

/** The read side of an AP's Enrollee table. */
export interface EnrolleeTableView {
  readonly size: number;
  list(): ErEnrolleeView[];
  get(mac: Uint8Array): ErEnrolleeView | undefined;
  find(mac: Uint8Array | undefined, uuid: Uint8Array | undefined): ErEnrolleeView | undefined;
}

export class EnrolleeTable implements EnrolleeTableView {
  private readonly byMac = new Map<string, ErEnrollee>();

  constructor(
    private readonly now: () => number,
    private readonly limit = MAX_ENROLLEES_PER_AP,
  ) {}

  get size(): number {
    return this.byMac.size;
  }

  list(): ErEnrollee[] {
    return [...this.byMac.values()];
  }

  get(mac: Uint8Array): ErEnrollee | undefined {
    return this.byMac.get(Buffer.from(mac).toString('hex'));
  }

  find(mac: Uint8Array | undefined, uuid: Uint8Array | undefined): ErEnrollee | undefined {
    for (const e of this.byMac.values()) {
      if ((mac === undefined || e.macAddress.equals(mac)) && (uuid === undefined || e.uuid.equals(uuid))) return e;
    }
    return undefined;
  }

  /**
   * wps_er_add_sta_data: returns the entry and whether WPS-ER-ENROLLEE-ADD
   * is due (new entry, or an M1), or undefined when the message may not
   * create an entry (or the table is full of Enrollees that are not finished).
   */
  update(mac: Uint8Array, tlvs: ProxiedTlvs, probe: boolean): EnrolleeUpdate {
    const key = Buffer.from(mac).toString('hex');
    let e = this.byMac.get(key);
    const m1 = !probe && tlvs.messageType === MessageType.M1;
    let added = false;
    let evicted: ErEnrollee | undefined;
    if (e === undefined) {
      if (!probe && !m1) return undefined;
      if (this.byMac.size >= this.limit) {
        // Back-to-back enrollments keep each finished Enrollee 10 s; those go first, the ones still in use never.
        evicted = this.oldestFinished();
        if (evicted === undefined) return undefined;
        this.byMac.delete(evicted.macAddress.toString('hex'));
      }
      e = newEnrollee(Buffer.from(mac), this.now());
      this.byMac.set(key, e);
      added = true;
    }
    if (m1) e.m1Received = true;
    const fromM1OrFirst = !probe || !e.m1Received;
    const cm = tlvs.get(AttributeType.ConfigMethods);
    if (cm !== undefined && fromM1OrFirst) e.configMethods = cm.readUInt16BE(0);
    const uuid = tlvs.get(AttributeType.UuidE);
    if (uuid !== undefined && fromM1OrFirst) e.uuid = Buffer.from(uuid);
    const pdt = tlvs.get(AttributeType.PrimaryDeviceType);
    if (pdt !== undefined && fromM1OrFirst) e.primaryDeviceType = Buffer.from(pdt);
    const pw = tlvs.get(AttributeType.DevicePasswordId);
    if (pw !== undefined && fromM1OrFirst) e.devicePasswordId = pw.readUInt16BE(0);
    const str = (t: number): string | undefined => {
      const v = tlvs.get(t);
      return v === undefined ? undefined : bytesText(v);
    };
    e.manufacturer = str(AttributeType.Manufacturer) ?? e.manufacturer;
    e.modelName = str(AttributeType.ModelName) ?? e.modelName;
    e.modelNumber = str(AttributeType.ModelNumber) ?? e.modelNumber;
    e.serialNumber = str(AttributeType.SerialNumber) ?? e.serialNumber;
    e.deviceName = str(AttributeType.DeviceName) ?? e.deviceName;
    e.expiresAt = this.now() + ENROLLEE_TIMEOUT_MS;
    e.finished = false;
    return evicted === undefined ? { enrollee: e, announce: m1 || added } : { enrollee: e, announce: m1 || added, evicted };
  }

  /** The finished entry closest to expiring, if any. */
  private oldestFinished(): ErEnrollee | undefined {
    let oldest: ErEnrollee | undefined;
    for (const e of this.byMac.values()) {
      if (e.finished === true && (oldest === undefined || e.expiresAt < oldest.expiresAt)) oldest = e;
    }
    return oldest;
  }

  /** After a successful run the entry goes soon (wps_er_sta_process). */
  finishSoon(e: ErEnrollee): void {
    e.expiresAt = Math.min(e.expiresAt, this.now() + ENROLLEE_DONE_TIMEOUT_MS);
    e.finished = true;
  }

  /** Removes and returns the expired entries. */
  expire(): ErEnrollee[] {
    const t = this.now();
    const out: ErEnrollee[] = [];
    for (const [k, e] of this.byMac) {
      if (e.expiresAt <= t) {
        this.byMac.delete(k);
        out.push(e);
      }
    }
    return out;
  }

  /** Removes and returns every entry. */
  clear(): ErEnrollee[] {
    const all = [...this.byMac.values()];
    this.byMac.clear();
    return all;
  }
}
