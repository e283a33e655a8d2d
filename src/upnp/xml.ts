/**
 * XML helpers shared by the UPnP layer: escaping for the documents we build,
 * and one strict, bounded parse for the documents we receive (description,
 * SOAP envelopes, GENA property sets).
 *
 * API:
 *   xmlEscape(text)                       escape &, <, >, ", ' for element text and attributes
 *   parseXmlBounded(text, maxBytes, what) well-formed XML (one parse) to a plain object tree, prefixes removed
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
const { XMLParser } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');
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
 * XML names as UPnP's schemas spell them: ASCII, with at most one prefix
 * (a QName). Non-ASCII names are refused: no UPnP document uses them, and
 * some Unicode spaces inside a name would split it differently in the parser.
 */
const QNAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
/** XML's white space (S): four characters, not JavaScript's \s. */
const S = '[ \\t\\r\\n]';
/** A start tag with quoted attribute values; a value may hold `>` but never `<`. */
const START_TAG = new RegExp(`<(${QNAME})((?:${S}+${QNAME}${S}*=${S}*(?:"[^"<]*"|'[^'<]*'))*)${S}*(/?)>`, 'y');
const ATTRIBUTE_NAME = new RegExp(`(${QNAME})${S}*=${S}*(?:"[^"]*"|'[^']*')`, 'g');
const END_TAG = new RegExp(`</(${QNAME})${S}*>`, 'y');
/**
 * A processing instruction. The parser ends one at the first `?>` outside
 * quotes, XML at the first `?>`: no `?` inside quotes makes both the same.
 */
const PROCESSING_INSTRUCTION = new RegExp(`<\\?(${QNAME})(?:${S}(?:[^?"']|\\?(?!>)|"[^"?]*"|'[^'?]*')*)?\\?>`, 'y');
const DECLARATION = /<!(?:DOCTYPE|ENTITY)/iy;
const CDATA_START = '<![CDATA[';
/**
 * A character reference, or an entity reference whose name is ASCII word
 * characters, 20 at most: fast-xml-parser's validator refuses longer names
 * and names with `-` or `.` (which XML's Name allows), and none of the
 * entities a UPnP document can use (XML's five, HTML's named ones) has them.
 */
const REFERENCE = /&(?:[A-Za-z_]\w{0,19}|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});/y;
const WHITE_SPACE = new RegExp(`${S}*`, 'y');

/**
 * What fast-xml-parser's XMLParser does not check, in one linear walk from
 * tag to tag (text between tags is skipped with indexOf, not read): every
 * tag's syntax, each end tag naming the element it closes, one root element
 * and nothing but white space, comments and processing instructions around
 * it, nesting depth, `&` only as a reference, no DOCTYPE or ENTITY
 * declaration. The parser alone accepts a truncated document as a partial
 * tree, pops an element on any end tag, drops text outside the root and
 * returns several roots side by side. fast-xml-parser's XMLValidator
 * checks most of this, but as a second full pass, character by character
 * (a third again of the parse's CPU on a SOAP answer), and lets several
 * roots and control characters through.
 */
function checkWellFormed(s: string, what: string): void {
  const malformed = (why: string): XmlError => new XmlError('MALFORMED', `${what}: ${why}`);
  const open: string[] = [];
  let roots = 0;
  let pos = s.charCodeAt(0) === 0xfeff ? 1 : 0;
  const prologStart = pos;
  let amp = s.indexOf('&', pos);
  /** Every `&` before `end` starts a reference. */
  const checkReferences = (end: number): void => {
    while (amp !== -1 && amp < end) {
      REFERENCE.lastIndex = amp;
      if (!REFERENCE.test(s)) throw malformed(`"&" at offset ${amp} does not start a character or entity reference`);
      amp = s.indexOf('&', REFERENCE.lastIndex);
    }
  };
  /** Skips markup whose content may hold a bare `&` (comments, CDATA, PIs). */
  const skipTo = (next: number): void => {
    pos = next;
    if (amp !== -1 && amp < pos) amp = s.indexOf('&', pos);
  };
  for (;;) {
    const lt = s.indexOf('<', pos);
    const textEnd = lt === -1 ? s.length : lt;
    if (open.length === 0) {
      WHITE_SPACE.lastIndex = pos;
      WHITE_SPACE.test(s);
      if (WHITE_SPACE.lastIndex !== textEnd) throw malformed(`text outside the root element at offset ${WHITE_SPACE.lastIndex}`);
    } else {
      checkReferences(textEnd);
    }
    if (lt === -1) break;
    const c1 = s.charCodeAt(lt + 1);
    if (c1 === 0x2f /* / */) {
      END_TAG.lastIndex = lt;
      const m = END_TAG.exec(s);
      if (m === null) throw malformed(`malformed end tag at offset ${lt}`);
      const name = m[1] as string;
      const expected = open.pop();
      if (expected === undefined) throw malformed(`end tag </${name}> at offset ${lt} closes no element`);
      if (name !== expected) throw malformed(`end tag </${name}> at offset ${lt} does not close <${expected}>`);
      pos = END_TAG.lastIndex;
    } else if (c1 === 0x3f /* ? */) {
      PROCESSING_INSTRUCTION.lastIndex = lt;
      const m = PROCESSING_INSTRUCTION.exec(s);
      if (m === null) throw malformed(`malformed processing instruction at offset ${lt}`);
      if ((m[1] as string).toLowerCase() === 'xml' && lt !== prologStart) throw malformed('the XML declaration is allowed only at the start of the document');
      skipTo(PROCESSING_INSTRUCTION.lastIndex);
    } else if (c1 === 0x21 /* ! */) {
      if (s.startsWith('<!--', lt)) {
        const end = s.indexOf('-->', lt + 4);
        if (end === -1) throw malformed(`comment at offset ${lt} is not closed`);
        skipTo(end + 3);
      } else if (s.startsWith(CDATA_START, lt) && open.length > 0) {
        const end = s.indexOf(']]>', lt + CDATA_START.length);
        if (end === -1) throw malformed(`CDATA section at offset ${lt} is not closed`);
        skipTo(end + 3);
      } else {
        DECLARATION.lastIndex = lt;
        if (DECLARATION.test(s)) throw new XmlError('DOCTYPE', `${what}: DOCTYPE/ENTITY declarations are not accepted`);
        throw malformed(`unexpected "<!" at offset ${lt}`);
      }
    } else {
      START_TAG.lastIndex = lt;
      const m = START_TAG.exec(s);
      if (m === null) throw malformed(`malformed start tag at offset ${lt}`);
      if (open.length === 0 && ++roots > 1) throw malformed(`a second root element <${m[1] as string}> at offset ${lt}`);
      const attributes = m[2] as string;
      if (attributes !== '') {
        checkReferences(START_TAG.lastIndex);
        if (attributes.indexOf('=') !== attributes.lastIndexOf('=')) {
          const seen = new Set<string>();
          for (const a of attributes.matchAll(ATTRIBUTE_NAME)) {
            const name = a[1] as string;
            if (seen.has(name)) throw malformed(`attribute ${name} repeated at offset ${lt}`);
            seen.add(name);
          }
        }
      }
      if (m[3] !== '/') {
        if (open.length >= MAX_XML_DEPTH) throw malformed(`elements nested deeper than ${MAX_XML_DEPTH}`);
        open.push(m[1] as string);
      }
      pos = START_TAG.lastIndex;
    }
  }
  if (open.length > 0) throw malformed(`<${open[open.length - 1] as string}> is not closed (a truncated document?)`);
  if (roots === 0) throw malformed('no root element');
}

/**
 * Parses `text` after checking its size, its characters and that it is
 * well-formed (checkWellFormed), in one parse. DOCTYPEs are refused
 * outright: UPnP documents never need them (UDA 1.0 2.x, SOAP 1.1 3), and
 * refusing them rules out entity-expansion attacks.
 */
export function parseXmlBounded(text: string | Uint8Array, maxBytes: number, what: string): XmlObject {
  // A string's UTF-8 form is at least its length in UTF-16 units and at most three times it.
  const tooLarge = typeof text === 'string' ? text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes) : text.byteLength > maxBytes;
  if (tooLarge) {
    const bytes = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
    throw new XmlError('TOO_LARGE', `${what}: ${bytes} bytes exceeds the limit of ${maxBytes}`);
  }
  const s = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  const bad = INVALID_XML_CHARS.exec(s);
  if (bad !== null) throw new XmlError('MALFORMED', `${what}: character U+${(bad[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0').toUpperCase()} at offset ${bad.index} is not allowed in XML`);
  checkWellFormed(s, what);
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
