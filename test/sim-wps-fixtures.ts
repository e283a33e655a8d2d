/**
 * Shared pieces of the sim-radio WPS tests (test/wireless-*, test/sta-radio-*,
 * test/ap-radio-*): a device description for a radio's MAC, a WPA2-PSK
 * credential, the config methods used for APs and stations, and one WPS
 * attempt of a sim station with the short timings these tests use.
 */
import type { SimStationDriver } from '../src/radio/sim/station-driver.js';
import { macToBytes, type MacAddress } from '../src/radio/mac.js';
import { enroll, type EnrollEvent, type EnrollOptions, type EnrollResult } from '../src/sta/wireless/enroll.js';
import type { Credential } from '../src/wps/credential.js';
import { parseDeviceType, uuidFromMac, type DeviceInfo } from '../src/wps/device.js';
import { AuthType, ConfigMethods, EncrType, RfBand } from '../src/wps/values.js';

export const AP_METHODS = ConfigMethods.Label | ConfigMethods.VirtualDisplay | ConfigMethods.VirtualPushButton | ConfigMethods.Keypad;
export const STA_METHODS = ConfigMethods.VirtualDisplay | ConfigMethods.VirtualPushButton | ConfigMethods.Keypad;

/** A device whose UUID is derived from its MAC, as hostapd does when uuid= is not set. */
export function simDevice(mac: MacAddress, name: string, configMethods: number, deviceType = '1-0050F204-1'): DeviceInfo {
  const macAddress = Buffer.from(macToBytes(mac));
  return {
    uuid: uuidFromMac(macAddress),
    macAddress,
    deviceName: name,
    manufacturer: 'wpsd',
    modelName: 'sim',
    modelNumber: '1',
    serialNumber: '0001',
    primaryDeviceType: parseDeviceType(deviceType),
    osVersion: 0x01020300,
    configMethods,
    rfBands: RfBand.Band24GHz,
  };
}

export function wpa2Credential(ssid: string, key: string, mac: Buffer): Credential {
  return { networkIndex: 1, ssid: Buffer.from(ssid), authType: AuthType.Wpa2Psk, encrType: EncrType.Aes, networkKey: Buffer.from(key), macAddress: mac, extra: [] };
}

/** Starts one WPS attempt of `sta` on `channel`; its events are collected as they come. */
export function runSimEnroll(
  sta: SimStationDriver,
  channel: number,
  method: EnrollOptions['method'],
  extra: Partial<EnrollOptions> = {},
): { events: EnrollEvent[]; result: Promise<EnrollResult> } {
  const events: EnrollEvent[] = [];
  const result = enroll({
    driver: sta,
    device: simDevice(sta.address, `sta ${sta.address.slice(-2)}`, STA_METHODS),
    method,
    channels: [channel],
    walkTimeMs: 15_000,
    scanDwellMs: 80,
    retryDelayMs: 100,
    eapolStartIntervalMs: 300,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { events, result };
}
