import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CtrlInterfaceError, parseCtrlInterface, resolveGroup } from './ctrl-interface.js';

describe('ctrl_interface value', () => {
  it('accepts a bare directory (hostapd.conf form)', () => {
    expect(parseCtrlInterface('/run/wpsd')).toEqual({ dir: '/run/wpsd' });
  });

  it('accepts DIR= with and without GROUP= (wpa_supplicant.conf form)', () => {
    expect(parseCtrlInterface('DIR=/run/wpsd GROUP=netdev')).toEqual({ dir: '/run/wpsd', group: 'netdev' });
    expect(parseCtrlInterface('DIR=/run/wpsd')).toEqual({ dir: '/run/wpsd' });
  });

  it('refuses an empty value, an empty DIR and an empty GROUP', () => {
    expect(() => parseCtrlInterface('  ')).toThrow(CtrlInterfaceError);
    expect(() => parseCtrlInterface('DIR= GROUP=netdev')).toThrow(CtrlInterfaceError);
    expect(() => parseCtrlInterface('DIR=/run/x GROUP=')).toThrow(CtrlInterfaceError);
  });

  it('resolves group names from the group file and numbers as they are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wpsd-ctrl-grp-'));
    try {
      const file = join(dir, 'group');
      writeFileSync(file, 'root:x:0:\nnetdev:x:110:alice\n');
      expect(resolveGroup('netdev', file)).toBe(110);
      expect(resolveGroup('42', file)).toBe(42);
      expect(() => resolveGroup('nosuch', file)).toThrow(CtrlInterfaceError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: any value parses or raises CtrlInterfaceError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (v) => {
        try {
          const spec = parseCtrlInterface(v);
          expect(spec.dir.length).toBeGreaterThan(0);
        } catch (e) {
          expect(e).toBeInstanceOf(CtrlInterfaceError);
        }
      }),
    );
  });
});
