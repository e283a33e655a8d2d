/**
 * Resolving a generic netlink family by name with CTRL_CMD_GETFAMILY
 * (linux/genetlink.h), as iw and wpa_supplicant (genl_ctrl_resolve) do for
 * "nl80211". The kernel answers CTRL_CMD_NEWFAMILY with the family's ID, or
 * NLMSG_ERROR with -ENOENT when no such family is registered, which is the
 * case when cfg80211 is not part of the kernel.
 */
import {
  NlmsgType,
  NlmFlag,
  NetlinkError,
  buildNetlinkMessage,
  buildAttribute,
  genlPayload,
  parseNetlinkMessages,
  parseGenlHeader,
  parseAttributes,
  parseErrorPayload,
  attrU16,
  attrU32,
  attrString,
  stringPayload,
} from './netlink-message.js';

export const GENL_ID_CTRL = 0x10;
export const CTRL_VERSION = 1;
export const GENL_NAMSIZ = 16;

export const CtrlCmd = { NEWFAMILY: 1, DELFAMILY: 2, GETFAMILY: 3 } as const;
export const CtrlAttr = { FAMILY_ID: 1, FAMILY_NAME: 2, VERSION: 3, HDRSIZE: 4, MAXATTR: 5, OPS: 6, MCAST_GROUPS: 7 } as const;
export const CtrlAttrMcastGrp = { NAME: 1, ID: 2 } as const;
export const ENOENT = 2;

export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  hdrSize: number;
  maxAttr: number;
  /** Multicast group name -> group ID ("config", "scan", "mlme", ... for nl80211). */
  multicastGroups: Map<string, number>;
}

export type FamilyResolution = { found: true; family: GenlFamily } | { found: false; errno: number };

export function buildGetFamilyRequest(name: string, seq: number, pid = 0): Uint8Array {
  const enc = stringPayload(name);
  if (enc.length > GENL_NAMSIZ) throw new NetlinkError('TOO_LONG', `family name "${name}" exceeds ${GENL_NAMSIZ - 1} octets`);
  return buildNetlinkMessage({
    type: GENL_ID_CTRL,
    flags: NlmFlag.REQUEST | NlmFlag.ACK,
    seq,
    pid,
    payload: genlPayload({ cmd: CtrlCmd.GETFAMILY, version: CTRL_VERSION }, [buildAttribute(CtrlAttr.FAMILY_NAME, enc)]),
  });
}

/**
 * Interprets the kernel's answer to buildGetFamilyRequest(`name`, `seq`).
 * Returns undefined when the datagram holds nothing for `seq` (keep waiting);
 * throws NetlinkError when it is malformed.
 */
export function parseGetFamilyReply(datagram: Uint8Array, name: string, seq: number): FamilyResolution | undefined {
  for (const m of parseNetlinkMessages(datagram)) {
    if (m.seq !== seq) continue;
    if (m.type === NlmsgType.ERROR) {
      const { error } = parseErrorPayload(m.payload);
      if (error === 0) continue; // the ACK that follows a NEWFAMILY answer
      return { found: false, errno: -error };
    }
    if (m.type !== GENL_ID_CTRL) continue;
    const { header, attributes } = parseGenlHeader(m.payload);
    if (header.cmd !== CtrlCmd.NEWFAMILY) continue;
    const family = familyFromAttributes(attributes);
    if (family.name !== name) throw new NetlinkError('BAD_ATTRIBUTE', `asked for family "${name}", the kernel described "${family.name}"`);
    return { found: true, family };
  }
  return undefined;
}

function familyFromAttributes(buf: Uint8Array): GenlFamily {
  let id: number | undefined;
  let name: string | undefined;
  const family: Omit<GenlFamily, 'id' | 'name'> = { version: 0, hdrSize: 0, maxAttr: 0, multicastGroups: new Map() };
  for (const a of parseAttributes(buf)) {
    switch (a.type) {
      case CtrlAttr.FAMILY_ID:
        id = attrU16(a);
        break;
      case CtrlAttr.FAMILY_NAME:
        name = attrString(a);
        break;
      case CtrlAttr.VERSION:
        family.version = attrU32(a);
        break;
      case CtrlAttr.HDRSIZE:
        family.hdrSize = attrU32(a);
        break;
      case CtrlAttr.MAXATTR:
        family.maxAttr = attrU32(a);
        break;
      case CtrlAttr.MCAST_GROUPS:
        for (const group of parseAttributes(a.payload)) {
          let gname: string | undefined;
          let gid: number | undefined;
          for (const ga of parseAttributes(group.payload)) {
            if (ga.type === CtrlAttrMcastGrp.NAME) gname = attrString(ga);
            else if (ga.type === CtrlAttrMcastGrp.ID) gid = attrU32(ga);
          }
          if (gname === undefined || gid === undefined) throw new NetlinkError('BAD_ATTRIBUTE', 'multicast group without name or ID');
          family.multicastGroups.set(gname, gid);
        }
        break;
      default:
        break; // OPS and newer attributes are not needed here
    }
  }
  if (id === undefined || name === undefined) throw new NetlinkError('BAD_ATTRIBUTE', 'family description without ID or name');
  return { id, name, ...family };
}

/** Sends a request datagram and hands back every datagram received until `done` says stop. */
export interface NetlinkTransport {
  request(datagram: Uint8Array, seq: number, done: (reply: Uint8Array) => boolean): Promise<void>;
  close(): void;
}

export async function resolveFamily(transport: NetlinkTransport, name: string, seq: number): Promise<FamilyResolution> {
  let result: FamilyResolution | undefined;
  await transport.request(buildGetFamilyRequest(name, seq), seq, (reply) => {
    result = parseGetFamilyReply(reply, name, seq);
    return result !== undefined;
  });
  if (result === undefined) throw new NetlinkError('TRUNCATED', `no answer to CTRL_CMD_GETFAMILY for "${name}"`);
  return result;
}
