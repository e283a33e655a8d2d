/**
 * What the lab is made of: the AP's hostapd.conf (driver=sim on the lab's
 * medium, UPnP on loopback, an AP PIN), the ER's device, and the stations'
 * addresses, UUIDs and PINs. Everything is derived from one lab number so a
 * run can be told apart from another in logs, and PINs are random per run.
 */
import { randomBytes } from 'node:crypto';
import { formatUuid, parseDeviceType, parseUuid, type DeviceInfo } from '../wps/device.js';
import { generatePin } from '../wps/pin.js';
import { ConfigMethods, RfBand } from '../wps/values.js';

export const LAB_IFACE = 'wlan0';
export const LAB_SSID = 'wpsd-lab';
export const LAB_CHANNEL = 6;
/** Stations a lab may run: the sim medium takes 64 radios (one is the AP), the ER 64 Enrollees per AP and 64 PINs. */
export const MAX_LAB_ENROLLEES = 60;
export const DEFAULT_LAB_ENROLLEES = 5;
/** Config Methods of a lab station (a PIN label, a display, a push button) and of the ER (keypad, display, label). */
const STATION_CONFIG_METHODS = ConfigMethods.Label | ConfigMethods.Display | ConfigMethods.PushButton | ConfigMethods.VirtualPushButton;
const ER_CONFIG_METHODS = ConfigMethods.Keypad | ConfigMethods.Display | ConfigMethods.Label;

export interface LabIdentity {
  /** Random per run (the AP's passphrase and AP PIN, the stations' PINs). */
  apPin: string;
  passphrase: string;
  apMac: string;
  apUuid: string;
}

/** A random (version 4) UUID. */
function uuidV4(rng: (n: number) => Buffer): Buffer {
  const b = rng(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b;
}

const hexByte = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');

export function newLabIdentity(rng: (n: number) => Buffer = randomBytes): LabIdentity {
  return {
    apPin: generatePin(rng),
    passphrase: `lab-${rng(6).toString('hex')}`,
    apMac: '02:00:5e:00:01:00',
    // Random: two labs on one machine (both on lo) must not pass for one AP.
    apUuid: formatUuid(uuidV4(rng)),
  };
}

export interface LabConfOptions extends LabIdentity {
  ctrlDir: string;
  mediumPath: string;
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
    ['channel', String(LAB_CHANNEL)],
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

export function erDevice(): DeviceInfo {
  return {
    uuid: parseUuid('12345678-9abc-def0-1234-56789abc0e12'),
    macAddress: Buffer.from('02005e000e12', 'hex'),
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

/** Station n (1-based): 02:00:5e:00:02:nn (n above 255 carries into the fifth byte), a UUID from its number, its own random PIN, the PIN in its name. */
export function labStationSpec(n: number, rng: (n: number) => Buffer = randomBytes): LabStationSpec {
  if (!Number.isInteger(n) || n < 1 || n > MAX_STATION_NUMBER) throw new RangeError(`station number ${n} is not in 1..${MAX_STATION_NUMBER}`);
  const mac = `02:00:5e:00:${hexByte(2 + (n >> 8))}:${hexByte(n)}`;
  const uuid = `2b7093f1-d6fb-5108-adbb-bea66bb8${hexByte(n >> 8)}${hexByte(n)}`;
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
