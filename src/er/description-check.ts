/**
 * What the External Registrar accepts as an AP's device description: a
 * WFADevice with a uuid: UDN and a WFAWLANConfig service whose control and
 * event URLs point at the address the AP advertised from, as IP literals.
 * wpa_supplicant follows any URL the description names; refusing other hosts
 * and DNS names keeps a hostile description from steering our requests
 * elsewhere (or making us resolve names).
 */
import net from 'node:net';
import { DescriptionError, findService, parseDeviceDescription, resolveDescriptionUrl } from '../upnp/description.js';
import { WFA_DEVICE_TYPE, WFA_SERVICE_TYPE } from '../wfa/service.js';
import { parseUuid } from '../wps/device.js';
import { WpsdError } from '../common/errors.js';

export type DescriptionCheckErrorCode =
  | 'MALFORMED'
  | 'NOT_WFA_DEVICE'
  | 'BAD_UDN'
  | 'NO_WFA_SERVICE'
  | 'BAD_URL'
  | 'FOREIGN_HOST'
  | 'HOSTNAME';

export class DescriptionCheckError extends WpsdError<DescriptionCheckErrorCode> {}

export interface ApDescription {
  uuid: Buffer;
  friendlyName: string;
  manufacturer: string;
  manufacturerUrl?: string;
  modelDescription?: string;
  modelName: string;
  modelNumber?: string;
  modelUrl?: string;
  serialNumber?: string;
  upc?: string;
  controlUrl: string;
  eventSubUrl: string;
}

/** Host of an http: URL as an IP literal equal to `address`, else DescriptionCheckError. */
export function checkUrlHost(url: string, address: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DescriptionCheckError('BAD_URL', `${what} "${url}" is not a URL`);
  }
  if (u.protocol !== 'http:') throw new DescriptionCheckError('BAD_URL', `${what} "${url}" is not http:`);
  if (u.username !== '' || u.password !== '') throw new DescriptionCheckError('BAD_URL', `${what} "${url}" carries credentials`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (net.isIP(host) === 0) throw new DescriptionCheckError('HOSTNAME', `${what} "${url}" names a host instead of an IP address`);
  if (host !== address) throw new DescriptionCheckError('FOREIGN_HOST', `${what} "${url}" is not on the AP's address ${address}`);
  return u;
}

/**
 * Parses and checks the description fetched from `location`, advertised over
 * SSDP from `address`. Throws DescriptionCheckError.
 */
export function checkApDescription(body: string | Uint8Array, location: string, address: string): ApDescription {
  checkUrlHost(location, address, 'LOCATION');
  let doc;
  try {
    doc = parseDeviceDescription(body);
  } catch (e) {
    if (e instanceof DescriptionError) throw new DescriptionCheckError('MALFORMED', e.message.startsWith('device description') ? e.message : `device description: ${e.message}`);
    throw e;
  }
  if (doc.deviceType.toLowerCase() !== WFA_DEVICE_TYPE.toLowerCase()) {
    throw new DescriptionCheckError('NOT_WFA_DEVICE', `deviceType "${doc.deviceType}" is not WFADevice:1`);
  }
  let uuid: Buffer;
  try {
    uuid = parseUuid(doc.UDN.slice('uuid:'.length));
  } catch {
    throw new DescriptionCheckError('BAD_UDN', `UDN "${doc.UDN}" does not hold a UUID`);
  }
  const svc = findService(doc, WFA_SERVICE_TYPE);
  if (svc === undefined) throw new DescriptionCheckError('NO_WFA_SERVICE', 'no WFAWLANConfig:1 service in the description');
  const resolve = (rel: string, what: string): string => {
    let abs: string;
    try {
      abs = resolveDescriptionUrl(doc, rel, location);
    } catch (e) {
      throw new DescriptionCheckError('BAD_URL', `${what}: ${(e as Error).message}`);
    }
    return checkUrlHost(abs, address, what).href;
  };
  const out: ApDescription = {
    uuid,
    friendlyName: doc.friendlyName,
    manufacturer: doc.manufacturer,
    modelName: doc.modelName,
    controlUrl: resolve(svc.controlURL, 'controlURL'),
    eventSubUrl: resolve(svc.eventSubURL, 'eventSubURL'),
  };
  if (doc.manufacturerURL !== undefined) out.manufacturerUrl = doc.manufacturerURL;
  if (doc.modelDescription !== undefined) out.modelDescription = doc.modelDescription;
  if (doc.modelNumber !== undefined) out.modelNumber = doc.modelNumber;
  if (doc.modelURL !== undefined) out.modelUrl = doc.modelURL;
  if (doc.serialNumber !== undefined) out.serialNumber = doc.serialNumber;
  if (doc.UPC !== undefined) out.upc = doc.UPC;
  return out;
}
