/**
 * The AP's UPnP WFADevice:1 on `upnp_iface`: description and SCPD over HTTP,
 * SOAP control of WFAWLANConfig:1, GENA eventing of WLANEvent / APStatus /
 * STAStatus, and SSDP announcements, all bound to that interface's address
 * only (hostapd's upnp_wps_device_init).
 *
 * API:
 *   new WfaDevice(opts: WfaDeviceOptions)
 *     .start(): Promise<void>  .stop(): Promise<void>   (stop sends ssdp:byebye)
 *     .location                 http://addr:port/wps_device.xml
 *     .publishWlanEvent(type, mac, message) / .publishApStatus(value)
 *     .isSubscriber(address)  .subscriberCount  .maxSubscribers
 *     onSubscriptionEnded(address) (option): an event subscription ended
 *   buildWfaDeviceDescription(strings, uuid): string
 *   WFA_HTTP_PORT (hostapd: 49152), WFA_SERVER
 */
import type { ServerResponse } from 'node:http';
import { Logger, silentLogger } from '../common/log.js';
import { buildDeviceDescription } from '../upnp/description.js';
import { GENA_MAX_SUBSCRIBERS, GenaPublisher, type CallbackPolicy } from '../upnp/gena-publisher.js';
import { UpnpHttpServer, sendBody } from '../upnp/http-server.js';
import type { InterfaceAddress } from '../upnp/net-address.js';
import { soapControlHandler, type SoapService } from '../upnp/soap-server.js';
import { SsdpAdvertiser } from '../upnp/ssdp-advertiser.js';
import { AttributeType, attrBytes, attrU8, encodeAttributes } from '../wps/attributes.js';
import { MessageType, WPS_VERSION } from '../wps/values.js';
import { buildWfaExtension } from '../wps/vendor-ext.js';
import { base64Lines } from '../wfa/base64-lines.js';
import { WFA_DEVICE_TYPE, WFA_PATHS, WFA_SERVICE_ID, WFA_SERVICE_TYPE, buildWfaScpd } from '../wfa/service.js';
import { WlanEventType, buildWlanEvent, encodeWlanEvent } from '../wfa/wlan-event.js';

/** hostapd's first choice of HTTP port; another is taken when it is busy. */
export const WFA_HTTP_PORT = 49152;
/** SERVER / Server value, as hostapd sends it (OS, UPnP version, product). */
export const WFA_SERVER = 'Unspecified, UPnP/1.0, Unspecified';
/** hostapd: CACHE-CONTROL max-age=1801 in its NOTIFYs. */
export const WFA_SSDP_MAX_AGE_SEC = 1801;
/** APStatus bits: hostapd sends 1 (configuration changed); the AP PIN lockout adds "setup locked". */
export const ApStatus = { ConfigurationChanged: 0x01, SetupLocked: 0x10 } as const;

export interface WfaDeviceStrings {
  friendlyName?: string;
  manufacturer?: string;
  manufacturerUrl?: string;
  modelDescription?: string;
  modelName?: string;
  modelNumber?: string;
  modelUrl?: string;
  serialNumber?: string;
  upc?: string;
}

/** hostapd format_wps_device_xml: required fields get defaults, optional ones only when configured. */
export function buildWfaDeviceDescription(s: WfaDeviceStrings, uuid: string): string {
  return buildDeviceDescription({
    deviceType: WFA_DEVICE_TYPE,
    friendlyName: s.friendlyName !== undefined && s.friendlyName !== '' ? s.friendlyName : 'WPS Access Point',
    manufacturer: s.manufacturer ?? '',
    ...(s.manufacturerUrl !== undefined ? { manufacturerURL: s.manufacturerUrl } : {}),
    ...(s.modelDescription !== undefined ? { modelDescription: s.modelDescription } : {}),
    modelName: s.modelName ?? '',
    ...(s.modelNumber !== undefined ? { modelNumber: s.modelNumber } : {}),
    ...(s.modelUrl !== undefined ? { modelURL: s.modelUrl } : {}),
    ...(s.serialNumber !== undefined ? { serialNumber: s.serialNumber } : {}),
    UDN: `uuid:${uuid}`,
    ...(s.upc !== undefined ? { UPC: s.upc } : {}),
    serviceList: [
      { serviceType: WFA_SERVICE_TYPE, serviceId: WFA_SERVICE_ID, SCPDURL: WFA_PATHS.scpd, controlURL: WFA_PATHS.control, eventSubURL: WFA_PATHS.event },
    ],
  });
}

/** The stub initial WLANEvent hostapd sends before any real one: a WSC_ACK with zero nonces from 00:00:00:00:00:00. */
export function fakeInitialWlanEvent(): Buffer {
  const ack = encodeAttributes([
    attrU8(AttributeType.Version, WPS_VERSION),
    attrU8(AttributeType.MessageType, MessageType.WscAck),
    attrBytes(AttributeType.EnrolleeNonce, Buffer.alloc(16)),
    attrBytes(AttributeType.RegistrarNonce, Buffer.alloc(16)),
    buildWfaExtension({ version2: 0x20 }),
  ]);
  return encodeWlanEvent(WlanEventType.Eap, Buffer.alloc(6), ack);
}

export interface WfaDeviceOptions {
  iface: InterfaceAddress;
  uuid: string;
  strings: WfaDeviceStrings;
  service: SoapService;
  /** HTTP port; WFA_HTTP_PORT (then any free one) unless given. */
  httpPort?: number;
  /** SSDP port (tests); 1900 by default. */
  ssdpPort?: number;
  callbackPolicy?: CallbackPolicy;
  maxSubscribers?: number;
  maxConnections?: number;
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Told when an event subscription ends (its address may hold others). */
  onSubscriptionEnded?: (remoteAddress: string) => void;
  logger?: Logger;
}

export class WfaDevice {
  private readonly log: Logger;
  private http: UpnpHttpServer | undefined;
  private gena: GenaPublisher | undefined;
  private ssdp: SsdpAdvertiser | undefined;
  private lastWlanEvent: string | undefined;
  private apStatus: number = ApStatus.ConfigurationChanged;
  private loc = '';

  constructor(private readonly opts: WfaDeviceOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  get location(): string {
    return this.loc;
  }

  get baseUrl(): string {
    return this.http?.baseUrl ?? '';
  }

  private newHttp(port: number): UpnpHttpServer {
    const o = this.opts;
    return new UpnpHttpServer({
      host: o.iface.address,
      port,
      serverHeader: WFA_SERVER,
      // hostapd serves one request per connection (Connection: close); so does this device.
      closeEachConnection: true,
      logger: this.log,
      ...(o.maxConnections !== undefined ? { maxConnections: o.maxConnections } : {}),
      ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
      ...(o.maxHeaderBytes !== undefined ? { maxHeaderBytes: o.maxHeaderBytes } : {}),
      ...(o.headersTimeoutMs !== undefined ? { headersTimeoutMs: o.headersTimeoutMs } : {}),
      ...(o.requestTimeoutMs !== undefined ? { requestTimeoutMs: o.requestTimeoutMs } : {}),
    });
  }

  private mount(http: UpnpHttpServer, gena: GenaPublisher): void {
    const o = this.opts;
    const description = buildWfaDeviceDescription(o.strings, o.uuid);
    const scpd = buildWfaScpd();
    const xml = (body: string) => {
      const bytes = Buffer.from(body, 'utf8');
      // hostapd's exact Content-Type, quoted charset included.
      return (_req: unknown, res: ServerResponse) => sendBody(res, 200, 'text/xml; charset="utf-8"', bytes);
    };
    http.route('GET', `/${WFA_PATHS.description}`, xml(description));
    http.route('GET', `/${WFA_PATHS.scpd}`, xml(scpd));
    http.route('POST', `/${WFA_PATHS.control}`, soapControlHandler(o.service, { logger: this.log }));
    gena.mount(http, `/${WFA_PATHS.event}`);
  }

  async start(): Promise<void> {
    const o = this.opts;
    const gena = new GenaPublisher({
      initialState: () => this.initialState(),
      serverHeader: WFA_SERVER,
      logger: this.log,
      ...(o.callbackPolicy !== undefined ? { callbackPolicy: o.callbackPolicy } : {}),
      ...(o.maxSubscribers !== undefined ? { maxSubscribers: o.maxSubscribers } : {}),
      subnetPrefixLength: o.iface.prefixLength,
      ...(o.onSubscriptionEnded !== undefined ? { onDropped: (s: { remoteAddress: string }) => o.onSubscriptionEnded?.(s.remoteAddress) } : {}),
    });
    let http = this.newHttp(o.httpPort ?? WFA_HTTP_PORT);
    this.mount(http, gena);
    try {
      await http.start();
    } catch (e) {
      if (o.httpPort !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
        gena.close();
        throw e;
      }
      // hostapd tries the next ports; any free one will do.
      http = this.newHttp(0);
      this.mount(http, gena);
      await http.start();
    }
    this.http = http;
    this.gena = gena;
    this.loc = `${http.baseUrl}/${WFA_PATHS.description}`;
    this.ssdp = new SsdpAdvertiser({
      location: this.loc,
      udn: `uuid:${o.uuid}`,
      deviceType: WFA_DEVICE_TYPE,
      serviceTypes: [WFA_SERVICE_TYPE],
      server: WFA_SERVER,
      iface: o.iface,
      maxAgeSec: WFA_SSDP_MAX_AGE_SEC,
      logger: this.log,
      ...(o.ssdpPort !== undefined ? { port: o.ssdpPort } : {}),
    });
    await this.ssdp.start();
    this.log.debug(`WPS UPnP: device ${o.uuid} at ${this.loc}`);
  }

  async stop(): Promise<void> {
    const ssdp = this.ssdp;
    this.ssdp = undefined;
    if (ssdp) await ssdp.stop().catch((e: Error) => this.log.debug(`ssdp: stop: ${e.message}`));
    this.gena?.close();
    this.gena = undefined;
    const http = this.http;
    this.http = undefined;
    if (http) await http.close();
  }

  isSubscriber(address: string): boolean {
    return this.gena?.subscribers().some((s) => s.remoteAddress === address) ?? false;
  }

  /** How many event subscriptions the device takes at once. */
  get maxSubscribers(): number {
    return this.opts.maxSubscribers ?? GENA_MAX_SUBSCRIBERS;
  }

  get subscriberCount(): number {
    return this.gena?.subscriberCount ?? 0;
  }

  private initialState(): Record<string, string> {
    this.lastWlanEvent ??= base64Lines(fakeInitialWlanEvent());
    return { STAStatus: '1', APStatus: String(this.apStatus), WLANEvent: this.lastWlanEvent };
  }

  /** Proxies a station's probe request or EAP message to every subscribed ER (WLANEvent). */
  publishWlanEvent(type: WlanEventType, mac: Uint8Array, message: Uint8Array): void {
    const value = buildWlanEvent(type, mac, message);
    this.lastWlanEvent = value;
    this.gena?.publish({ WLANEvent: value });
  }

  publishApStatus(value: number): void {
    this.apStatus = value;
    this.gena?.publish({ APStatus: String(value) });
  }
}
