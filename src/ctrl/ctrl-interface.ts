/**
 * The `ctrl_interface` configuration value in its two spellings
 * (hostapd.conf / wpa_supplicant.conf): a bare directory, or
 * `DIR=<dir> [GROUP=<group>]`. A separate `ctrl_interface_group` key is the
 * daemon's business and is passed in as `group`.
 */
import { readFileSync } from 'node:fs';
import { WpsdError } from '../common/errors.js';

export class CtrlInterfaceError extends WpsdError<'EMPTY' | 'SYNTAX' | 'GROUP'> {}

export interface CtrlInterfaceSpec {
  dir: string;
  /** Group name or numeric gid that may use the socket. */
  group?: string;
}

/** Longest sockaddr_un path on Linux, less the terminating NUL. */
export const MAX_SOCKET_PATH = 107;

export function parseCtrlInterface(value: string): CtrlInterfaceSpec {
  const v = value.trim();
  if (v.length === 0) throw new CtrlInterfaceError('EMPTY', 'ctrl_interface is empty');
  if (!v.startsWith('DIR=')) return { dir: v };
  // wpa_supplicant: "DIR=<dir> GROUP=<group>"; the group starts after " GROUP=".
  const groupAt = v.indexOf(' GROUP=');
  const dir = (groupAt < 0 ? v.slice(4) : v.slice(4, groupAt)).trim();
  if (dir.length === 0) throw new CtrlInterfaceError('SYNTAX', `no directory in ctrl_interface "${value}"`);
  if (groupAt < 0) return { dir };
  const group = v.slice(groupAt + 7).trim();
  if (group.length === 0 || /\s/.test(group)) throw new CtrlInterfaceError('SYNTAX', `bad GROUP in ctrl_interface "${value}"`);
  return { dir, group };
}

/** Numeric gid for a group name or number, from /etc/group as getgrnam would. */
export function resolveGroup(group: string, groupFile = '/etc/group'): number {
  if (/^[0-9]+$/.test(group)) return Number(group);
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch (err) {
    throw new CtrlInterfaceError('GROUP', `cannot read ${groupFile}: ${(err as Error).message}`);
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === group && fields[2] !== undefined && /^[0-9]+$/.test(fields[2])) return Number(fields[2]);
  }
  throw new CtrlInterfaceError('GROUP', `unknown group "${group}"`);
}
