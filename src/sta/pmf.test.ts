import { describe, expect, it } from 'vitest';
import { KeyMgmt } from '../conf/values.js';
import { ElementId } from '../radio/elements.js';
import { rsnElement, RsnCapability, wpa2PersonalRsn } from '../radio/rsn-ie.js';
import { WPA_PROTO_RSN, WPA_PROTO_WPA } from './config-network.js';
import { MgmtFrameProtection, pmfSkipReason, ssidPmf } from './pmf.js';

const psk = { keyMgmt: KeyMgmt.PSK, proto: WPA_PROTO_RSN | WPA_PROTO_WPA };
const rsn = (capabilities: number) => [rsnElement({ ...wpa2PersonalRsn(), capabilities })];

describe('wpas_get_ssid_pmf without BIP', () => {
  it('follows ieee80211w when set, else the global pmf: pmf=1 is dropped, non-RSN networks never take the default', () => {
    expect(ssidPmf({ ieee80211w: 1, keyMgmt: KeyMgmt.PSK }, 0)).toBe(MgmtFrameProtection.Optional);
    expect(ssidPmf({ ieee80211w: 2, keyMgmt: KeyMgmt.PSK }, 0)).toBe(MgmtFrameProtection.Required);
    expect(ssidPmf({ ieee80211w: 0, keyMgmt: KeyMgmt.PSK }, 2)).toBe(MgmtFrameProtection.No);
    expect(ssidPmf({ ieee80211w: 3, keyMgmt: KeyMgmt.PSK }, 1)).toBe(MgmtFrameProtection.No);
    expect(ssidPmf({ ieee80211w: 3, keyMgmt: KeyMgmt.PSK }, 2)).toBe(MgmtFrameProtection.Required);
    expect(ssidPmf({ ieee80211w: 3, keyMgmt: KeyMgmt.NONE }, 2)).toBe(MgmtFrameProtection.No);
    expect(ssidPmf({ ieee80211w: 3, keyMgmt: KeyMgmt.NONE | KeyMgmt.WPS }, 2)).toBe(MgmtFrameProtection.No);
  });
});

describe('the PMF checks of wpa_scan_res_match without BIP', () => {
  it('skips an MFPR AP unless PMF is off and it is not required; required skips every BSS', () => {
    expect(pmfSkipReason({ ...psk, ieee80211w: 0 }, 0, rsn(RsnCapability.MFPC))).toBeUndefined();
    expect(pmfSkipReason({ ...psk, ieee80211w: 1 }, 0, rsn(RsnCapability.MFPC))).toBeUndefined();
    expect(pmfSkipReason({ ...psk, ieee80211w: 1 }, 0, rsn(RsnCapability.MFPC | RsnCapability.MFPR))).toBe('   skip RSN IE - no mgmt frame protection enabled but AP requires it');
    expect(pmfSkipReason({ ...psk, ieee80211w: 0 }, 0, rsn(RsnCapability.MFPC | RsnCapability.MFPR))).toBe('   skip RSN IE - no mgmt frame protection enabled but AP requires it');
    expect(pmfSkipReason({ ...psk, ieee80211w: 2 }, 0, rsn(0))).toBe('   skip RSN IE - no mgmt frame protection');
    expect(pmfSkipReason({ ...psk, ieee80211w: 2 }, 0, rsn(RsnCapability.MFPC))).toBe('   skip RSN IE - no mgmt frame protection');
    expect(pmfSkipReason({ ...psk, ieee80211w: 2 }, 0, [])).toBe('   skip - MFP Required but network not MFP Capable (WPA, OSEN failed, and Not OWE)');
    expect(pmfSkipReason({ ...psk, ieee80211w: 3 }, 0, [])).toBeUndefined();
  });

  it('an RSN element that does not parse is no RSN match', () => {
    expect(pmfSkipReason({ ...psk, ieee80211w: 1 }, 0, [{ id: ElementId.RSN, data: Uint8Array.of(1) }])).toBeUndefined();
    expect(pmfSkipReason({ ...psk, ieee80211w: 2 }, 0, [{ id: ElementId.RSN, data: Uint8Array.of(1) }])).toContain('MFP Required');
  });
});
