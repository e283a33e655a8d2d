/**
 * SOAP 1.1 as UPnP control uses it (UDA 1.0 section 3): parse an action
 * request, build the action response and UPnP error faults, parse responses.
 *
 * API:
 *   parseSoapAction(header): { serviceType, actionName }      SOAPACTION, quoted or not
 *   parseSoapRequest(body, soapActionHeader, maxBytes?): SoapRequest   throws SoapError
 *   buildSoapResponse(serviceType, actionName, args): string
 *   buildSoapFault(upnpErrorCode, description): string
 *   parseSoapResponse(body, actionName, maxBytes?): SoapArgs          throws SoapError / SoapFaultError
 *   UpnpErrorCode, SoapError (code), SoapFaultError (upnpErrorCode), SOAP_MAX_BYTES
 *
 * Tolerance (older control points): any namespace prefix or none on
 * Envelope/Body/action/arguments, whitespace and newlines between elements,
 * SOAPACTION with or without quotes. Strictness: the action element must be
 * the only child of Body and its name must equal the SOAPACTION action;
 * arguments are leaf elements, each at most once.
 */
import { XmlError, childOf, childrenOf, isXmlSafeText, parseXmlBounded, xmlEscape, type XmlNode } from './xml.js';
import { WpsdError } from '../common/errors.js';

/** Largest SOAP message accepted; matches the HTTP body limit. */
export const SOAP_MAX_BYTES = 64 * 1024;
/** More arguments than this in one action is not a real request. */
export const SOAP_MAX_ARGS = 64;

/** UPnP control error codes (UDA 1.0 3.2.2). */
export const UpnpErrorCode = {
  InvalidAction: 401,
  InvalidArgs: 402,
  ActionFailed: 501,
  ArgumentValueInvalid: 600,
  ArgumentValueOutOfRange: 601,
  OptionalActionNotImplemented: 602,
  OutOfMemory: 603,
  HumanInterventionRequired: 604,
  StringArgumentTooLong: 605,
} as const;
export type UpnpErrorCode = (typeof UpnpErrorCode)[keyof typeof UpnpErrorCode];

/** Description strings of UDA 1.0 3.2.2. */
export function upnpErrorDescription(code: number): string {
  switch (code) {
    case 401: return 'Invalid Action';
    case 402: return 'Invalid Args';
    case 501: return 'Action Failed';
    case 600: return 'Argument Value Invalid';
    case 601: return 'Argument Value Out of Range';
    case 602: return 'Optional Action Not Implemented';
    case 603: return 'Out of Memory';
    case 604: return 'Human Intervention Required';
    case 605: return 'String Argument Too Long';
    default: return 'Action Failed';
  }
}

export type SoapErrorCode = 'TOO_LARGE' | 'MALFORMED' | 'NO_SOAPACTION' | 'ACTION_MISMATCH' | 'INVALID_ARGS' | 'FAULT';

export class SoapError extends WpsdError<SoapErrorCode> {}

/** A UPnP error returned by the device in a SOAP fault. */
export class SoapFaultError extends SoapError {
  readonly upnpErrorCode: number;
  readonly upnpErrorDescription: string;
  constructor(upnpErrorCode: number, description: string) {
    super('FAULT', `UPnP error ${upnpErrorCode}: ${description}`);
    this.name = 'SoapFaultError';
    this.upnpErrorCode = upnpErrorCode;
    this.upnpErrorDescription = description;
  }
}

/** Action arguments in document order (object keys keep insertion order). */
export type SoapArgs = Record<string, string>;

export interface SoapRequest {
  serviceType: string;
  actionName: string;
  args: SoapArgs;
}

const ACTION_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Splits `"urn:...:service:Name:1#Action"` (quotes optional). */
export function parseSoapAction(header: string | undefined): { serviceType: string; actionName: string } {
  if (header === undefined) throw new SoapError('NO_SOAPACTION', 'missing SOAPACTION header');
  let v = header.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).trim();
  const hash = v.lastIndexOf('#');
  if (hash <= 0) throw new SoapError('NO_SOAPACTION', `SOAPACTION "${header}" is not serviceType#action`);
  const serviceType = v.slice(0, hash);
  const actionName = v.slice(hash + 1);
  if (!ACTION_NAME.test(actionName)) throw new SoapError('NO_SOAPACTION', `SOAPACTION action name "${actionName}" is invalid`);
  return { serviceType, actionName };
}

function bodyElement(tree: XmlNode, what: string): XmlNode {
  const env = childOf(tree, 'Envelope');
  if (env === undefined || typeof env !== 'object' || Array.isArray(env)) throw new SoapError('MALFORMED', `${what}: no single Envelope element`);
  const body = childOf(env, 'Body');
  if (body === undefined || typeof body !== 'object' || Array.isArray(body)) throw new SoapError('MALFORMED', `${what}: no single Body element with content`);
  return body;
}

function parseTree(body: string | Uint8Array, maxBytes: number, what: string): XmlNode {
  try {
    return parseXmlBounded(body, maxBytes, what);
  } catch (e) {
    if (e instanceof XmlError) throw new SoapError(e.code === 'TOO_LARGE' ? 'TOO_LARGE' : 'MALFORMED', e.message);
    throw e;
  }
}

function argsOf(action: XmlNode, what: string): SoapArgs {
  const args: SoapArgs = {};
  if (typeof action === 'string') {
    if (action !== '') throw new SoapError('INVALID_ARGS', `${what}: text directly inside the action element`);
    return args;
  }
  if (Array.isArray(action)) throw new SoapError('MALFORMED', `${what}: repeated action element`);
  const entries = childrenOf(action);
  if (entries.length > SOAP_MAX_ARGS) throw new SoapError('INVALID_ARGS', `${what}: more than ${SOAP_MAX_ARGS} arguments`);
  for (const [name, value] of entries) {
    if (name === '#text') throw new SoapError('INVALID_ARGS', `${what}: text mixed with arguments`);
    if (typeof value !== 'string') throw new SoapError('INVALID_ARGS', `${what}: argument ${name} is repeated or not a simple value`);
    args[name] = value;
  }
  return args;
}

/** Parses a control request and checks it against the SOAPACTION header. */
export function parseSoapRequest(body: string | Uint8Array, soapActionHeader: string | undefined, maxBytes: number = SOAP_MAX_BYTES): SoapRequest {
  const { serviceType, actionName } = parseSoapAction(soapActionHeader);
  const tree = parseTree(body, maxBytes, 'SOAP request');
  const b = bodyElement(tree, 'SOAP request');
  const children = childrenOf(b);
  if (children.length !== 1 || children[0] === undefined) throw new SoapError('MALFORMED', 'SOAP request: Body must hold exactly one action element');
  const [name, action] = children[0];
  if (name !== actionName) throw new SoapError('ACTION_MISMATCH', `SOAP request: body action ${name} does not match SOAPACTION ${actionName}`);
  return { serviceType, actionName, args: argsOf(action, `action ${actionName}`) };
}

const ENVELOPE_START =
  '<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\n<s:Body>\n';
const ENVELOPE_END = '</s:Body>\n</s:Envelope>\n';

function checkName(name: string): void {
  if (!ACTION_NAME.test(name)) throw new SoapError('INVALID_ARGS', `"${name}" is not a valid element name`);
}

function argElements(args: SoapArgs): string {
  let x = '';
  for (const [k, v] of Object.entries(args)) {
    checkName(k);
    if (!isXmlSafeText(v)) throw new SoapError('INVALID_ARGS', `argument ${k}: characters not allowed in XML`);
    x += `<${k}>${xmlEscape(v)}</${k}>\n`;
  }
  return x;
}

/** `<u:ActionResponse xmlns:u="serviceType">` with out arguments in the given order (UDA 1.0 3.2.1). */
export function buildSoapResponse(serviceType: string, actionName: string, args: SoapArgs): string {
  checkName(actionName);
  return `${ENVELOPE_START}<u:${actionName}Response xmlns:u="${xmlEscape(serviceType)}">\n${argElements(args)}</u:${actionName}Response>\n${ENVELOPE_END}`;
}

/** A control request (for the control point side). */
export function buildSoapRequest(serviceType: string, actionName: string, args: SoapArgs): string {
  checkName(actionName);
  return `${ENVELOPE_START}<u:${actionName} xmlns:u="${xmlEscape(serviceType)}">\n${argElements(args)}</u:${actionName}>\n${ENVELOPE_END}`;
}

/** A UPnPError fault, sent with HTTP 500 (UDA 1.0 3.2.2). */
export function buildSoapFault(upnpErrorCode: number, description: string = upnpErrorDescription(upnpErrorCode)): string {
  const code = Math.trunc(upnpErrorCode);
  return (
    `${ENVELOPE_START}<s:Fault>\n<faultcode>s:Client</faultcode>\n<faultstring>UPnPError</faultstring>\n<detail>\n` +
    `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0">\n<errorCode>${code}</errorCode>\n` +
    `<errorDescription>${xmlEscape(isXmlSafeText(description) ? description : upnpErrorDescription(code))}</errorDescription>\n` +
    `</UPnPError>\n</detail>\n</s:Fault>\n${ENVELOPE_END}`
  );
}

/**
 * Parses an action response; a Fault becomes SoapFaultError (with the UPnP
 * error code when present, else 501).
 */
export function parseSoapResponse(body: string | Uint8Array, actionName: string, maxBytes: number = SOAP_MAX_BYTES): SoapArgs {
  const tree = parseTree(body, maxBytes, 'SOAP response');
  const b = bodyElement(tree, 'SOAP response');
  const fault = childOf(b, 'Fault');
  if (fault !== undefined) {
    const err = childOf(childOf(fault, 'detail'), 'UPnPError');
    const codeText = childOf(err, 'errorCode');
    const desc = childOf(err, 'errorDescription');
    const code = typeof codeText === 'string' && /^\d{1,4}$/.test(codeText) ? Number(codeText) : UpnpErrorCode.ActionFailed;
    throw new SoapFaultError(code, typeof desc === 'string' && desc !== '' ? desc : upnpErrorDescription(code));
  }
  const children = childrenOf(b);
  if (children.length !== 1 || children[0] === undefined) throw new SoapError('MALFORMED', 'SOAP response: Body must hold exactly one element');
  const [name, resp] = children[0];
  if (name !== `${actionName}Response`) throw new SoapError('ACTION_MISMATCH', `SOAP response: expected ${actionName}Response, got ${name}`);
  return argsOf(resp, `${actionName}Response`);
}
