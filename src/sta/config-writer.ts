/**
 * save_config / update_config=1: regenerate wpa_supplicant.conf the way
 * wpa_config_write() does - the global settings it knows (only those that
 * differ from the defaults), then each network as "\nnetwork={\n", tab-indented
 * fields, "}\n". Comments are not kept (wpa_supplicant does not keep them
 * either). The file is replaced atomically.
 */
import { stat } from 'node:fs/promises';
import { writeFileAtomic } from '../common/atomic-write.js';
import { byteString } from '../conf/values.js';
import { isSavedNetwork, networkFieldLines, type NetworkBlock } from './config-network.js';
import { DEFAULT_AP_SCAN, type WpaSupplicantConfig } from './config.js';
import { nfcConfigLines } from '../wps/nfc/nfc-config.js';
import { formatDeviceType, formatUuid } from '../wps/device.js';

function utf8Bytes(s: string): string {
  return byteString(Buffer.from(s, 'utf8'));
}

/** The global lines, in wpa_config_write_global() order. */
export function globalLines(c: WpaSupplicantConfig): string[] {
  const out: string[] = [];
  const str = (k: string, v: string | undefined): void => {
    if (v !== undefined) out.push(`${k}=${utf8Bytes(v)}`);
  };
  str('ctrl_interface', c.ctrlInterface);
  str('ctrl_interface_group', c.ctrlInterfaceGroup);
  if (c.apScan !== DEFAULT_AP_SCAN) out.push(`ap_scan=${c.apScan}`);
  str('driver_param', c.driverParam);
  if (c.updateConfig !== 0) out.push(`update_config=${c.updateConfig}`);
  if (c.uuid && c.uuid.some((b) => b !== 0)) out.push(`uuid=${formatUuid(c.uuid)}`);
  str('device_name', c.deviceName);
  str('manufacturer', c.manufacturer);
  str('model_name', c.modelName);
  str('model_number', c.modelNumber);
  str('serial_number', c.serialNumber);
  if (c.deviceType) {
    const t = formatDeviceType(c.deviceType);
    if (t !== '0-00000000-0') out.push(`device_type=${t}`);
  }
  if (c.osVersion && c.osVersion.readUInt32BE(0) !== 0) out.push(`os_version=${c.osVersion.toString('hex')}`);
  str('config_methods', c.configMethods);
  if (c.wpsCredProcessing !== 0) out.push(`wps_cred_processing=${c.wpsCredProcessing}`);
  str('country', c.country);
  if (c.wpsNfcFromConfig) out.push(...nfcConfigLines(c.wpsNfc));
  if (c.pmf !== 0) out.push(`pmf=${c.pmf}`);
  str('sim_medium', c.simMedium);
  for (const e of c.extraGlobals) out.push(`${e.name}=${e.value}`);
  return out;
}

/** The whole file as a byte string (latin1 code units = bytes). */
export function formatWpaSupplicantConfig(c: WpaSupplicantConfig, networks: readonly NetworkBlock[] = c.networks): string {
  let s = globalLines(c).map((l) => `${l}\n`).join('');
  for (const net of networks) {
    if (!isSavedNetwork(net)) continue;
    s += '\nnetwork={\n';
    for (const l of networkFieldLines(net)) s += `\t${l}\n`;
    s += '}\n';
  }
  return s;
}

export interface SaveWpaSupplicantConfigOptions {
  /** Replaces writeFileAtomic (tests). */
  writeFile?: (path: string, data: Uint8Array, mode: number) => Promise<void>;
}

/**
 * Writes the configuration to `path` atomically. The new file keeps the old
 * file's permission bits plus owner read/write, and is 0600 when there was none.
 */
export async function saveWpaSupplicantConfig(
  path: string,
  c: WpaSupplicantConfig,
  networks: readonly NetworkBlock[] = c.networks,
  opts: SaveWpaSupplicantConfigOptions = {},
): Promise<void> {
  let mode = 0o600;
  try {
    mode = ((await stat(path)).mode & 0o777) | 0o600;
  } catch {
    // No old file: wpa_supplicant creates it with umask 077.
  }
  const write = opts.writeFile ?? writeFileAtomic;
  await write(path, Buffer.from(formatWpaSupplicantConfig(c, networks), 'latin1'), mode);
}
