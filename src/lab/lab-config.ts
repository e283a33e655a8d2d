/**
 * What the lab is made of: the AP's hostapd.conf (driver=sim on the lab's
 * medium, UPnP on loopback, an AP PIN), the ER's device, and the stations'
 * addresses, UUIDs and PINs. Each lab draws its own address prefix and UUIDs,
 * so two labs on one machine (their UPnP both on lo) never pass for the same
 * devices; a station's MAC and UUID end in its number, and PINs are random.
 */
import { randomBytes } from 'node:crypto';
import { formatUuid, parseDeviceType, parseUuid, type DeviceInfo } from '../wps/device.js';
import { generatePin } from '../wps/pin.js';
import { ConfigMethods, RfBand } from '../wps/values.js';

export const LAB_IFACE = 'wlan0';
export const LAB_SSID = 'wpsd-lab';
export const LAB_CHANNEL = 6;
/** Every frame on the lab's medium goes at the lowest mandatory OFDM rate (airtime model, src/radio/sim/airtime.ts). */
export const LAB_RATE_MBPS = 6;
/**
 * Stations a lab may run. The sim medium takes 64 radios, so a station's
 * radio is on the medium only while it probes or runs WPS (LAB_RADIO_SLOTS at
 * once); the ER holds 64 Enrollees per AP, so only LAB_WAITING_AT_ONCE
 * stations wait (probe) at a time, the rest queue behind them.
 */
export const MAX_LAB_ENROLLEES = 1000;
/** Station radios on the medium at once (the medium's 64 less the AP's, with room to spare). */
export const LAB_RADIO_SLOTS = 48;
/** Stations probing as waiting Enrollees at once: half the ER's 64 per AP, leaving room for the M1s of runs. */
export const LAB_WAITING_AT_ONCE = 32;
export const DEFAULT_LAB_ENROLLEES = 5;
/** Enrollments a second `wpsd lab --enroll-all` plans its APs for unless told (issue 17's target). */
export const LAB_TARGET_RATE = 100;
/** --rate beyond this would ask for more channels than the lab has at any plausible capacity. */
export const MAX_LAB_TARGET_RATE = 10_000;
/** Config Methods of a lab station (a PIN label, a display, a push button) and of the ER (keypad, display, label). */
const STATION_CONFIG_METHODS = ConfigMethods.Label | ConfigMethods.Display | ConfigMethods.PushButton | ConfigMethods.VirtualPushButton;
const ER_CONFIG_METHODS = ConfigMethods.Keypad | ConfigMethods.Display | ConfigMethods.Label;

/** One lab's own address space: MAC prefix and UUID prefix, random per lab. */
export interface LabAddressing {
  /** Four bytes, locally administered unicast; the last two bytes of a MAC are the device's number. */
  macPrefix: Buffer;
  /** Fourteen bytes of a version 4 UUID; the last two are the device's number. */
  uuidPrefix: Buffer;
}

export interface LabIdentity {
  /** Random per run (the AP's passphrase and AP PIN, the stations' PINs). */
  apPin: string;
  passphrase: string;
  apMac: string;
  apUuid: string;
  erUuid: string;
  addressing: LabAddressing;
}

/** A random (version 4) UUID. */
function uuidV4(rng: (n: number) => Buffer): Buffer {
  const b = rng(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b;
}

const hexByte = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');

export function newLabAddressing(rng: (n: number) => Buffer = randomBytes): LabAddressing {
  const macPrefix = Buffer.from(rng(4));
  macPrefix[0] = ((macPrefix[0] as number) & 0xfc) | 0x02;
  return { macPrefix, uuidPrefix: uuidV4(rng).subarray(0, 14) };
}

/** Device number n (0 the AP, 1.. the stations, ER_NUMBER the ER) in the lab's address space. */
function labMac(a: LabAddressing, n: number): string {
  return [...a.macPrefix, n >> 8, n].map(hexByte).join(':');
}

function labUuid(a: LabAddressing, n: number): string {
  return formatUuid(Buffer.concat([a.uuidPrefix, Buffer.from([(n >> 8) & 0xff, n & 0xff])]));
}

const AP_NUMBER = 0;
const ER_NUMBER = 0xfffe;
/** The radio that listens to the AP's Beacons for a bulk run (SelectionWatch). */
const LISTENER_NUMBER = 0xfffd;

export function labListenerMac(a: LabAddressing): string {
  return labMac(a, LISTENER_NUMBER);
}

export function newLabIdentity(rng: (n: number) => Buffer = randomBytes): LabIdentity {
  const addressing = newLabAddressing(rng);
  return {
    apPin: generatePin(rng),
    passphrase: `lab-${rng(6).toString('hex')}`,
    apMac: labMac(addressing, AP_NUMBER),
    apUuid: labUuid(addressing, AP_NUMBER),
    erUuid: labUuid(addressing, ER_NUMBER),
    addressing,
  };
}

export interface LabConfOptions extends LabIdentity {
  ctrlDir: string;
  mediumPath: string;
  /** LAB_CHANNEL unless given. */
  channel?: number;
}

/** hostapd.conf of the lab's AP. */
export function labHostapdConf(o: LabConfOptions): string {
  const lines: Array<[string, string]> = [
    ['interface', LAB_IFACE],
    ['driver', 'sim'],
    ['sim_medium', o.mediumPath],
    ['bssid', o.apMac],
    ['ctrl_interface', o.ctrlDir],
    ['ssid', LAB_SSID],
    ['channel', String(o.channel ?? LAB_CHANNEL)],
    ['wpa', '2'],
    ['wpa_key_mgmt', 'WPA-PSK'],
    ['rsn_pairwise', 'CCMP'],
    ['wpa_passphrase', o.passphrase],
    ['eap_server', '1'],
    ['wps_state', '2'],
    ['ap_pin', o.apPin],
    ['uuid', o.apUuid],
    ['device_name', 'wpsd lab AP'],
    ['manufacturer', 'wpsd'],
    ['model_name', 'wpsd-ap'],
    ['model_number', '1'],
    ['serial_number', 'lab-0001'],
    ['device_type', '6-0050F204-1'],
    ['config_methods', 'label virtual_display virtual_push_button keypad'],
    ['upnp_iface', 'lo'],
    ['friendly_name', 'wpsd lab AP'],
    ['model_description', 'Simulated access point'],
  ];
  return `# wpsd lab: generated, removed when the lab stops\n${lines.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

export function erDevice(identity: Pick<LabIdentity, 'erUuid' | 'addressing'>): DeviceInfo {
  return {
    uuid: parseUuid(identity.erUuid),
    macAddress: Buffer.from(labMac(identity.addressing, ER_NUMBER).replace(/:/g, ''), 'hex'),
    deviceName: 'wpsd lab ER',
    manufacturer: 'wpsd',
    modelName: 'wpsd-er',
    modelNumber: '1',
    serialNumber: 'lab-er',
    primaryDeviceType: parseDeviceType('1-0050F204-1'),
    osVersion: 0x01020300,
    configMethods: ER_CONFIG_METHODS,
    rfBands: RfBand.Band24GHz,
  };
}

export interface LabStationSpec {
  index: number;
  mac: string;
  uuid: string;
  /** The PIN on the station's label. */
  pin: string;
  device: DeviceInfo;
}

/** Station numbers a spec can be made for (the bench enrolls more than a lab runs at once; MAC and UUID carry the number). */
export const MAX_STATION_NUMBER = 0xfdff;

/** Station n (1-based): the lab's MAC and UUID prefixes with n in the last two bytes, its own random PIN, the PIN in its name. */
export function labStationSpec(n: number, addressing: LabAddressing, rng: (n: number) => Buffer = randomBytes): LabStationSpec {
  if (!Number.isInteger(n) || n < 1 || n > MAX_STATION_NUMBER) throw new RangeError(`station number ${n} is not in 1..${MAX_STATION_NUMBER}`);
  const mac = labMac(addressing, n);
  const uuid = labUuid(addressing, n);
  const pin = generatePin(rng);
  const name = `lab-sta-${String(n).padStart(2, '0')} PIN ${pin}`;
  return {
    index: n,
    mac,
    uuid,
    pin,
    device: {
      uuid: parseUuid(uuid),
      macAddress: Buffer.from(mac.replace(/:/g, ''), 'hex'),
      deviceName: name,
      manufacturer: 'wpsd',
      modelName: 'lab-station',
      modelNumber: '1',
      serialNumber: `sta-${n}`,
      primaryDeviceType: parseDeviceType('1-0050F204-1'),
      osVersion: 0x01020300,
      configMethods: STATION_CONFIG_METHODS,
      rfBands: RfBand.Band24GHz,
    },
  };
}
