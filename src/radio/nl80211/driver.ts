/**
 * Whether the kernel has nl80211: the "nl80211" generic netlink family is
 * resolved as wpa_supplicant does at start; without cfg80211 in the kernel
 * the family does not exist and both nl80211 drivers (ap-driver.ts,
 * station-driver.ts) refuse with NL80211_UNAVAILABLE_MESSAGE.
 */
import { DriverError } from '../driver.js';
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
