/**
 * Every parser that takes bytes or text from outside, as a fuzz target: a
 * name, the input's form, a few valid seed inputs to mutate, and a run
 * function. A typed error (a subclass of Error with its own name) is a
 * refusal, which is what a parser should do with junk; anything else thrown
 * (TypeError, RangeError, a bare Error, a non-Error) is a crash.
 */
import { parseAttributes, encodeAttributes, attrU8, attrBytes, attrString, AttributeType } from '../src/wps/attributes.js';
import { parseMessage } from '../src/wps/message.js';
import { decodeAttributes } from '../src/wps/decode.js';
import { parseDecodeInput } from '../src/decode/decode-command.js';
import { parseCredentials, parseApSettings } from '../src/wps/credential.js';
import { parseWfaExtension, parseWfaSubelements } from '../src/wps/vendor-ext.js';
import { parseEapWsc, parseEapHeader, Reassembler } from '../src/wps/eap-wsc.js';
import { parseFrame } from '../src/radio/frame.js';
import { parseElements } from '../src/radio/elements.js';
import { parseEapol } from '../src/radio/eapol.js';
import { parseRsnElement } from '../src/radio/rsn-ie.js';
import { buildEapolKey, emptyEapolKey, parseEapolKey } from '../src/radio/wpa/key-frame.js';
import { parseKeyData } from '../src/radio/wpa/key-data.js';
import { parseWpaPskFile } from '../src/ap/wpa-psk-file.js';
import { parseMultiApPayload } from '../src/radio/multi-ap-ie.js';
import { decodeMessage } from '../src/radio/sim/protocol.js';
import { parseNetlinkMessages } from '../src/radio/nl80211/netlink-message.js';
import { parseSsdpMessage, parseMaxAge } from '../src/upnp/ssdp-message.js';
import { parsePropertySet, parseCallbackHeader, parseSidHeader, parseTimeoutHeader } from '../src/upnp/gena-headers.js';
import { parseSoapRequest, parseSoapResponse } from '../src/upnp/soap.js';
import { parseDeviceDescription } from '../src/upnp/description.js';
import { decodeBase64 } from '../src/upnp/base64.js';
import { checkApDescription } from '../src/er/description-check.js';
import { parseWlanEvent, parseWlanEventBytes } from '../src/wfa/wlan-event.js';
import { parseWlanEventMac, parseWlanEventType } from '../src/wfa/wlan-event-mac.js';
import { parseProxiedTlvs } from '../src/er/enrollee-table.js';
import { parseSetSelectedRegistrar } from '../src/wfa/set-selected-registrar.js';
import { parseRequest } from '../src/ctrl/request.js';
import { parseEvent } from '../src/ctrl/client.js';
import { decodeWireHex } from '../src/ctrl/wire-hex.js';
import { parseHostapdConfig } from '../src/ap/config.js';
import { parseWpaSupplicantConfig } from '../src/sta/config.js';
import { parseNdefMessage, wrapWscNdef } from '../src/wps/nfc/ndef.js';
import { ndefParts } from '../src/wps/nfc/nfc-envelope.js';
import { buildConfigToken, buildHandoverRequest, buildHandoverSelect, buildPasswordToken, readHandoverCarrier, readNfcTag, readNfcTagHex } from '../src/wps/nfc/nfc-token.js';
import { parseOobDevicePassword } from '../src/wps/nfc/oob-device-password.js';
import { parseHandoverReport, readHandoverRequest, readHandoverSelect } from '../src/wps/nfc/handover.js';
import { parseCredential } from '../src/wps/credential.js';

export interface FuzzTarget {
  name: string;
  /** Largest input the harness makes (the parser's own limit, or a little above it). */
  maxBytes: number;
  seeds: Buffer[];
  run(input: Buffer): void;
}

/** Errors JavaScript itself throws for programming mistakes: never a parser's refusal. */
const BUILTIN_ERRORS = new Set<unknown>([Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError, AggregateError]);

/** True when `e` is a typed refusal (the parser's own error class), false for a crash. */
export function isTypedRefusal(e: unknown): boolean {
  return e instanceof Error && !BUILTIN_ERRORS.has(e.constructor);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');

const ATTRS = encodeAttributes([
  attrU8(AttributeType.Version, 0x10),
  attrU8(AttributeType.MessageType, 0x04),
  attrBytes(AttributeType.UuidE, Buffer.alloc(16, 0x11)),
  attrBytes(AttributeType.MacAddress, Buffer.from('020000000001', 'hex')),
  attrBytes(AttributeType.EnrolleeNonce, Buffer.alloc(16, 0x22)),
  attrString(AttributeType.DeviceName, 'AP'),
  attrBytes(AttributeType.VendorExtension, hex('00372a000120 0601ff')),
]);
const CREDENTIAL = encodeAttributes([
  attrBytes(
    AttributeType.Credential,
    encodeAttributes([
      attrU8(AttributeType.NetworkIndex, 1),
      attrString(AttributeType.Ssid, 'net'),
      attrBytes(AttributeType.AuthenticationType, hex('0020')),
      attrBytes(AttributeType.EncryptionType, hex('0008')),
      attrString(AttributeType.NetworkKey, '12345678'),
      attrBytes(AttributeType.MacAddress, Buffer.from('020000000001', 'hex')),
    ]),
  ),
]);
const EAP_WSC = Buffer.concat([hex('01 07 0012 fe 00372a 00000001 04 00'), ATTRS.subarray(0, 6)]);
const SSDP_SEARCH = text('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n');
const SSDP_NOTIFY = text(
  'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: http://169.254.1.1:49152/wps_device.xml\r\n' +
    'NT: urn:schemas-wifialliance-org:device:WFADevice:1\r\nNTS: ssdp:alive\r\nSERVER: Linux UPnP/1.0 wpsd/0.1\r\nUSN: uuid:12345678-9abc-def0-1234-56789abcdef0::urn:schemas-wifialliance-org:device:WFADevice:1\r\n\r\n',
);
const PROPSET = text('<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><WLANEvent>AQIAAAAAAAAA</WLANEvent></e:property></e:propertyset>');
const SOAP_REQ = text(
  '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    '<u:PutMessage xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1"><NewInMessage>EEoAARA=</NewInMessage></u:PutMessage></s:Body></s:Envelope>',
);
const SOAP_ACTION = '"urn:schemas-wifialliance-org:service:WFAWLANConfig:1#PutMessage"';
const SOAP_RESP = text(
  '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetDeviceInfoResponse xmlns:u="urn:schemas-wifialliance-org:service:WFAWLANConfig:1">' +
    '<NewDeviceInfo>EEoAARA=</NewDeviceInfo></u:GetDeviceInfoResponse></s:Body></s:Envelope>',
);
const DESCRIPTION = text(
  '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>' +
    '<deviceType>urn:schemas-wifialliance-org:device:WFADevice:1</deviceType><friendlyName>AP</friendlyName><manufacturer>m</manufacturer><modelName>n</modelName>' +
    '<UDN>uuid:12345678-9abc-def0-1234-56789abcdef0</UDN><serviceList><service><serviceType>urn:schemas-wifialliance-org:service:WFAWLANConfig:1</serviceType>' +
    '<serviceId>urn:wifialliance-org:serviceId:WFAWLANConfig1</serviceId><SCPDURL>wps_scpd.xml</SCPDURL><controlURL>wps_control</controlURL><eventSubURL>wps_event</eventSubURL></service></serviceList></device></root>',
);
const WLAN_EVENT = Buffer.concat([Buffer.from([1]), text('02:00:00:00:00:01'), ATTRS]);
const SEL_REG = encodeAttributes([
  attrU8(AttributeType.Version, 0x10),
  attrU8(AttributeType.SelectedRegistrar, 1),
  attrBytes(AttributeType.DevicePasswordId, hex('0000')),
  attrBytes(AttributeType.SelectedRegistrarConfigMethods, hex('0108')),
  attrBytes(AttributeType.UuidR, Buffer.alloc(16, 3)),
]);
const HOSTAPD_CONF = text('interface=wlan0\ndriver=none\nctrl_interface=/run/wpsd\nssid=test\nwpa=2\nwpa_key_mgmt=WPA-PSK\nrsn_pairwise=CCMP\nwpa_passphrase=12345678\neap_server=1\nwps_state=2\nap_pin=12345670\nupnp_iface=lo\n');
const WPA_CONF = text('ctrl_interface=/run/wpsd\nupdate_config=1\nuuid=12345678-9abc-def0-1234-56789abcdef0\nnetwork={\n\tssid="x"\n\tpsk="12345678"\n}\n');
const BEACON = Buffer.concat([hex('8000 0000 ffffffffffff 020000000001 020000000001 0000'), hex('0000000000000000 6400 1104'), hex('0004 74657374 dd0e 0050f204 104a0001 10 1044000102')]);
const NETLINK = hex('14000000 0200 0000 01000000 00000000 00000000');

// NFC: a password token, a configuration token and handover carriers as the daemons print them (a fixed stand-in public key).
const NFC_PUBKEY = Buffer.alloc(192, 0x5a);
const NFC_PW_TOKEN = buildPasswordToken({ passwordId: 0x1234, publicKey: NFC_PUBKEY, password: Buffer.alloc(32, 0x33) });
const NFC_CONFIG_TOKEN = buildConfigToken(parseCredential(CREDENTIAL.subarray(4)), { rfBands: 1, apChannel: 6, macAddress: Buffer.from('020000000001', 'hex') });
const NFC_HS_REQ = wrapWscNdef(buildHandoverRequest({ publicKey: NFC_PUBKEY, uuidE: Buffer.alloc(16, 0x11) }));
const NFC_HS_SEL_CARRIER = buildHandoverSelect({ publicKey: NFC_PUBKEY, ssid: text('net'), rfBands: 1, apChannel: 6, macAddress: Buffer.from('020000000001', 'hex') });
const NFC_HS_SEL = wrapWscNdef(NFC_HS_SEL_CARRIER);
const hexText = (b: Buffer): Buffer => text(b.toString('hex').toUpperCase());

export const FUZZ_TARGETS: FuzzTarget[] = [
  { name: 'wps-attributes', maxBytes: 50_000, seeds: [ATTRS, CREDENTIAL], run: (b) => void parseAttributes(b) },
  { name: 'wps-attributes-workarounds', maxBytes: 50_000, seeds: [ATTRS, CREDENTIAL, Buffer.concat([ATTRS, Buffer.alloc(64)])], run: (b) => void parseAttributes(b, { workarounds: true }) },
  { name: 'wps-message', maxBytes: 50_000, seeds: [ATTRS], run: (b) => void parseMessage(b) },
  { name: 'wps-decode', maxBytes: 50_000, seeds: [ATTRS, CREDENTIAL], run: (b) => void decodeAttributes(b) },
  { name: 'wps-decode-input', maxBytes: 16_384, seeds: [text(ATTRS.toString('hex')), text(ATTRS.toString('base64')), text('WPS-ER-AP-ADD 12345678-9abc-def0-1234-56789abcdef0')], run: (b) => void parseDecodeInput(b.toString('latin1')) },
  { name: 'wps-credentials', maxBytes: 8192, seeds: [CREDENTIAL], run: (b) => void parseCredentials(b) },
  { name: 'wps-ap-settings', maxBytes: 8192, seeds: [CREDENTIAL.subarray(4)], run: (b) => void parseApSettings(b) },
  { name: 'wps-vendor-ext', maxBytes: 4096, seeds: [hex('00372a 000120 0601ff 0204 0000')], run: (b) => void parseWfaExtension(b) },
  { name: 'wps-wfa-subelements', maxBytes: 4096, seeds: [hex('000120 0601ff')], run: (b) => void parseWfaSubelements(b) },
  { name: 'eap-wsc', maxBytes: 65_535, seeds: [EAP_WSC], run: (b) => void parseEapWsc(b) },
  { name: 'eap-header', maxBytes: 65_535, seeds: [EAP_WSC, hex('02 01 0005 01')], run: (b) => void parseEapHeader(b) },
  {
    name: 'eap-wsc-reassembly',
    maxBytes: 65_535,
    seeds: [EAP_WSC],
    // The input is cut into fragments where it holds 0xfe, offered to one reassembler; whole messages are parsed as the radio path does.
    run: (b) => {
      const r = new Reassembler();
      let start = 0;
      for (let i = 0; i <= b.length; i++) {
        if (i === b.length || b[i] === 0xfe) {
          try {
            const out = r.push(parseEapWsc(b.subarray(start, i)));
            if (out.complete) parseAttributes(out.message, { workarounds: true });
          } catch (e) {
            if (!isTypedRefusal(e)) throw e;
          }
          start = i + 1;
        }
      }
    },
  },
  { name: '80211-frame', maxBytes: 4096, seeds: [BEACON], run: (b) => void parseFrame(b) },
  { name: '80211-elements', maxBytes: 4096, seeds: [BEACON.subarray(36)], run: (b) => void parseElements(b) },
  { name: 'eapol', maxBytes: 4096, seeds: [hex('0203005f02008a00100000000000000001'), hex('0100 0005 0201000501')], run: (b) => void parseEapol(b) },
  { name: 'rsn-ie', maxBytes: 512, seeds: [hex('0100 000fac04 0100 000fac04 0100 000fac02 0000')], run: (b) => void parseRsnElement(b) },
  { name: 'eapol-key', maxBytes: 2048, seeds: [Buffer.from(buildEapolKey(emptyEapolKey(2, 0x008a, 1n)))], run: (b) => void parseEapolKey(b) },
  { name: 'eapol-key-data', maxBytes: 1024, seeds: [hex('30140100000fac040100000fac040100000fac020000 dd16000fac010100 00112233445566778899aabbccddeeff dd00')], run: (b) => void parseKeyData(b) },
  { name: 'wpa-psk-file', maxBytes: 65_536, seeds: [text(`# psk\n00:00:00:00:00:00 ${'ab'.repeat(32)}\nkeyid=k vlanid=3 wps=1 02:00:00:00:00:01 a passphrase\n`)], run: (b) => void parseWpaPskFile(b.toString('utf8')) },
  { name: 'multi-ap', maxBytes: 512, seeds: [hex('0601 20')], run: (b) => void parseMultiApPayload(b) },
  { name: 'sim-medium', maxBytes: 8192, seeds: [Buffer.concat([hex('00000006'), text('{"a":1}')])], run: (b) => void decodeMessage(b) },
  { name: 'netlink', maxBytes: 65_536, seeds: [NETLINK], run: (b) => void parseNetlinkMessages(b) },
  { name: 'ssdp', maxBytes: 8192, seeds: [SSDP_SEARCH, SSDP_NOTIFY], run: (b) => void parseSsdpMessage(b) },
  { name: 'ssdp-max-age', maxBytes: 1024, seeds: [text('max-age=1800'), text('no-cache, max-age = 60')], run: (b) => void parseMaxAge(b.toString('latin1')) },
  { name: 'gena-propertyset', maxBytes: 70_000, seeds: [PROPSET], run: (b) => void parsePropertySet(b) },
  { name: 'gena-callback', maxBytes: 8192, seeds: [text('<http://169.254.1.2:49152/event/abc><http://169.254.1.2:2/x>')], run: (b) => void parseCallbackHeader(b.toString('latin1')) },
  { name: 'gena-sid', maxBytes: 1024, seeds: [text('uuid:12345678-9abc-def0-1234-56789abcdef0')], run: (b) => void parseSidHeader(b.toString('latin1')) },
  { name: 'gena-timeout', maxBytes: 1024, seeds: [text('Second-1800'), text('infinite')], run: (b) => void parseTimeoutHeader(b.toString('latin1'), 60, 86_400, 1800) },
  { name: 'soap-request', maxBytes: 70_000, seeds: [SOAP_REQ], run: (b) => void parseSoapRequest(b, SOAP_ACTION) },
  { name: 'soap-response', maxBytes: 70_000, seeds: [SOAP_RESP], run: (b) => void parseSoapResponse(b, 'GetDeviceInfo') },
  { name: 'upnp-description', maxBytes: 70_000, seeds: [DESCRIPTION], run: (b) => void parseDeviceDescription(b) },
  { name: 'er-description-check', maxBytes: 70_000, seeds: [DESCRIPTION], run: (b) => void checkApDescription(b, 'http://169.254.1.1:49152/wps_device.xml', '169.254.1.1') },
  { name: 'base64', maxBytes: 70_000, seeds: [text(ATTRS.toString('base64'))], run: (b) => void decodeBase64(b.toString('latin1'), 50_000) },
  { name: 'wlan-event-text', maxBytes: 70_000, seeds: [text(WLAN_EVENT.toString('base64'))], run: (b) => void parseWlanEvent(b.toString('latin1')) },
  { name: 'wlan-event', maxBytes: 50_000, seeds: [WLAN_EVENT], run: (b) => void parseWlanEventBytes(b) },
  {
    name: 'wlan-event-mac-and-type',
    maxBytes: 1024,
    seeds: [text('02:00:00:00:00:01'), text('1'), text('020000000001')],
    run: (b) => {
      parseWlanEventMac(b.toString('latin1'));
      parseWlanEventType(b.toString('latin1'));
    },
  },
  { name: 'er-proxied-tlvs', maxBytes: 50_000, seeds: [ATTRS], run: (b) => void parseProxiedTlvs(b) },
  { name: 'set-selected-registrar', maxBytes: 8192, seeds: [SEL_REG], run: (b) => void parseSetSelectedRegistrar(b) },
  { name: 'ctrl-request', maxBytes: 8192, seeds: [text('PING'), text('WPS_ER_LEARN 12345678-9abc-def0-1234-56789abcdef0 12345670'), text('IFNAME=wlan0 ATTACH probe_rx_events=1')], run: (b) => void parseRequest(b) },
  { name: 'ctrl-event', maxBytes: 8192, seeds: [text('<3>WPS-PBC-ACTIVE '), text('IFNAME=wlan0 <3>CTRL-EVENT-CONNECTED')], run: (b) => void parseEvent(b.toString('utf8')) },
  { name: 'ctrl-wire-hex', maxBytes: 8192, seeds: [text('746573742d777073')], run: (b) => void decodeWireHex(b.toString('latin1'), 1024) },
  { name: 'hostapd-conf', maxBytes: 65_536, seeds: [HOSTAPD_CONF], run: (b) => void parseHostapdConfig(b, 'fuzz.conf') },
  { name: 'wpa-supplicant-conf', maxBytes: 65_536, seeds: [WPA_CONF], run: (b) => void parseWpaSupplicantConfig(b, 'fuzz.conf') },
  { name: 'nfc-ndef', maxBytes: 50_000, seeds: [wrapWscNdef(NFC_PW_TOKEN), NFC_HS_SEL], run: (b) => void parseNdefMessage(b) },
  { name: 'nfc-ndef-parts', maxBytes: 50_000, seeds: [wrapWscNdef(NFC_CONFIG_TOKEN), NFC_HS_REQ], run: (b) => void ndefParts(b) },
  { name: 'nfc-oob-device-password', maxBytes: 512, seeds: [NFC_PW_TOKEN.subarray(4, 4 + NFC_PW_TOKEN.readUInt16BE(2))], run: (b) => void parseOobDevicePassword(b) },
  { name: 'nfc-tag', maxBytes: 50_000, seeds: [NFC_PW_TOKEN, NFC_CONFIG_TOKEN, wrapWscNdef(NFC_PW_TOKEN), wrapWscNdef(NFC_CONFIG_TOKEN)], run: (b) => void readNfcTag(b) },
  // wps_nfc_tag_read's argument: hex text, raw WSC or an NDEF message.
  { name: 'nfc-tag-hex', maxBytes: 16_384, seeds: [hexText(NFC_PW_TOKEN), hexText(wrapWscNdef(NFC_CONFIG_TOKEN))], run: (b) => void readNfcTagHex(b.toString('latin1')) },
  { name: 'nfc-handover-carrier', maxBytes: 50_000, seeds: [NFC_HS_REQ, NFC_HS_SEL, NFC_HS_SEL_CARRIER], run: (b) => void readHandoverCarrier(b) },
  {
    name: 'nfc-report-handover',
    maxBytes: 16_384,
    seeds: [text(`RESP WPS ${hexText(NFC_HS_REQ).toString()} ${hexText(NFC_HS_SEL).toString()}`), text(`INIT WPS ${hexText(NFC_HS_REQ).toString()} ${hexText(NFC_HS_SEL).toString()}`)],
    // nfc_report_handover's words, then both records read as the AP and the station read them.
    run: (b) => {
      const r = parseHandoverReport(b.toString('latin1').split(' '));
      try {
        readHandoverRequest(r.request);
      } catch (e) {
        if (!isTypedRefusal(e)) throw e;
      }
      readHandoverSelect(r.select);
    },
  },
];
