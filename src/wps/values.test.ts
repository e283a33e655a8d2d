import { describe, expect, it } from 'vitest';
import { AuthType, ConfigError, ConfigMethods, DevicePasswordId, EncrType, MessageType, WPS_VERSION, WPS_VERSION2, flagNames, valueName } from './values.js';

describe('WSC values', () => {
  it('numbers messages, errors and password ids as the spec does', () => {
    expect([MessageType.M1, MessageType.M2D, MessageType.M8, MessageType.WscDone]).toEqual([4, 6, 12, 15]);
    expect(ConfigError.DevicePasswordAuthFailure).toBe(18);
    expect(ConfigError.PublicKeyHashMismatch).toBe(20);
    expect(DevicePasswordId.NfcConnectionHandover).toBe(7);
    expect([AuthType.Wpa2Psk, EncrType.Aes, WPS_VERSION, WPS_VERSION2]).toEqual([0x20, 0x08, 0x10, 0x20]);
  });

  it('names values and flag sets, composite config methods included', () => {
    expect(valueName(ConfigError, 15)).toBe('SetupLocked');
    expect(valueName(ConfigError, 99)).toBeUndefined();
    expect(flagNames(ConfigMethods, 0x0080)).toEqual(['PushButton']);
    expect(flagNames(ConfigMethods, 0x0280)).toEqual(['VirtualPushButton']);
    expect(flagNames(ConfigMethods, 0x238c)).toEqual(['Label', 'VirtualDisplay', 'VirtualPushButton', 'Keypad']);
    expect(flagNames(AuthType, 0x8021)).toEqual(['Open', 'Wpa2Psk', '0x8000']);
  });
});
