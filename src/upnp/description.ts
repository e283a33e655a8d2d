/**
 * UPnP root device description documents (UDA 1.0 section 2.1): a builder for
 * the device side and a strict, bounded parser for control points.
 *
 * API:
 *   buildDeviceDescription(doc: DeviceDescription): string
 *   parseDeviceDescription(xml, { maxBytes? }): DeviceDescription   throws DescriptionError
 *   resolveDescriptionUrl(doc, relative, location): string           absolute URL of SCPD/control/event
 *   findService(doc, serviceType): ServiceDescription | undefined    (same or higher version)
 *   MAX_DESCRIPTION_BYTES
 *
 * The parser is total: it returns a fully populated object or throws; fields
 * UDA marks REQUIRED must be present (deviceType, friendlyName, manufacturer,
 * modelName, UDN, and for every service all five elements). Only the root
 * device is read; embedded devices are ignored.
 */
import { splitTypeVersion } from './urn-type.js';
import { XmlError, isXmlSafeText, parseXmlBounded, textOf, childOf, xmlEscape, type XmlNode } from './xml.js';
import { WpsdError } from '../common/errors.js';

export const MAX_DESCRIPTION_BYTES = 64 * 1024;
/** More services than this in one device is not a real device. */
export const MAX_SERVICES = 32;

export type DescriptionErrorCode = 'TOO_LARGE' | 'MALFORMED' | 'MISSING_FIELD' | 'INVALID_FIELD';

export class DescriptionError extends WpsdError<DescriptionErrorCode> {}

export interface ServiceDescription {
  serviceType: string;
  serviceId: string;
  SCPDURL: string;
  controlURL: string;
  eventSubURL: string;
}

export interface DeviceDescription {
  /** UDA 1.0: omitted when undefined; relative URLs then resolve against the description's location. */
  URLBase?: string;
  deviceType: string;
  friendlyName: string;
  manufacturer: string;
  manufacturerURL?: string;
  modelDescription?: string;
  modelName: string;
  modelNumber?: string;
  modelURL?: string;
  serialNumber?: string;
  /** "uuid:..." */
  UDN: string;
  UPC?: string;
  serviceList: ServiceDescription[];
}

const OPTIONAL_DEVICE_FIELDS = ['manufacturerURL', 'modelDescription', 'modelNumber', 'modelURL', 'serialNumber'] as const;

function element(name: string, value: string, indent: string): string {
  if (!isXmlSafeText(value)) throw new DescriptionError('INVALID_FIELD', `${name}: contains characters not allowed in XML`);
  return `${indent}<${name}>${xmlEscape(value)}</${name}>\n`;
}

/** Builds the description in the element order of UDA 1.0 2.1. */
export function buildDeviceDescription(doc: DeviceDescription): string {
  let x = '<?xml version="1.0"?>\n<root xmlns="urn:schemas-upnp-org:device-1-0">\n';
  x += '<specVersion>\n<major>1</major>\n<minor>0</minor>\n</specVersion>\n';
  if (doc.URLBase !== undefined) x += element('URLBase', doc.URLBase, '');
  x += '<device>\n';
  x += element('deviceType', doc.deviceType, '');
  x += element('friendlyName', doc.friendlyName, '');
  x += element('manufacturer', doc.manufacturer, '');
  if (doc.manufacturerURL !== undefined) x += element('manufacturerURL', doc.manufacturerURL, '');
  if (doc.modelDescription !== undefined) x += element('modelDescription', doc.modelDescription, '');
  x += element('modelName', doc.modelName, '');
  if (doc.modelNumber !== undefined) x += element('modelNumber', doc.modelNumber, '');
  if (doc.modelURL !== undefined) x += element('modelURL', doc.modelURL, '');
  if (doc.serialNumber !== undefined) x += element('serialNumber', doc.serialNumber, '');
  x += element('UDN', doc.UDN, '');
  if (doc.UPC !== undefined) x += element('UPC', doc.UPC, '');
  x += '<serviceList>\n';
  for (const s of doc.serviceList) {
    x += '<service>\n';
    x += element('serviceType', s.serviceType, '');
    x += element('serviceId', s.serviceId, '');
    x += element('SCPDURL', s.SCPDURL, '');
    x += element('controlURL', s.controlURL, '');
    x += element('eventSubURL', s.eventSubURL, '');
    x += '</service>\n';
  }
  x += '</serviceList>\n</device>\n</root>\n';
  return x;
}

function required(node: XmlNode | undefined, name: string, where: string): string {
  const v = textOf(node, name);
  if (v === undefined) {
    const present = childOf(node, name) !== undefined;
    throw new DescriptionError(present ? 'INVALID_FIELD' : 'MISSING_FIELD', `${where}: ${present ? 'MALFORMED' : 'MISSING'} <${name}>`);
  }
  if (v === '') throw new DescriptionError('MISSING_FIELD', `${where}: empty <${name}>`);
  return v;
}

function optional(node: XmlNode | undefined, name: string, where: string): string | undefined {
  const c = childOf(node, name);
  if (c === undefined) return undefined;
  if (typeof c !== 'string') throw new DescriptionError('INVALID_FIELD', `${where}: malformed <${name}>`);
  return c;
}

export interface ParseDescriptionOptions {
  maxBytes?: number;
}

/** Parses a root device description; throws DescriptionError on anything it cannot use. */
export function parseDeviceDescription(xml: string | Uint8Array, opts: ParseDescriptionOptions = {}): DeviceDescription {
  let tree;
  try {
    tree = parseXmlBounded(xml, opts.maxBytes ?? MAX_DESCRIPTION_BYTES, 'device description');
  } catch (e) {
    if (e instanceof XmlError) throw new DescriptionError(e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'MALFORMED', e.message);
    throw e;
  }
  const root = childOf(tree, 'root');
  if (root === undefined || typeof root !== 'object' || Array.isArray(root)) {
    throw new DescriptionError('MALFORMED', 'device description: no single <root> element');
  }
  const device = childOf(root, 'device');
  if (device === undefined || typeof device !== 'object' || Array.isArray(device)) {
    throw new DescriptionError('MISSING_FIELD', 'device description: no single <device> element');
  }
  const doc: DeviceDescription = {
    deviceType: required(device, 'deviceType', 'device'),
    friendlyName: required(device, 'friendlyName', 'device'),
    manufacturer: required(device, 'manufacturer', 'device'),
    modelName: required(device, 'modelName', 'device'),
    UDN: required(device, 'UDN', 'device'),
    serviceList: [],
  };
  if (!/^uuid:\S+$/.test(doc.UDN)) throw new DescriptionError('INVALID_FIELD', `device: UDN "${doc.UDN}" is not uuid:...`);
  const urlBase = optional(root, 'URLBase', 'root');
  if (urlBase !== undefined && urlBase !== '') doc.URLBase = urlBase;
  for (const f of OPTIONAL_DEVICE_FIELDS) {
    const v = optional(device, f, 'device');
    if (v !== undefined) doc[f] = v;
  }
  const upc = optional(device, 'UPC', 'device');
  if (upc !== undefined) doc.UPC = upc;

  const list = childOf(device, 'serviceList');
  if (list !== undefined) {
    if (typeof list !== 'object' || Array.isArray(list)) {
      if (list !== '') throw new DescriptionError('INVALID_FIELD', 'device: malformed <serviceList>');
    } else {
      const raw = childOf(list, 'service');
      const services = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      if (services.length > MAX_SERVICES) throw new DescriptionError('INVALID_FIELD', `device: more than ${MAX_SERVICES} services`);
      services.forEach((s, i) => {
        if (typeof s !== 'object' || Array.isArray(s)) throw new DescriptionError('INVALID_FIELD', `service ${i}: not an element list`);
        const where = `service ${i}`;
        doc.serviceList.push({
          serviceType: required(s, 'serviceType', where),
          serviceId: required(s, 'serviceId', where),
          SCPDURL: required(s, 'SCPDURL', where),
          controlURL: required(s, 'controlURL', where),
          eventSubURL: required(s, 'eventSubURL', where),
        });
      });
    }
  }
  return doc;
}

/**
 * Resolves a URL from the description (UDA 1.0 2.1: relative to URLBase if
 * present, else to the URL the description was fetched from). Throws
 * DescriptionError if the result is not an http: URL.
 */
export function resolveDescriptionUrl(doc: DeviceDescription, relative: string, location: string): string {
  let u: URL;
  try {
    u = new URL(relative, doc.URLBase ?? location);
  } catch {
    throw new DescriptionError('INVALID_FIELD', `cannot resolve URL "${relative}"`);
  }
  if (u.protocol !== 'http:') throw new DescriptionError('INVALID_FIELD', `URL "${u.href}" is not http:`);
  return u.href;
}

/** The first service of the requested type, accepting a same or higher version (UDA 1.0 2.1). */
export function findService(doc: DeviceDescription, serviceType: string): ServiceDescription | undefined {
  const want = splitTypeVersion(serviceType);
  return doc.serviceList.find((s) => {
    if (s.serviceType === serviceType) return true;
    const have = splitTypeVersion(s.serviceType);
    return want !== undefined && have !== undefined && have.base === want.base && have.version >= want.version;
  });
}
