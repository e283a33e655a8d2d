/** The kernel's nl80211 refusals as DriverErrors whose messages name the interface. */
import { DriverError, type DriverErrorCode } from '../driver.js';

/** The errno name (EBUSY, ENODEV, ...) of a rejection from the netlink package ("Request rejected: EBUSY"). */
export function errnoName(err: unknown): string | undefined {
  const m = /Request rejected: (E[A-Z0-9]+|-?\d+)/.exec((err as Error | undefined)?.message ?? '');
  return m?.[1];
}

const BUSY = new Set(['EBUSY', 'EALREADY', 'EINPROGRESS', 'EEXIST']);

/** `what` failed on `ifname`: EBUSY/EALREADY become BUSY (another program holds the interface, or an operation runs). */
export function nl80211Failure(ifname: string, what: string, err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  const name = errnoName(err);
  const message = (err as Error | undefined)?.message ?? String(err);
  let code: DriverErrorCode = 'NOT_SUPPORTED';
  if (name !== undefined && BUSY.has(name)) code = 'BUSY';
  else if (name === 'ENOLINK' || name === 'ENETDOWN' || name === 'ENOTCONN') code = 'NOT_CONNECTED';
  else if (name === 'EINVAL' || name === 'ERANGE') code = 'BAD_CONFIG';
  else if (name === 'ENODEV') code = 'LINK_DOWN';
  else if (/Timeout/.test(message)) code = 'LINK_DOWN';
  return new DriverError(code, `${ifname}: ${what} failed: ${name ?? message}`);
}
