/**
 * Values of WSC attributes (WSC 2.0 section 12, hostapd wps_defs.h numbering),
 * with their names for display.
 */

export const WPS_VERSION = 0x10;
export const WPS_VERSION2 = 0x20;

export const MessageType = {
  Beacon: 0x01,
  ProbeRequest: 0x02,
  ProbeResponse: 0x03,
  M1: 0x04,
  M2: 0x05,
  M2D: 0x06,
  M3: 0x07,
  M4: 0x08,
  M5: 0x09,
  M6: 0x0a,
  M7: 0x0b,
  M8: 0x0c,
  WscAck: 0x0d,
  WscNack: 0x0e,
  WscDone: 0x0f,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const ConfigError = {
  NoError: 0,
  OobInterfaceReadError: 1,
  DecryptionCrcFailure: 2,
  Chan24NotSupported: 3,
  Chan50NotSupported: 4,
  SignalTooWeak: 5,
  NetworkAuthFailure: 6,
  NetworkAssociationFailure: 7,
  NoDhcpResponse: 8,
  FailedDhcpConfig: 9,
  IpAddressConflict: 10,
  NoConnectionToRegistrar: 11,
  MultiplePbcSessionsDetected: 12,
  RogueActivitySuspected: 13,
  DeviceBusy: 14,
  SetupLocked: 15,
  MessageTimeout: 16,
  RegistrationSessionTimeout: 17,
  DevicePasswordAuthFailure: 18,
  Chan60NotSupported: 19,
  PublicKeyHashMismatch: 20,
} as const;
export type ConfigError = (typeof ConfigError)[keyof typeof ConfigError];

export const DevicePasswordId = {
  Default: 0x0000,
  UserSpecified: 0x0001,
  MachineSpecified: 0x0002,
  Rekey: 0x0003,
  PushButton: 0x0004,
  RegistrarSpecified: 0x0005,
  NfcConnectionHandover: 0x0007,
  P2psDefault: 0x0008,
} as const;
export type DevicePasswordId = (typeof DevicePasswordId)[keyof typeof DevicePasswordId];

/** Authentication Type (Flags) bits. */
export const AuthType = {
  Open: 0x0001,
  WpaPsk: 0x0002,
  /** Deprecated in WSC 2.0. */
  Shared: 0x0004,
  Wpa: 0x0008,
  Wpa2: 0x0010,
  Wpa2Psk: 0x0020,
} as const;
export type AuthType = (typeof AuthType)[keyof typeof AuthType];
export const AUTH_TYPES_ALL = 0x003f;

/** Encryption Type (Flags) bits. */
export const EncrType = {
  None: 0x0001,
  /** Deprecated in WSC 2.0. */
  Wep: 0x0002,
  Tkip: 0x0004,
  Aes: 0x0008,
} as const;
export type EncrType = (typeof EncrType)[keyof typeof EncrType];
export const ENCR_TYPES_ALL = 0x000f;

/** Config Methods bits; the Virtual/Physical variants include their base bit. */
export const ConfigMethods = {
  Usba: 0x0001,
  Ethernet: 0x0002,
  Label: 0x0004,
  Display: 0x0008,
  ExtNfcToken: 0x0010,
  IntNfcToken: 0x0020,
  NfcInterface: 0x0040,
  PushButton: 0x0080,
  Keypad: 0x0100,
  VirtualPushButton: 0x0280,
  PhysicalPushButton: 0x0480,
  P2ps: 0x1000,
  VirtualDisplay: 0x2008,
  PhysicalDisplay: 0x4008,
} as const;
export type ConfigMethods = (typeof ConfigMethods)[keyof typeof ConfigMethods];

export const WpsState = {
  NotConfigured: 1,
  Configured: 2,
} as const;
export type WpsState = (typeof WpsState)[keyof typeof WpsState];

export const RfBand = {
  Band24GHz: 0x01,
  Band50GHz: 0x02,
  Band60GHz: 0x04,
} as const;
export type RfBand = (typeof RfBand)[keyof typeof RfBand];

export const AssociationState = {
  NotAssociated: 0,
  ConnectionSuccess: 1,
  ConfigurationFailure: 2,
  AssociationFailure: 3,
  IpFailure: 4,
} as const;
export type AssociationState = (typeof AssociationState)[keyof typeof AssociationState];

export const ConnectionType = {
  Ess: 0x01,
  Ibss: 0x02,
} as const;
export type ConnectionType = (typeof ConnectionType)[keyof typeof ConnectionType];

export const RequestType = {
  EnrolleeInfo: 0,
  EnrolleeOpen8021X: 1,
  Registrar: 2,
  WlanManagerRegistrar: 3,
} as const;
export type RequestType = (typeof RequestType)[keyof typeof RequestType];

export const ResponseType = {
  EnrolleeInfo: 0,
  EnrolleeOpen8021X: 1,
  Registrar: 2,
  Ap: 3,
} as const;
export type ResponseType = (typeof ResponseType)[keyof typeof ResponseType];

/** Primary Device Type categories (WSC 2.0 table 41). */
export const DeviceCategory = {
  Computer: 1,
  InputDevice: 2,
  Printer: 3,
  Camera: 4,
  Storage: 5,
  NetworkInfrastructure: 6,
  Display: 7,
  Multimedia: 8,
  Gaming: 9,
  Telephone: 10,
  Audio: 11,
} as const;
export type DeviceCategory = (typeof DeviceCategory)[keyof typeof DeviceCategory];

/** The WFA OUI in a Primary Device Type: 00-50-F2-04. */
export const WPS_DEV_OUI_WFA = 0x0050f204;

type Table = Readonly<Record<string, number>>;

/** The name of a value in one of the tables above, or undefined. */
export function valueName(table: Table, value: number): string | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return undefined;
}

/**
 * The names of the bits set in a flags value, e.g. "Open|Wpa2Psk"; composite
 * entries (VirtualPushButton = PushButton|0x200) are preferred when all their
 * bits are set; leftover bits are shown in hex.
 */
export function flagNames(table: Table, value: number): string[] {
  const entries = Object.entries(table).sort((a, b) => popcount(b[1]) - popcount(a[1]));
  let rest = value;
  const names: { name: string; v: number }[] = [];
  for (const [name, v] of entries) {
    // A composite shares its base bit with others (Virtual/Physical Push Button): it counts while it still adds a bit.
    if (v !== 0 && (value & v) === v && (rest & v) !== 0) {
      names.push({ name, v });
      rest &= ~v;
    }
  }
  names.sort((a, b) => lowestBit(a.v) - lowestBit(b.v));
  const out = names.map((n) => n.name);
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out;
}

function popcount(v: number): number {
  let c = 0;
  for (let x = v; x !== 0; x &= x - 1) c++;
  return c;
}

function lowestBit(v: number): number {
  return v & -v;
}

/** hostapd's spelling of single Authentication/Encryption types, as in README-WPS and event text. */
export const AUTH_TYPE_TEXT: Readonly<Record<number, string>> = {
  [AuthType.Open]: 'OPEN',
  [AuthType.WpaPsk]: 'WPAPSK',
  [AuthType.Shared]: 'SHARED',
  [AuthType.Wpa]: 'WPA',
  [AuthType.Wpa2]: 'WPA2',
  [AuthType.Wpa2Psk]: 'WPA2PSK',
};

export const ENCR_TYPE_TEXT: Readonly<Record<number, string>> = {
  [EncrType.None]: 'NONE',
  [EncrType.Wep]: 'WEP',
  [EncrType.Tkip]: 'TKIP',
  [EncrType.Aes]: 'AES',
};
