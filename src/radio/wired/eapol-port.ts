/**
 * The wired EAPOL port: IEEE 802.1X PAE frames (EtherType 0x888E) on one
 * Ethernet interface, through native/eapol-socket.c (an AF_PACKET socket
 * bound to the interface, member of the PAE group address 01:80:c2:00:00:03,
 * read on Node's loop), as hostapd's driver_wired and wpa_supplicant's -D
 * wired open it.
 *
 * Why a small Node-API addon of our own: Node has no AF_PACKET socket, and
 * the npm packages near it do not fit: raw-socket (1.8.1) opens AF_INET/
 * AF_INET6 raw IP sockets only, no link layer; cap (0.2.1) and pcap (3.x)
 * capture and inject through libpcap, so they need libpcap-dev at build
 * time, a NAN (not ABI-stable) native build per Node version, and bring a
 * capture library for what is one socket. The addon is 240 lines of C with
 * no dependency, builds in about 0.5 s with the system C compiler against the
 * Node-API headers Node ships (scripts/build-native.mjs, no node-gyp and no
 * download), and keeps working across Node versions (Node-API is ABI-stable).
 *
 * API:
 *   EapolPort.open(ifname, onFrame): EapolPort   throws EapolPortError
 *   .send(dst, src, eapol)   .close()
 *   PAE_GROUP_ADDRESS  ETHERNET_HEADER_LEN  eapolPortAvailable()
 */
import { WpsdError } from '../../common/errors.js';
import { findNativeModule, nativeModulePath, requireNativeModule } from '../../common/native-module.js';
import { ETHERTYPE_EAPOL } from '../eapol.js';
import { macFromBytes, macToBytes, type MacAddress } from '../mac.js';

/** IEEE 802.1X-2010 Table 11-1: the Port Access Entity group address (bridges do not forward it). */
export const PAE_GROUP_ADDRESS: MacAddress = '01:80:c2:00:00:03';
/** Destination, source, EtherType. */
export const ETHERNET_HEADER_LEN = 14;
/** The native module's own bound on a frame (hostapd's driver_wired reads 3000 bytes). */
export const ETHERNET_FRAME_MAX = 3000;
const MODULE_NAME = 'eapol-socket';

export type EapolPortErrorCode = 'NOT_BUILT' | 'OPEN_FAILED' | 'SEND_FAILED' | 'CLOSED';

export class EapolPortError extends WpsdError<EapolPortErrorCode> {
  constructor(
    code: EapolPortErrorCode,
    message: string,
    /** The errno name from the kernel (EPERM, ENODEV, ...), when one. */
    readonly errno?: string,
  ) {
    super(code, message);
  }
}

interface NativeEapolSocket {
  open(ifname: string, onFrame: (frame: Buffer) => void): unknown;
  send(handle: unknown, frame: Buffer): void;
  close(handle: unknown): void;
}

let native: NativeEapolSocket | undefined;

function loadNative(): NativeEapolSocket {
  if (native !== undefined) return native;
  const path = findNativeModule(MODULE_NAME);
  if (path === undefined) {
    throw new EapolPortError('NOT_BUILT', `the wired EAPOL port needs its native module (${nativeModulePath(MODULE_NAME)}); build it with \`npm run build:native\` (needs a C compiler)`);
  }
  native = requireNativeModule<NativeEapolSocket>(path);
  return native;
}

/** Whether driver=wired can open a port here (the native module is built). */
export function eapolPortAvailable(): boolean {
  return process.platform === 'linux' && findNativeModule(MODULE_NAME) !== undefined;
}

function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export interface EapolFrameIn {
  dst: MacAddress;
  src: MacAddress;
  /** The EAPOL PDU and whatever link padding followed it. */
  eapol: Uint8Array;
}

export class EapolPort {
  private handle: unknown;

  private constructor(
    readonly ifname: string,
    private readonly lib: NativeEapolSocket,
  ) {}

  /** Opens the port; `onFrame` gets every EAPOL frame another host sent on the link. Needs CAP_NET_RAW. */
  static open(ifname: string, onFrame: (frame: EapolFrameIn) => void): EapolPort {
    const lib = loadNative();
    const port = new EapolPort(ifname, lib);
    try {
      port.handle = lib.open(ifname, (frame) => {
        // The socket is bound to 0x888E; a tagged or runt frame is not ours.
        if (frame.length < ETHERNET_HEADER_LEN || frame.readUInt16BE(12) !== ETHERTYPE_EAPOL) return;
        onFrame({ dst: macFromBytes(frame.subarray(0, 6)), src: macFromBytes(frame.subarray(6, 12)), eapol: frame.subarray(ETHERNET_HEADER_LEN) });
      });
    } catch (e) {
      const errno = errnoOf(e);
      const hint = errno === 'EPERM' ? ' (an AF_PACKET socket needs root or CAP_NET_RAW)' : '';
      throw new EapolPortError('OPEN_FAILED', `${ifname}: cannot open the EAPOL port: ${(e as Error).message}${hint}`, errno);
    }
    return port;
  }

  /** Sends one EAPOL PDU from `src` to `dst` (a station, or PAE_GROUP_ADDRESS). */
  send(dst: MacAddress, src: MacAddress, eapol: Uint8Array): void {
    if (this.handle === undefined) throw new EapolPortError('CLOSED', `${this.ifname}: the EAPOL port is closed`);
    if (ETHERNET_HEADER_LEN + eapol.length > ETHERNET_FRAME_MAX) {
      throw new EapolPortError('SEND_FAILED', `${this.ifname}: an EAPOL PDU of ${eapol.length} octets does not fit one frame`);
    }
    const frame = Buffer.alloc(ETHERNET_HEADER_LEN + eapol.length);
    frame.set(macToBytes(dst), 0);
    frame.set(macToBytes(src), 6);
    frame.writeUInt16BE(ETHERTYPE_EAPOL, 12);
    frame.set(eapol, ETHERNET_HEADER_LEN);
    try {
      this.lib.send(this.handle, frame);
    } catch (e) {
      throw new EapolPortError('SEND_FAILED', `${this.ifname}: ${(e as Error).message}`, errnoOf(e));
    }
  }

  close(): void {
    if (this.handle === undefined) return;
    this.lib.close(this.handle);
    this.handle = undefined;
  }
}
