/**
 * GENA header values and event bodies (UDA 1.0 section 4).
 *
 * API:
 *   parseCallbackHeader(value): URL[]            "<http://a/><http://b/>", http: only, at most GENA_MAX_CALLBACK_URLS
 *   parseTimeoutHeader(value, min, max, dflt): number   "Second-N" | "infinite" -> seconds, clamped
 *   parseSidHeader(value): string                 "uuid:..." checked
 *   buildPropertySet(props): string               <e:propertyset> with one <e:property> per variable
 *   parsePropertySet(xml, maxBytes?): Record<string, string>
 *   GenaError (code)
 */
import { XmlError, childOf, childrenOf, isXmlSafeText, parseXmlBounded, xmlEscape } from './xml.js';
import { WpsdError } from '../common/errors.js';

/** hostapd keeps at most 8 callback URLs per subscription. */
export const GENA_MAX_CALLBACK_URLS = 8;
/** A CALLBACK header longer than this is refused before parsing. */
export const GENA_MAX_CALLBACK_HEADER = 2048;
/** Largest NOTIFY body accepted by the subscriber. */
export const GENA_MAX_PROPERTYSET_BYTES = 64 * 1024;
/** More properties than this in one NOTIFY is not a real event. */
export const GENA_MAX_PROPERTIES = 64;

export type GenaErrorCode = 'BAD_CALLBACK' | 'BAD_TIMEOUT' | 'BAD_SID' | 'BAD_PROPERTYSET';

export class GenaError extends WpsdError<GenaErrorCode> {}

/** Parses CALLBACK: one or more `<url>` in order, whitespace allowed between them. */
export function parseCallbackHeader(value: string | undefined): URL[] {
  if (value === undefined || value.trim() === '') throw new GenaError('BAD_CALLBACK', 'missing CALLBACK');
  if (value.length > GENA_MAX_CALLBACK_HEADER) throw new GenaError('BAD_CALLBACK', `CALLBACK longer than ${GENA_MAX_CALLBACK_HEADER} characters`);
  const urls: URL[] = [];
  let rest = value.trim();
  while (rest !== '') {
    if (!rest.startsWith('<')) throw new GenaError('BAD_CALLBACK', 'CALLBACK: expected "<"');
    const end = rest.indexOf('>');
    if (end < 0) throw new GenaError('BAD_CALLBACK', 'CALLBACK: unterminated "<"');
    const text = rest.slice(1, end).trim();
    rest = rest.slice(end + 1).trimStart();
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new GenaError('BAD_CALLBACK', `CALLBACK: invalid URL "${text}"`);
    }
    if (u.protocol !== 'http:') throw new GenaError('BAD_CALLBACK', `CALLBACK: "${text}" is not http:`);
    if (urls.length >= GENA_MAX_CALLBACK_URLS) throw new GenaError('BAD_CALLBACK', `CALLBACK: more than ${GENA_MAX_CALLBACK_URLS} URLs`);
    urls.push(u);
  }
  return urls;
}

/** TIMEOUT: "Second-N" or "Second-infinite"; absent -> dflt; result clamped to [min, max]. */
export function parseTimeoutHeader(value: string | undefined, min: number, max: number, dflt: number): number {
  if (value === undefined || value.trim() === '') return Math.min(Math.max(dflt, min), max);
  const v = value.trim();
  const m = /^second-(\d{1,10}|infinite)$/i.exec(v);
  if (!m || m[1] === undefined) throw new GenaError('BAD_TIMEOUT', `TIMEOUT "${value}" is not Second-N`);
  const n = m[1].toLowerCase() === 'infinite' ? max : Number(m[1]);
  return Math.min(Math.max(n, min), max);
}

const SID = /^uuid:[A-Za-z0-9-]{1,64}$/;

export function parseSidHeader(value: string | undefined): string {
  const v = value?.trim();
  if (v === undefined || !SID.test(v)) throw new GenaError('BAD_SID', `SID "${value ?? ''}" is not uuid:...`);
  return v;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** The NOTIFY body of UDA 1.0 4.3.1, one property per variable in the given order. */
export function buildPropertySet(props: Record<string, string>): string {
  let x = '<?xml version="1.0"?>\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">\n';
  for (const [name, value] of Object.entries(props)) {
    if (!VARIABLE_NAME.test(name)) throw new GenaError('BAD_PROPERTYSET', `"${name}" is not a valid variable name`);
    if (!isXmlSafeText(value)) throw new GenaError('BAD_PROPERTYSET', `${name}: characters not allowed in XML`);
    x += `<e:property>\n<${name}>${xmlEscape(value)}</${name}>\n</e:property>\n`;
  }
  x += '</e:propertyset>\n';
  return x;
}

/** Parses a NOTIFY body: every property holds exactly one leaf variable. */
export function parsePropertySet(xml: string | Uint8Array, maxBytes: number = GENA_MAX_PROPERTYSET_BYTES): Record<string, string> {
  let tree;
  try {
    tree = parseXmlBounded(xml, maxBytes, 'property set');
  } catch (e) {
    if (e instanceof XmlError) throw new GenaError('BAD_PROPERTYSET', e.message);
    throw e;
  }
  const set = childOf(tree, 'propertyset');
  if (set === undefined) throw new GenaError('BAD_PROPERTYSET', 'no propertyset element');
  if (set === '') return {};
  if (childOf(set, '#text') !== undefined) throw new GenaError('BAD_PROPERTYSET', 'text mixed with the property elements');
  const raw = childOf(set, 'property');
  if (raw === undefined) throw new GenaError('BAD_PROPERTYSET', 'propertyset holds no property elements');
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > GENA_MAX_PROPERTIES) throw new GenaError('BAD_PROPERTYSET', `more than ${GENA_MAX_PROPERTIES} properties`);
  const out: Record<string, string> = {};
  for (const p of list) {
    const vars = childrenOf(p);
    if (vars.length !== 1 || vars[0] === undefined) throw new GenaError('BAD_PROPERTYSET', 'a property must hold exactly one variable');
    const [name, value] = vars[0];
    if (typeof value !== 'string' || name === '#text') throw new GenaError('BAD_PROPERTYSET', `property ${name} is not a simple value`);
    out[name] = value;
  }
  return out;
}
