/** The device data of the in-memory registration benches (registration.ts, registration-daemon.ts). */
import { createHash } from 'node:crypto';
import type { DeviceInfo } from '../src/wps/device.js';
import { ConfigMethods, RfBand } from '../src/wps/values.js';

/** A bench device of the given name and MAC (PIN methods, 2.4 GHz). */
export function benchDevice(name: string, mac: string): DeviceInfo {
  return {
    uuid: createHash('sha256').update(name).digest().subarray(0, 16),
    macAddress: Buffer.from(mac.replace(/:/g, ''), 'hex'),
    deviceName: name,
    manufacturer: 'wpsd bench',
    modelName: name,
    modelNumber: '1',
    serialNumber: '1',
    primaryDeviceType: Buffer.from([0, 1, 0x00, 0x50, 0xf2, 0x04, 0, 1]),
    osVersion: 0x80000000,
    configMethods: ConfigMethods.Display | ConfigMethods.Keypad,
    rfBands: RfBand.Band24GHz,
  };
}
