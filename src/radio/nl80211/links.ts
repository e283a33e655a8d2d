/**
 * Network interfaces (links) by name, and rtnetlink for the AP's bridge= /
 * wds_bridge= (hostapd's linux_br_add / linux_br_add_if / linux_br_del_if /
 * linux_set_iface_flags / linux_set_ifhwaddr, done with RTM_NEWLINK /
 * RTM_SETLINK instead of ioctls):
 *
 *   interfaceIndex / existingIfindex   if_nametoindex() through sysfs;
 *   setLinkAddress  the MAC address of a link that is down;
 *   bridgeJoin    puts an interface into a bridge, creating the bridge (up)
 *                 when it does not exist yet, as hostapd does;
 *   bridgeLeave   takes it out again (IFLA_MASTER 0);
 *   masterOf      the bridge an interface is in now (sysfs);
 *   deleteLink    removes a bridge this process created;
 *   linkUp        IFF_UP.
 *
 * Each call opens its own rtnetlink socket and closes it: these are rare
 * (start, stop, a backhaul station's arrival or departure).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { DriverError } from '../driver.js';
import { errnoName } from './errors.js';

type NetlinkModule = typeof import('netlink');
/** How long an rtnetlink request may wait (as NL80211_REQUEST_TIMEOUT_MS). */
const RTNL_TIMEOUT_MS = 5_000;
type RtSocket = ReturnType<NetlinkModule['createRtNetlink']>;

/** IFLA_INFO_KIND inside IFLA_LINKINFO (linux/if_link.h). */
const IFLA_INFO_KIND = 1;
/** NLM_F_CREATE | NLM_F_EXCL. */
const NLM_F_CREATE_EXCL = 0x400 | 0x200;

/** IFLA_LINKINFO's payload naming the link kind: one netlink attribute, padded to 4 octets. */
export function linkInfoKind(kind: string): Buffer {
  const value = Buffer.from(`${kind}\0`, 'latin1');
  const len = 4 + value.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(IFLA_INFO_KIND, 2);
  value.copy(out, 4);
  return out;
}

async function withRt<T>(mod: NetlinkModule, what: string, ifname: string, op: (rt: RtSocket) => Promise<T>): Promise<T> {
  const rt = mod.createRtNetlink();
  try {
    return await op(rt);
  } catch (err) {
    if (err instanceof DriverError) throw err;
    const errno = errnoName(err) ?? (err as Error).message;
    throw new DriverError(errno === 'EINVAL' || errno === 'ENODEV' ? 'BAD_CONFIG' : 'NOT_SUPPORTED', `${ifname}: ${what} failed: ${errno}`);
  } finally {
    rt.socket.close();
  }
}

/** if_nametoindex() through sysfs; a missing interface is named in the error. */
export function interfaceIndex(ifname: string): number {
  if (!/^[^/\s]{1,15}$/.test(ifname)) throw new DriverError('BAD_CONFIG', `"${ifname}" is not an interface name`);
  let text: string;
  try {
    text = readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8');
  } catch {
    throw new DriverError('BAD_CONFIG', `${ifname}: no such interface`);
  }
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n <= 0) throw new DriverError('BAD_CONFIG', `${ifname}: no such interface`);
  return n;
}

/** The ifindex of `ifname`, or undefined when there is no such interface. */
export function existingIfindex(ifname: string): number | undefined {
  try {
    return interfaceIndex(ifname);
  } catch {
    return undefined;
  }
}

/** IFLA_ADDRESS (hostapd's linux_set_ifhwaddr); the interface must be down. */
export async function setLinkAddress(mod: NetlinkModule, ifname: string, mac: string): Promise<void> {
  const address = Buffer.from(mac.split(':').map((x) => parseInt(x, 16)));
  await withRt(mod, `setting its address ${mac}`, ifname, (rt) => rt.setLink({ index: interfaceIndex(ifname) }, { address }, { timeout: RTNL_TIMEOUT_MS }));
}

export async function linkUp(mod: NetlinkModule, ifname: string): Promise<void> {
  await withRt(mod, 'bringing it up', ifname, (rt) => rt.setLink({ index: interfaceIndex(ifname), flags: { up: true }, change: { up: true } }, {}, { timeout: RTNL_TIMEOUT_MS }));
}

/** The name of the bridge (or other master) `ifname` is in, if any, as sysfs links it. */
export function masterOf(ifname: string): string | undefined {
  try {
    return basename(readlinkSync(`/sys/class/net/${ifname}/master`));
  } catch {
    return undefined;
  }
}

/**
 * Puts `ifname` into `bridge`; a missing bridge is created and brought up
 * first. Returns whether the bridge was created here (the caller removes it
 * again at the end, as hostapd does with a bridge it added).
 */
export async function bridgeJoin(mod: NetlinkModule, bridge: string, ifname: string): Promise<{ createdBridge: boolean }> {
  let brIndex = existingIfindex(bridge);
  let createdBridge = false;
  if (brIndex === undefined) {
    await withRt(mod, 'creating the bridge', bridge, (rt) =>
      rt.newLink({}, { ifname: bridge, linkinfo: linkInfoKind('bridge') }, { timeout: RTNL_TIMEOUT_MS, flags: NLM_F_CREATE_EXCL }),
    );
    createdBridge = true;
    brIndex = interfaceIndex(bridge);
    await linkUp(mod, bridge);
  }
  const master = brIndex;
  await withRt(mod, `adding it to bridge ${bridge}`, ifname, (rt) => rt.setLink({ index: interfaceIndex(ifname) }, { master }, { timeout: RTNL_TIMEOUT_MS }));
  return { createdBridge };
}

/** Takes `ifname` out of whatever bridge holds it; a vanished interface is not an error. */
export async function bridgeLeave(mod: NetlinkModule, ifname: string): Promise<void> {
  const index = existingIfindex(ifname);
  if (index === undefined) return;
  await withRt(mod, 'removing it from its bridge', ifname, (rt) => rt.setLink({ index }, { master: 0 }, { timeout: RTNL_TIMEOUT_MS }));
}

/** RTM_DELLINK; a link that is gone already is not an error. */
export async function deleteLink(mod: NetlinkModule, ifname: string): Promise<void> {
  const index = existingIfindex(ifname);
  if (index === undefined) return;
  await withRt(mod, 'deleting it', ifname, (rt) => rt.delLink({ index }, {}, { timeout: RTNL_TIMEOUT_MS }));
}
