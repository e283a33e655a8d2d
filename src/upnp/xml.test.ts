import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_XML_DEPTH, parseXmlBounded, xmlEscape, XmlError, type XmlNode, type XmlObject } from './xml.js';

/** fast-xml-parser's own validator: the oracle the single parse must be at least as strict as. */
const { XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser');

function codeOf(text: string): string {
  try {
    parseXmlBounded(text, 4096, 'test');
    return 'accepted';
  } catch (e) {
    return e instanceof XmlError ? e.code : `other: ${(e as Error).message}`;
  }
}

describe('parseXmlBounded refuses what is not well-formed', () => {
  // fast-xml-parser 5's XMLParser accepts most of these without a word (a
  // truncated SOAP answer parses to a partial tree, any end tag closes the
  // open element, text outside the root is dropped, several roots sit side
  // by side); parseXmlBounded's own check before its one parse refuses them.
  it.each([
    ['an unclosed root (a truncated document)', '<a><b>x</b>'],
    ['a closing tag that does not match', '<a><b></a>'],
    ['a closing tag never opened', '<a><b/></a></a>'],
    ['closing tags differing in case', '<a></A>'],
    ['text outside the root', '<a>x</a>junk'],
    ['text before the root', 'junk<a/>'],
    ['text only', 'text'],
    ['a declaration only', '<?xml version="1.0"?>'],
    ['an unquoted attribute', '<a x=1>y</a>'],
    ['a repeated attribute', '<a x="1" x="2"/>'],
    ['a bare &', '<a>&</a>'],
    ['an invalid tag name', '<1a/>'],
    ['a truncated SOAP answer, cut inside an argument', '<s:Envelope xmlns:s="x"><s:Body><u:R xmlns:u="y"><NewDeviceInfo>EEoAARA'],
    ['a truncated start tag', '<a><b x="1"'],
    ['a truncated end tag', '<a>x</a'],
    ['an unclosed attribute quote', '<a x="1>y</a>'],
    ['crossed elements', '<a><b><c></b></c></a>'],
    ['end tags with another prefix', '<s:a></t:a>'],
    ['two root elements', '<a/><b/>'],
    ['a second root after a comment', '<a/><!--c--><a/>'],
    ['a control character in text', '<a>x\u0001y</a>'],
    ['NUL after the root', '<a/>\u0000'],
    ['U+FFFE', '<a>\uFFFE</a>'],
    ['binary junk', '\u0000\u00ff<\u0003\u0080>'],
    ['a bare & in an attribute', '<a x="&"/>'],
    ['an unterminated reference', '<a>&amp</a>'],
    ['an entity name with "-"', '<a>v&a-mp;w</a>'],
    ['an entity name with "."', '<a>&a.b;</a>'],
    ['an entity name of 21 characters', `<a>&${'a'.repeat(21)};</a>`],
    ['< inside an attribute value', '<a x="<"/>'],
    ['attributes without white space between them', '<a x="1"y="2"/>'],
    ['a space after <', '< a/>'],
    ['an empty prefix', '<:a/>'],
    ['two prefixes', '<a:b:c/>'],
    ['an empty local name', '<a:/>'],
    ['a non-ASCII element name', '<\u00e9/>'],
    ['an unclosed comment', '<a><!-- x</a>'],
    ['an unclosed CDATA section', '<a><![CDATA[x</a>'],
    ['a CDATA section outside the root', '<![CDATA[x]]><a/>'],
    ['another <! construct', '<a><![INCLUDE[x]]></a>'],
    ['an unclosed processing instruction', '<a><?pi x</a>'],
    ['a ?> inside quotes in a processing instruction', '<a><?pi "?><b/>"?></a>'],
    ['an XML declaration after white space', '\n<?xml version="1.0"?><a/>'],
    ['an XML declaration after the root', '<a/><?xml version="1.0"?>'],
    ['a reserved property name as the root', '<__proto__/>'],
  ])('%s', (_what, text) => {
    expect(codeOf(text)).toBe('MALFORMED');
  });

  it('takes entity references by the names fast-xml-parser\'s validator takes', () => {
    for (const text of ['<a>&amp;&#233;&#xE9;</a>', `<a>&${'a'.repeat(20)};</a>`, '<a>&nbsp;</a>', '<a>&a_1;</a>']) {
      expect(XMLValidator.validate(text)).toBe(true);
      expect(codeOf(text)).toBe('accepted');
    }
    for (const text of ['<a>v&a-mp;w</a>', '<a>&a.b;</a>', `<a>&${'a'.repeat(21)};</a>`]) {
      expect(XMLValidator.validate(text)).not.toBe(true);
      expect(codeOf(text)).toBe('MALFORMED');
    }
  });

  it('refuses an empty document, a DOCTYPE and an oversized document with their own codes', () => {
    expect(codeOf('')).toBe('MALFORMED');
    expect(codeOf('  ')).toBe('MALFORMED');
    expect(codeOf('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toBe('DOCTYPE');
    expect(codeOf('<!doctype a><a/>')).toBe('DOCTYPE');
    expect(codeOf('<a><!ENTITY x "y"></a>')).toBe('DOCTYPE');
    expect(codeOf(`<a>${'x'.repeat(5000)}</a>`)).toBe('TOO_LARGE');
    expect(codeOf(`<a>${'\u00e9'.repeat(2100)}</a>`)).toBe('TOO_LARGE');
    expect(() => parseXmlBounded(Buffer.from(`<a>${'x'.repeat(5000)}</a>`), 4096, 'test')).toThrow(/5007 bytes exceeds the limit of 4096/);
  });

  it('names the problem and where it is', () => {
    const message = (text: string): string => {
      try {
        parseXmlBounded(text, 4096, 'SOAP response');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(message('<a><b>x</b>')).toBe('SOAP response: <a> is not closed (a truncated document?)');
    expect(message('<a><b></a>')).toBe('SOAP response: end tag </a> at offset 6 does not close <b>');
    expect(message('<a/><b/>')).toBe('SOAP response: a second root element <b> at offset 4');
    expect(message('<a>\u0007</a>')).toBe('SOAP response: character U+0007 at offset 3 is not allowed in XML');
    expect(message('x')).toBe('SOAP response: text outside the root element at offset 0');
  });

  it('accepts nesting up to MAX_XML_DEPTH and refuses one level more', () => {
    const nest = (n: number): string => '<e>'.repeat(n) + '</e>'.repeat(n);
    expect(codeOf(nest(MAX_XML_DEPTH))).toBe('accepted');
    expect(codeOf(nest(MAX_XML_DEPTH + 1))).toBe('MALFORMED');
  });

  it('accepts what well-formed documents may hold around and inside the root', () => {
    expect(parseXmlBounded('\uFEFF<?xml version="1.0" encoding="utf-8"?>\r\n<!-- c & < -->\n<a x=\'>\' y="&amp;&#38;"><?pi z?><![CDATA[<&>]]></a >\n<!--end-->\n', 4096, 'test')).toEqual({ a: '<&>' });
    expect(parseXmlBounded(Buffer.from('<r><b>\u00e9</b><b>&lt;&#x4e2d;</b></r>'), 4096, 'test')).toEqual({ r: { b: ['\u00e9', '<\u4e2d'] } });
  });

  it('accepts well-formed documents: prefixes dropped, leaves as strings', () => {
    const doc = parseXmlBounded('<?xml version="1.0"?>\n<s:Envelope xmlns:s="x"><s:Body><u:R xmlns:u="y"><N>007</N></u:R></s:Body></s:Envelope>\n', 4096, 'test');
    expect(doc).toEqual({ Envelope: { Body: { R: { N: '007' } } } });
  });
});

/** A generated element: a name with an optional prefix, attributes, and text or children. */
interface Element {
  prefix: string;
  name: string;
  attributes: Array<[string, string]>;
  content: string | Element[];
}

const ncName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/).filter((n) => !['__proto__', 'constructor', 'prototype'].includes(n) && !n.startsWith('__'));
/** Text as a peer may send it, XML-special characters included (escaped when written). */
const text = fc.string({ unit: fc.oneof(fc.constantFrom('&', '<', '>', '"', "'", ' ', '\n', '\u00e9', '\u4e2d'), fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c))), maxLength: 24 });
const element: fc.Memo<Element> = fc.memo((n) =>
  fc.record({
    prefix: fc.constantFrom('', 's', 'u', 'SOAP-ENV'),
    name: ncName,
    attributes: fc.uniqueArray(fc.tuple(ncName, text), { selector: (a) => a[0], maxLength: 3 }),
    content: n <= 1 ? text : fc.oneof(text, fc.array(element(n - 1), { maxLength: 4 })),
  }),
);
const ws = fc.constantFrom('', ' ', '\n', '\r\n', '\t');

function write(e: Element, sp: string): string {
  const tag = e.prefix === '' ? e.name : `${e.prefix}:${e.name}`;
  const attrs = e.attributes.map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
  const inner = typeof e.content === 'string' ? xmlEscape(e.content) : e.content.map((c) => sp + write(c, sp)).join('') + sp;
  return inner === '' ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${inner}</${tag}>`;
}

/** The tree parseXmlBounded promises: prefixes dropped, attributes ignored, trimmed leaves, repeats as arrays. */
function model(e: Element): XmlNode {
  if (typeof e.content === 'string') return e.content.trim();
  if (e.content.length === 0) return '';
  const out: XmlObject = {};
  for (const c of e.content) {
    const v = model(c);
    const had = out[c.name];
    out[c.name] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

const doc = fc.tuple(element(4), ws).map(([root, sp]) => ({ root, xml: write(root, sp) }));

function refusal(text: string): string | undefined {
  try {
    parseXmlBounded(text, 1 << 20, 'test');
    return undefined;
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    return e.code;
  }
}

describe('parseXmlBounded properties', () => {
  it('parses generated well-formed documents to the tree they describe', () => {
    fc.assert(
      fc.property(doc, fc.boolean(), ({ root, xml }, declared) => {
        const text = declared ? `<?xml version="1.0"?>\n${xml}\n` : xml;
        expect(parseXmlBounded(text, 1 << 20, 'test')).toEqual({ [root.name]: model(root) });
        expect(parseXmlBounded(Buffer.from(text), 1 << 20, 'test')).toEqual({ [root.name]: model(root) });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses every truncation of a document', () => {
    fc.assert(
      fc.property(doc, fc.nat(), ({ xml }, cut) => {
        expect(refusal(xml.slice(0, cut % xml.length))).toBe('MALFORMED');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a document where one end tag names another element', () => {
    fc.assert(
      fc.property(doc, fc.nat(), ncName, ({ xml }, pick, other) => {
        const ends = [...xml.matchAll(/<\/([^>]+)>/g)];
        fc.pre(ends.length > 0);
        const m = ends[pick % ends.length] as RegExpMatchArray;
        fc.pre(m[1] !== other);
        const i = m.index as number;
        expect(refusal(`${xml.slice(0, i)}</${other}>${xml.slice(i + m[0].length)}`)).toBe('MALFORMED');
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a control character anywhere, and anything but a comment or white space after the root', () => {
    fc.assert(
      fc.property(doc, fc.nat(), fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d), fc.constantFrom('x', '<b/>', '<b>', '</b>', '&amp;', '<?xml version="1.0"?>'), ({ xml }, at, c, tail) => {
        const i = at % (xml.length + 1);
        expect(refusal(xml.slice(0, i) + String.fromCharCode(c) + xml.slice(i))).toBe('MALFORMED');
        expect(refusal(`${xml}\n${tail}`)).toBe('MALFORMED');
        expect(refusal(`${xml}\n<!-- ${tail} -->\n`)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('throws only XmlError, and accepts nothing fast-xml-parser\'s validator refuses', () => {
    const seed = write({ prefix: 's', name: 'Envelope', attributes: [['xmlns:s', 'x']], content: [{ prefix: 's', name: 'Body', attributes: [], content: [{ prefix: '', name: 'A', attributes: [], content: 'v&w' }] }] }, '\n');
    const mutated = fc
      .tuple(fc.nat(seed.length), fc.nat(seed.length), fc.string({ unit: fc.constantFrom('<', '>', '/', '&', '"', "'", '!', '?', '-', '[', ']', ':', '=', ' ', 'a', 'A', ';', '#', '\u0000', '\u00e9'), maxLength: 8 }))
      .map(([i, j, s]) => seed.slice(0, Math.min(i, j)) + s + seed.slice(Math.max(i, j)));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ maxLength: 200 }), doc.map((d) => d.xml)), (text) => {
        if (refusal(text) === undefined) expect(XMLValidator.validate(text)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
