import { describe, expect, it } from 'vitest';
import { parseXmlBounded, XmlError } from './xml.js';

function codeOf(text: string): string {
  try {
    parseXmlBounded(text, 4096, 'test');
    return 'accepted';
  } catch (e) {
    return e instanceof XmlError ? e.code : `other: ${(e as Error).message}`;
  }
}

describe('parseXmlBounded refuses what is not well-formed', () => {
  // fast-xml-parser 5's XMLParser accepts every one of these without a
  // word (a truncated SOAP answer parses to a partial tree); only the
  // validation before the parse refuses them.
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
  ])('%s', (_what, text) => {
    expect(codeOf(text)).toBe('MALFORMED');
  });

  it('refuses an empty document, a DOCTYPE and an oversized document with their own codes', () => {
    expect(codeOf('  ')).toBe('MALFORMED');
    expect(codeOf('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toBe('DOCTYPE');
    expect(codeOf(`<a>${'x'.repeat(5000)}</a>`)).toBe('TOO_LARGE');
  });

  it('accepts well-formed documents: prefixes dropped, leaves as strings', () => {
    const doc = parseXmlBounded('<?xml version="1.0"?>\n<s:Envelope xmlns:s="x"><s:Body><u:R xmlns:u="y"><N>007</N></u:R></s:Body></s:Envelope>\n', 4096, 'test');
    expect(doc).toEqual({ Envelope: { Body: { R: { N: '007' } } } });
  });
});
