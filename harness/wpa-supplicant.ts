// Debian wpa_supplicant 2.10 as a reference External Registrar:
// `wpa_supplicant -Dnone -i <veth> -c er.conf` inside a namespace.
import { writeFileSync } from 'node:fs';
import { DaemonInstance, confText, daemonFiles, whenStarted, withDefaults, type WpsDeviceConfOptions, wpsDeviceLines } from './reference-daemon.js';
import type { NetnsHost } from './netns.js';

export const REFERENCE_ER = {
  uuid: '27ea801a-9e5c-4e73-bd82-f89cbcd10d7e',
  deviceName: 'Test ER',
  manufacturer: 'wpsd',
  modelName: 'ER',
  modelNumber: '1',
  serialNumber: '1',
  deviceType: '1-0050F204-1',
  osVersion: '01020300',
  // wpa_supplicant refuses label together with display ("not allowed at the same time").
  configMethods: 'keypad',
} as const;

export interface ErConfigOptions extends WpsDeviceConfOptions {
  ctrlDir: string;
}

export function erConf(o: ErConfigOptions): string {
  const v = withDefaults(REFERENCE_ER, o);
  const lines: Array<[string, string]> = [
    ['ctrl_interface', o.ctrlDir],
    ['update_config', '1'],
    ...wpsDeviceLines(v, { names: true, configMethods: true }),
  ];
  return confText(lines, o.extra);
}

export interface StartErOptions extends Omit<ErConfigOptions, 'ctrlDir'> {
  host: NetnsHost;
  /** `-dd -K` instead of `-d`. */
  keyDebug?: boolean;
  dir?: string;
}

/** A wpa_supplicant ER; currentConf() shows what update_config=1 saved. */
export class WpaSupplicantInstance extends DaemonInstance {}

export async function startWpaSupplicantEr(o: StartErOptions): Promise<WpaSupplicantInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(o.dir, 'wpsd-er-', 'er.conf');
  const { host, keyDebug, dir: _dir, ...conf } = o;
  writeFileSync(confPath, erConf({ ...conf, ctrlDir }));
  const args = ['-Dnone', '-i', host.ifname, '-c', confPath, '-t', keyDebug ? '-dd' : '-d', ...(keyDebug ? ['-K'] : [])];
  const proc = host.spawn('wpa_supplicant', args, { label: `wpa_supplicant@${host.ns}`, cwd: dir });
  return whenStarted(new WpaSupplicantInstance(host, proc, dir, confPath, ctrlDir, ownsDir));
}
