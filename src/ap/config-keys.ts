/**
 * hostapd.conf keys: one handler per key, validating as hostapd_config_fill()
 * does (hostapd/config_file.c), but strictly: a number must be a number, a
 * UUID must be a whole UUID. Errors never echo secret values.
 */
import { parseMac } from '../common/mac.js';
import { applyNfcConfigKey, NFC_CONFIG_KEYS } from '../wps/nfc/nfc-config.js';
import type { DiagnosticSink } from '../conf/diagnostic.js';
import { wpsDeviceKeyParsers } from '../conf/wps-device.js';
import { MAX_WSC_FRAGMENT_SIZE, MIN_WSC_FRAGMENT_SIZE } from '../wps/eap-wsc.js';
import {
  AP_KEY_MGMT_NAMES,
  ALLOWED_PAIRWISE_CIPHERS,
  Cipher,
  PMK_LEN,
  WPA_PASSPHRASE_MAX_LEN,
  WPA_PASSPHRASE_MIN_LEN,
  bytesOf,
  parseCipherList,
  parseConfigString,
  parseDecimal,
  parseFlagList,
  parseHex,
  utf8Of,
} from '../conf/values.js';
import {
  HOSTAPD_DRIVERS,
  HW_MODES,
  WpsRfBand,
  defaultBss,
  type HostapdBssConfig,
  type HostapdConfig,
  type HostapdDriver,
  type HwMode,
} from './config-model.js';
import { SSID_MAX_LEN } from '../common/ssid.js';

/** IFNAMSIZ - 1: the longest interface name Linux accepts. */
export const IFNAME_MAX_LEN = 15;
/** AP PIN: hostapd uses 8 digits when it generates one; WSC allows 4..8 digit device passwords. */
export const AP_PIN_MIN_LEN = 4;
export const AP_PIN_MAX_LEN = 8;
/** hostapd MAX_STA_COUNT: the largest max_num_sta. */
export const MAX_STA_COUNT = 2007;

export interface KeyContext {
  conf: HostapdConfig;
  bss: HostapdBssConfig;
  sink: DiagnosticSink;
  line: number;
}

type Handler = (ctx: KeyContext, value: string) => void;

function err(ctx: KeyContext, message: string): void {
  ctx.sink.error(ctx.line, message);
}

/** Integer key with an inclusive range; on error the old value stays. */
function intKey(key: string, min: number, max: number, set: (ctx: KeyContext, v: number) => void): Handler {
  return (ctx, value) => {
    const n = parseDecimal(value);
    if (n === null || n < min || n > max) {
      err(ctx, `invalid ${key} '${value}' (must be an integer ${min}..${max})`);
      return;
    }
    set(ctx, n);
  };
}

function strKey(key: string, maxLen: number | undefined, set: (ctx: KeyContext, v: string) => void): Handler {
  return (ctx, value) => {
    if (maxLen !== undefined && value.length > maxLen) {
      err(ctx, `invalid ${key} (too long: ${value.length} bytes, at most ${maxLen})`);
      return;
    }
    set(ctx, utf8Of(value));
  };
}

function ifnameKey(key: string, set: (ctx: KeyContext, v: string) => void): Handler {
  return (ctx, value) => {
    if (value.length === 0 || value.length > IFNAME_MAX_LEN || /[\s/]/.test(value)) {
      err(ctx, `invalid ${key} '${value}' (interface names are 1..${IFNAME_MAX_LEN} characters, no spaces or '/')`);
      return;
    }
    set(ctx, value);
  };
}

function passphraseKey(key: string, set: (ctx: KeyContext, v: string) => void): Handler {
  return (ctx, value) => {
    if (value.length < WPA_PASSPHRASE_MIN_LEN || value.length > WPA_PASSPHRASE_MAX_LEN) {
      err(ctx, `invalid ${key} (must be ${WPA_PASSPHRASE_MIN_LEN}..${WPA_PASSPHRASE_MAX_LEN} characters)`);
      return;
    }
    set(ctx, utf8Of(value));
  };
}

function pskKey(key: string, set: (ctx: KeyContext, v: Buffer) => void): Handler {
  return (ctx, value) => {
    const psk = parseHex(value, PMK_LEN);
    if (!psk) {
      err(ctx, `invalid ${key} (must be ${PMK_LEN * 2} hex digits)`);
      return;
    }
    set(ctx, psk);
  };
}

function pairwiseKey(key: string, set: (ctx: KeyContext, v: number) => void): Handler {
  return (ctx, value) => {
    const r = parseCipherList(value);
    if ('error' in r) {
      err(ctx, `invalid ${key} '${value}' (${r.error})`);
      return;
    }
    if ((r.bits & (Cipher.NONE | Cipher.WEP40 | Cipher.WEP104)) !== 0 || (r.bits & ~ALLOWED_PAIRWISE_CIPHERS) !== 0) {
      err(ctx, `invalid ${key} '${value}' (unsupported pairwise cipher suite)`);
      return;
    }
    // A CONFIG_NO_TKIP hostapd does not know the name TKIP either (src/wps/no-tkip.ts).
    if ((r.bits & Cipher.TKIP) !== 0) {
      err(ctx, `invalid ${key} '${value}' (TKIP is not implemented by wpsd, as in hostapd built with CONFIG_NO_TKIP; use CCMP)`);
      return;
    }
    set(ctx, r.bits);
  };
}

function ssidBytesKey(key: string, set: (ctx: KeyContext, v: Buffer) => void): Handler {
  return (ctx, value) => {
    const s = parseConfigString(value);
    if (!s || s.length < 1 || s.length > SSID_MAX_LEN) {
      err(ctx, `invalid ${key} '${value}' (must be "text", P"escaped" or hex, 1..${SSID_MAX_LEN} bytes)`);
      return;
    }
    set(ctx, s);
  };
}

/** uuid, device_name, ... config_methods: the parser hostapd.conf shares with wpa_supplicant.conf, in hostapd's wording. */
function wpsDeviceHandlers(): Record<string, Handler> {
  const parsers = wpsDeviceKeyParsers({
    deviceTypeExample: '6-0050F204-1',
    tooLong: (key, len, max) => `invalid ${key} (too long: ${len} bytes, at most ${max})`,
  });
  return Object.fromEntries(
    Object.entries(parsers).map(([key, parse]): [string, Handler] => [
      key,
      (ctx, value) => {
        const e = parse(ctx.bss, value);
        if (e !== undefined) err(ctx, e);
      },
    ]),
  );
}

const handlers: Record<string, Handler> = {
  // interface= always names the first BSS, even inside a bss= section (as hostapd).
  interface: ifnameKey('interface', (c, v) => {
    const first = c.conf.bss[0];
    if (first) first.iface = v;
  }),
  bridge: ifnameKey('bridge', (c, v) => (c.bss.bridge = v)),
  wds_bridge: ifnameKey('wds_bridge', (c, v) => (c.bss.wdsBridge = v)),
  driver: (ctx, value) => {
    if (!HOSTAPD_DRIVERS.includes(value as HostapdDriver)) {
      err(ctx, `invalid driver '${value}' (must be one of ${HOSTAPD_DRIVERS.join(', ')})`);
      return;
    }
    ctx.conf.driver = value as HostapdDriver;
  },
  ctrl_interface: (ctx, value) => {
    if (value === '') {
      err(ctx, 'invalid ctrl_interface (empty)');
      return;
    }
    ctx.bss.ctrlInterface = utf8Of(value);
  },
  ctrl_interface_group: (ctx, value) => {
    if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(value)) {
      err(ctx, `invalid ctrl_interface_group '${value}' (must be a group name or gid)`);
      return;
    }
    ctx.bss.ctrlInterfaceGroup = value;
  },
  ssid: (ctx, value) => {
    if (value.length < 1 || value.length > SSID_MAX_LEN) {
      err(ctx, `invalid ssid (must be 1..${SSID_MAX_LEN} bytes, got ${value.length})`);
      return;
    }
    ctx.bss.ssid = bytesOf(value);
  },
  ssid2: ssidBytesKey('ssid2', (c, v) => (c.bss.ssid = v)),
  utf8_ssid: intKey('utf8_ssid', 0, 1, (c, v) => (c.bss.utf8Ssid = v > 0)),
  wpa: intKey('wpa', 0, 3, (c, v) => (c.bss.wpa = v)),
  wpa_key_mgmt: (ctx, value) => {
    const r = parseFlagList(value, AP_KEY_MGMT_NAMES, 'key_mgmt');
    if ('error' in r) {
      err(ctx, `invalid wpa_key_mgmt '${value}' (${r.error})`);
      return;
    }
    ctx.bss.wpaKeyMgmt = r.bits;
  },
  wpa_pairwise: pairwiseKey('wpa_pairwise', (c, v) => (c.bss.wpaPairwise = v)),
  rsn_pairwise: pairwiseKey('rsn_pairwise', (c, v) => {
    c.bss.rsnPairwise = v;
    c.bss.rsnPairwiseSet = true;
  }),
  // A passphrase replaces a PSK and the other way round, as in hostapd.
  wpa_passphrase: passphraseKey('wpa_passphrase', (c, v) => {
    c.bss.wpaPassphrase = v;
    delete c.bss.wpaPsk;
  }),
  wpa_psk: pskKey('wpa_psk', (c, v) => {
    c.bss.wpaPsk = v;
    delete c.bss.wpaPassphrase;
  }),
  wpa_psk_file: (ctx, value) => {
    if (value === '') {
      err(ctx, 'invalid wpa_psk_file (empty path)');
      return;
    }
    ctx.bss.wpaPskFile = utf8Of(value);
  },
  wpa_group_rekey: intKey('wpa_group_rekey', 0, 0x7fffffff, (c, v) => (c.bss.wpaGroupRekey = v)),
  auth_algs: intKey('auth_algs', 0, 0xff, (c, v) => (c.bss.authAlgs = v)),
  ieee80211w: intKey('ieee80211w', 0, 2, (c, v) => (c.bss.ieee80211w = v)),
  sae_require_mfp: intKey('sae_require_mfp', 0, 1, (c, v) => (c.bss.saeRequireMfp = v)),
  eap_server: intKey('eap_server', 0, 1, (c, v) => (c.bss.eapServer = v)),
  ieee8021x: intKey('ieee8021x', 0, 1, (c, v) => (c.bss.ieee8021x = v)),
  macaddr_acl: (ctx, value) => {
    if (value === '2') return err(ctx, "macaddr_acl=2 (ask a RADIUS server) is not implemented by wpsd; use 0 or 1 with accept_mac_file / deny_mac_file");
    intKey('macaddr_acl', 0, 1, (c, v) => (c.bss.macaddrAcl = v))(ctx, value);
  },
  accept_mac_file: (ctx, value) => {
    ctx.bss.acceptMacFile = value;
    ctx.bss.acceptMacFileLine = ctx.line;
  },
  deny_mac_file: (ctx, value) => {
    ctx.bss.denyMacFile = value;
    ctx.bss.denyMacFileLine = ctx.line;
  },
  fragment_size: intKey('fragment_size', MIN_WSC_FRAGMENT_SIZE, MAX_WSC_FRAGMENT_SIZE, (c, v) => (c.bss.fragmentSize = v)),
  max_num_sta: intKey('max_num_sta', 1, MAX_STA_COUNT, (c, v) => (c.bss.maxNumSta = v)),
  ignore_broadcast_ssid: (ctx, value) => {
    if (value === '2') return err(ctx, 'ignore_broadcast_ssid=2 (SSID cleared to zeros, length kept) is not implemented by wpsd; use 1 (empty SSID)');
    intKey('ignore_broadcast_ssid', 0, 1, (c, v) => (c.bss.ignoreBroadcastSsid = v))(ctx, value);
  },
  use_pae_group_addr: intKey('use_pae_group_addr', 0, 1, (c, v) => (c.bss.usePaeGroupAddr = v)),
  wps_state: intKey('wps_state', 0, 2, (c, v) => (c.bss.wpsState = v as 0 | 1 | 2)),
  // 2: External Registrars may learn the settings but not change them (hostapd's ap_setup_locked=2).
  ap_setup_locked: intKey('ap_setup_locked', 0, 2, (c, v) => (c.bss.apSetupLocked = v)),
  ap_pin: (ctx, value) => {
    // An empty ap_pin clears it, as hostapd.
    if (value === '') {
      delete ctx.bss.apPin;
      return;
    }
    if (!/^\d+$/.test(value) || value.length < AP_PIN_MIN_LEN || value.length > AP_PIN_MAX_LEN) {
      err(ctx, `invalid ap_pin (must be ${AP_PIN_MIN_LEN}..${AP_PIN_MAX_LEN} digits)`);
      return;
    }
    ctx.bss.apPin = value;
  },
  ...wpsDeviceHandlers(),
  upnp_iface: ifnameKey('upnp_iface', (c, v) => (c.bss.upnpIface = v)),
  friendly_name: strKey('friendly_name', undefined, (c, v) => (c.bss.friendlyName = v)),
  manufacturer_url: strKey('manufacturer_url', undefined, (c, v) => (c.bss.manufacturerUrl = v)),
  model_description: strKey('model_description', undefined, (c, v) => (c.bss.modelDescription = v)),
  model_url: strKey('model_url', undefined, (c, v) => (c.bss.modelUrl = v)),
  upc: strKey('upc', undefined, (c, v) => (c.bss.upc = v)),
  wps_cred_processing: intKey('wps_cred_processing', 0, 2, (c, v) => (c.bss.wpsCredProcessing = v)),
  wps_cred_add_sae: intKey('wps_cred_add_sae', 0, 1, (c, v) => (c.bss.wpsCredAddSae = v)),
  wps_pin_requests: strKey('wps_pin_requests', undefined, (c, v) => (c.bss.wpsPinRequests = v)),
  skip_cred_build: intKey('skip_cred_build', 0, 1, (c, v) => (c.bss.skipCredBuild = v)),
  extra_cred: (ctx, value) => {
    ctx.bss.extraCred = utf8Of(value);
    ctx.bss.extraCredLine = ctx.line;
  },
  wps_independent: intKey('wps_independent', 0, 1, (c, v) => (c.bss.wpsIndependent = v)),
  ...Object.fromEntries(
    NFC_CONFIG_KEYS.map((key): [string, Handler] => [
      key,
      (ctx, value) => {
        const problem = applyNfcConfigKey(ctx.bss.wpsNfc, key, value);
        if (problem !== undefined) err(ctx, problem);
      },
    ]),
  ),
  ap_settings: (ctx, value) => {
    ctx.bss.apSettings = utf8Of(value);
    ctx.bss.apSettingsLine = ctx.line;
  },
  pbc_in_m1: intKey('pbc_in_m1', 0, 1, (c, v) => (c.bss.pbcInM1 = v)),
  channel: (ctx, value) => {
    if (value === 'acs_survey') {
      ctx.conf.channel = 0;
      return;
    }
    const n = parseDecimal(value);
    if (n === null || n < 0 || n > 255) {
      err(ctx, `invalid channel '${value}' (must be 0..255 or acs_survey)`);
      return;
    }
    ctx.conf.channel = n;
  },
  hw_mode: (ctx, value) => {
    if (!HW_MODES.includes(value as HwMode)) {
      err(ctx, `invalid hw_mode '${value}' (must be one of ${HW_MODES.join(', ')})`);
      return;
    }
    ctx.conf.hwMode = value as HwMode;
  },
  country_code: (ctx, value) => {
    // hostapd checks only the first two characters are A..Z.
    if (!/^[A-Z]{2}/.test(value)) {
      err(ctx, `invalid country_code '${value}' (must be two upper-case letters)`);
      return;
    }
    ctx.conf.countryCode = value.slice(0, 2);
  },
  ieee80211n: intKey('ieee80211n', 0, 1, (c, v) => (c.conf.ieee80211n = v)),
  bssid: (ctx, value) => {
    const mac = parseMac(value);
    if (!mac) {
      err(ctx, `invalid bssid '${value}' (must be xx:xx:xx:xx:xx:xx)`);
      return;
    }
    ctx.bss.bssid = mac;
  },
  sim_medium: (ctx, value) => {
    if (value === '') {
      err(ctx, 'invalid sim_medium (empty path)');
      return;
    }
    ctx.conf.simMedium = utf8Of(value);
  },
  multi_ap: intKey('multi_ap', 0, 3, (c, v) => (c.bss.multiAp = v)),
  multi_ap_backhaul_ssid: ssidBytesKey('multi_ap_backhaul_ssid', (c, v) => (c.bss.multiApBackhaulSsid = v)),
  multi_ap_backhaul_wpa_passphrase: passphraseKey('multi_ap_backhaul_wpa_passphrase', (c, v) => {
    c.bss.multiApBackhaulWpaPassphrase = v;
    delete c.bss.multiApBackhaulWpaPsk;
  }),
  multi_ap_backhaul_wpa_psk: pskKey('multi_ap_backhaul_wpa_psk', (c, v) => {
    c.bss.multiApBackhaulWpaPsk = v;
    delete c.bss.multiApBackhaulWpaPassphrase;
  }),
  wps_rf_bands: (ctx, value) => {
    const bands: Record<string, number> = {
      ad: WpsRfBand.Ghz60,
      a: WpsRfBand.Ghz50,
      g: WpsRfBand.Ghz24,
      b: WpsRfBand.Ghz24,
      ag: WpsRfBand.Ghz24 | WpsRfBand.Ghz50,
      ga: WpsRfBand.Ghz24 | WpsRfBand.Ghz50,
    };
    const b = Object.hasOwn(bands, value) ? bands[value] : undefined;
    if (b === undefined) {
      err(ctx, `invalid wps_rf_bands '${value}' (must be a, b, g, ag, ga or ad)`);
      return;
    }
    ctx.bss.wpsRfBands = b;
  },
  logger_stdout: intKey('logger_stdout', -0x80000000, 0x7fffffff, (c, v) => (c.bss.loggerStdout = v >>> 0)),
  logger_stdout_level: intKey('logger_stdout_level', 0, 4, (c, v) => (c.bss.loggerStdoutLevel = v)),
  bss: (ctx, value) => {
    if (value === '' || value.length > IFNAME_MAX_LEN || /[\s/]/.test(value)) {
      err(ctx, `invalid bss '${value}' (must be an interface name of 1..${IFNAME_MAX_LEN} characters)`);
      return;
    }
    const nb = defaultBss(value, ctx.line);
    ctx.conf.bss.push(nb);
  },
};

/** Applies one key; returns false when the key is unknown. */
export function applyHostapdKey(ctx: KeyContext, key: string, value: string): boolean {
  const h = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
  if (!h) return false;
  h(ctx, value);
  return true;
}
