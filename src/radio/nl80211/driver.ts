/**
 * The nl80211 backend's entry: it resolves the "nl80211" generic netlink
 * family as wpa_supplicant does at start; without cfg80211 in the kernel the
 * family does not exist and the backend refuses with
 * NL80211_UNAVAILABLE_MESSAGE. The station driver is station-driver.ts (on
 * connection.ts and ops.ts); the AP side here still refuses with
 * NOT_SUPPORTED when the family exists.
 */
import { DriverError, type DriverConfig } from '../driver.js';
import { resolveFamily, type NetlinkTransport, type GenlFamily, ENOENT } from './family.js';
import { openGenericNetlink } from './transport.js';
import { NetlinkError } from './netlink-message.js';

export const NL80211_GENL_NAME = 'nl80211';
export const NL80211_UNAVAILABLE_MESSAGE = 'nl80211 is not available on this kernel; use driver=sim';

/** Finds the nl80211 family or throws DriverError NOT_AVAILABLE with the clear message. */
export async function probeNl80211(transport?: NetlinkTransport): Promise<GenlFamily> {
  const t = transport ?? (await openGenericNetlink());
  try {
    const r = await resolveFamily(t, NL80211_GENL_NAME, (Date.now() & 0x7fffffff) >>> 0);
    if (r.found) return r.family;
    if (r.errno === ENOENT) throw new DriverError('NOT_AVAILABLE', NL80211_UNAVAILABLE_MESSAGE);
    throw new DriverError('NOT_AVAILABLE', `${NL80211_UNAVAILABLE_MESSAGE} (family lookup failed with errno ${r.errno})`);
  } catch (err) {
    if (err instanceof NetlinkError) throw new DriverError('NOT_AVAILABLE', `${NL80211_UNAVAILABLE_MESSAGE} (bad kernel reply: ${err.message})`);
    throw err;
  } finally {
    if (!transport) t.close();
  }
}

/**
 * AP driver=nl80211: fails with the clear message when the kernel has no nl80211,
 * and refuses (NOT_SUPPORTED) when it has: the AP over nl80211 is not built on this branch.
 */
export async function openNl80211Driver(cfg: Pick<DriverConfig, 'ifname'>, transport?: NetlinkTransport): Promise<never> {
  const family = await probeNl80211(transport);
  throw new DriverError(
    'NOT_SUPPORTED',
    `nl80211 family found (id ${family.id}) but wpsd's nl80211 backend cannot drive ${cfg.ifname} yet; use driver=sim`,
  );
}
