/**
 * UPnP type URNs ("urn:schemas-upnp-org:device:Name:1", UDA 1.0 2.1) split
 * into base and version, for version-aware matching in SSDP and descriptions.
 *
 * API:
 *   splitTypeVersion(type): { base, version } | undefined
 */

/** Splits "urn:domain:service:Name:3" into prefix and version; undefined if not a versioned type. */
export function splitTypeVersion(type: string): { base: string; version: number } | undefined {
  const m = /^(urn:[^:]+:(?:device|service):[^:]+):(\d{1,4})$/.exec(type);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { base: m[1], version: Number(m[2]) };
}
