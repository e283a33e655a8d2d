/**
 * XML helpers shared by the UPnP layer: escaping for the documents we build,
 * and one strict, bounded parse for the documents we receive (description,
 * SOAP envelopes, GENA property sets).
 *
 * API:
 *   xmlEscape(text)                       escape &, <, >, ", ' for element text and attributes
 *   parseXmlBounded(text, maxBytes, what) validated parse to a plain object tree, prefixes removed
 *   XmlError (code: 'TOO_LARGE' | 'DOCTYPE' | 'MALFORMED')
 *
 * Parsed trees: namespace prefixes are dropped (so `<s:Envelope>`,
 * `<SOAP-ENV:Envelope>` and `<Envelope>` look alike), attributes are ignored,
 * leaf values stay strings (never numbers), repeated elements become arrays.
 */
import { createRequire } from 'node:module';

/**
 * fast-xml-parser's bundled CommonJS build: one module, where its ES build
 * loads some twenty; ~8 MiB less resident memory in every process that
 * parses XML (bench/README.md, idle RSS).
 */
const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
import { WpsdError } from '../common/errors.js';

export type XmlErrorCode = 'TOO_LARGE' | 'DOCTYPE' | 'MALFORMED';

export class XmlError extends WpsdError<XmlErrorCode> {}

/** Deepest element nesting accepted; our documents need fewer than 10 levels. */
export const MAX_XML_DEPTH = 32;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for use inside an element or a quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Characters not allowed in XML 1.0 text; we refuse rather than emit invalid XML. */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** True when `text` may be placed in an XML document (after escaping). */
export function isXmlSafeText(text: string): boolean {
  return !INVALID_XML_CHARS.test(text);
}

const PARSER_OPTIONS = {
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  // Decodes numeric character references (&#233;); DOCTYPE-defined entities never reach here.
  htmlEntities: true,
  maxNestedTags: MAX_XML_DEPTH,
} as const;
const parser = new XMLParser(PARSER_OPTIONS);
/**
 * The same parse for documents without a single `&`, where entity handling
 * cannot change the result: the entity pass costs about two thirds of a
 * SOAP parse (base64 arguments never hold an `&`).
 */
const parserWithoutEntities = new XMLParser({ ...PARSER_OPTIONS, processEntities: false, htmlEntities: false });

/** A parsed element: a string for leaves, an object for elements with children, arrays for repeats. */
export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

/**
 * Parses `text` after checking its size and well-formedness. DOCTYPEs are
 * refused outright: UPnP documents never need them (UDA 1.0 2.x, SOAP 1.1 3),
 * and refusing them rules out entity-expansion attacks.
 */
export function parseXmlBounded(text: string | Uint8Array, maxBytes: number, what: string): XmlObject {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (bytes > maxBytes) throw new XmlError('TOO_LARGE', `${what}: ${bytes} bytes exceeds the limit of ${maxBytes}`);
  const s = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (/<!DOCTYPE/i.test(s) || /<!ENTITY/i.test(s)) throw new XmlError('DOCTYPE', `${what}: DOCTYPE/ENTITY declarations are not accepted`);
  if (s.trim() === '') throw new XmlError('MALFORMED', `${what}: empty document`);
  let valid: true | { err: { msg: string; line: number } };
  try {
    valid = XMLValidator.validate(s) as true | { err: { msg: string; line: number } };
  } catch (e) {
    throw new XmlError('MALFORMED', `${what}: ${(e as Error).message}`);
  }
  if (valid !== true) throw new XmlError('MALFORMED', `${what}: ${valid.err.msg} (line ${valid.err.line})`);
  try {
    const out: unknown = (s.includes('&') ? parser : parserWithoutEntities).parse(s);
    if (out === null || typeof out !== 'object' || Array.isArray(out)) throw new Error('no root element');
    return out as XmlObject;
  } catch (e) {
    throw new XmlError('MALFORMED', `${what}: ${(e as Error).message}`);
  }
}

/** The single child element `name` of `node`, or undefined (also when repeated or not an element). */
export function childOf(node: XmlNode | undefined, name: string): XmlNode | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(node, name)) return undefined;
  return node[name];
}

/** The text of child `name` when it is a single leaf element; undefined otherwise. */
export function textOf(node: XmlNode | undefined, name: string): string | undefined {
  const c = childOf(node, name);
  return typeof c === 'string' ? c : undefined;
}

/** Child elements of `node` (object form) as [name, value] pairs, in document order. */
export function childrenOf(node: XmlNode | undefined): Array<[string, XmlNode]> {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  return Object.entries(node);
}
