import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CtrlRequestError, MAX_REQUEST_LEN, parseRequest } from './request.js';

const enc = (s: string) => Buffer.from(s, 'utf8');

describe('control request parsing', () => {
  it('splits the command word from its arguments at the first space', () => {
    expect(parseRequest(enc('PING'))).toEqual({ name: 'PING', rawArgs: '', args: [] });
    expect(parseRequest(enc('WPS_PIN any 12345670'))).toEqual({ name: 'WPS_PIN', rawArgs: 'any 12345670', args: ['any', '12345670'] });
  });

  it('keeps an empty trailing field, as wpa_cli sends WPS_REG without a key', () => {
    expect(parseRequest(enc('WPS_REG 02:00:00:00:01:00 12345670 6162 WPA2PSK CCMP ')).args).toEqual([
      '02:00:00:00:01:00', '12345670', '6162', 'WPA2PSK', 'CCMP', '',
    ]);
  });

  it('tolerates one trailing newline', () => {
    expect(parseRequest(enc('PING\n')).name).toBe('PING');
  });

  it('refuses empty, oversized and binary requests with a typed error', () => {
    const code = (b: Uint8Array) => {
      try {
        parseRequest(b);
      } catch (e) {
        return (e as CtrlRequestError).code;
      }
      return 'accepted';
    };
    expect(code(new Uint8Array(0))).toBe('EMPTY');
    expect(code(enc('\n'))).toBe('EMPTY');
    expect(code(Buffer.alloc(MAX_REQUEST_LEN + 1, 0x41))).toBe('OVERSIZED');
    expect(code(Buffer.from([0x50, 0x49, 0x00, 0x47]))).toBe('BINARY');
    expect(code(Buffer.from([0xff, 0xfe, 0x41]))).toBe('BINARY');
    expect(code(enc('PING\r'))).toBe('BINARY');
    expect(code(Buffer.alloc(MAX_REQUEST_LEN, 0x41))).toBe('accepted');
  });

  it('a request that starts with a space has no command word: refused as empty', () => {
    for (const t of [' ', ' PING']) expect(() => parseRequest(enc(t))).toThrow(expect.objectContaining({ code: 'EMPTY' }));
  });

  it('property: any bytes either parse or raise CtrlRequestError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        try {
          const r = parseRequest(bytes);
          expect(r.name.length).toBeGreaterThan(0);
          expect(r.name.includes(' ')).toBe(false);
        } catch (e) {
          expect(e).toBeInstanceOf(CtrlRequestError);
        }
      }),
    );
  });

  it('property: name and arguments joined by spaces give the request back', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9_=:.-]{1,12}$/);
    fc.assert(
      fc.property(word, fc.array(fc.stringMatching(/^[!-~]{0,10}$/), { maxLength: 8 }), (name, args) => {
        const text = args.length === 0 ? name : [name, ...args].join(' ');
        const r = parseRequest(enc(text));
        expect(r.name).toBe(name);
        expect(r.args).toEqual(args.length === 0 ? [] : args);
      }),
    );
  });
});
