// Debian hostapd 2.10 as a reference AP: driver=wired on a namespace's veth,
// UPnP WFADevice on the same veth (upnp_iface), AP PIN for ER learn/config.
import { writeFileSync } from 'node:fs';
import { DaemonInstance, START_TIMEOUT_MS, confText, daemonFiles, whenStarted, withDefaults, wpsDeviceLines, type WpsDeviceConfOptions } from './reference-daemon.js';
import type { ManagedProcess, NetnsHost } from './netns.js';

// Started daemons are polled on their control socket; kept here too for the callers that import it from this file.
export { waitForCtrl } from './reference-daemon.js';

export interface HostapdConfigOptions extends WpsDeviceConfOptions {
  ifname: string;
  ctrlDir: string;
  ssid?: string;
  passphrase?: string;
  apPin?: string;
  friendlyName?: string;
  manufacturerUrl?: string;
  modelDescription?: string;
  modelUrl?: string;
  upc?: string;
}

/** The values the reference fixtures were recorded with. */
export const REFERENCE_AP = {
  ssid: 'test-wps',
  passphrase: '12345678',
  apPin: '12345670',
  uuid: '12345678-9abc-def0-1234-56789abcdef0',
  deviceName: 'Wired AP',
  manufacturer: 'Company',
  modelName: 'WAP',
  modelNumber: '123',
  serialNumber: '12345',
  deviceType: '6-0050F204-1',
  osVersion: '01020300',
  configMethods: 'label display push_button keypad',
  friendlyName: 'WPS Access Point',
  manufacturerUrl: 'http://www.example.com/',
  modelDescription: 'Wireless Access Point',
  modelUrl: 'http://www.example.com/model/',
  upc: '123456789012',
} as const;

export function hostapdConf(o: HostapdConfigOptions): string {
  const v = withDefaults(REFERENCE_AP, o);
  const lines: Array<[string, string]> = [
    ['driver', 'wired'],
    ['interface', o.ifname],
    ['ctrl_interface', o.ctrlDir],
    ['ieee8021x', '0'],
    ['eap_server', '1'],
    ['wps_state', '2'],
    ['ap_pin', v.apPin],
    ...wpsDeviceLines(v),
    ['upnp_iface', o.ifname],
    ['friendly_name', v.friendlyName],
    ['manufacturer_url', v.manufacturerUrl],
    ['model_description', v.modelDescription],
    ['model_url', v.modelUrl],
    ['upc', v.upc],
    ['ssid', v.ssid],
    ['wpa', '2'],
    ['wpa_key_mgmt', 'WPA-PSK'],
    ['rsn_pairwise', 'CCMP'],
    ['wpa_passphrase', v.passphrase],
  ];
  return confText(lines, o.extra);
}

export interface StartHostapdOptions extends Omit<HostapdConfigOptions, 'ifname' | 'ctrlDir'> {
  host: NetnsHost;
  /** `-dd -K`: full debug with key material (for crypto fixtures). Default: `-d`. */
  keyDebug?: boolean;
  /** Use this directory for conf + ctrl instead of a fresh temp dir (kept on stop). */
  dir?: string;
}

export class HostapdInstance extends DaemonInstance {
  constructor(host: NetnsHost, proc: ManagedProcess, dir: string, confPath: string, ctrlDir: string, readonly uuid: string, ownsDir: boolean) {
    super(host, proc, dir, confPath, ctrlDir, ownsDir);
  }

  override get cliTool(): 'hostapd_cli' {
    return 'hostapd_cli';
  }
}

export async function startHostapd(o: StartHostapdOptions): Promise<HostapdInstance> {
  const { dir, ownsDir, ctrlDir, confPath } = daemonFiles(o.dir, 'wpsd-hostapd-', 'hostapd.conf');
  const { host, keyDebug, dir: _dir, ...conf } = o;
  writeFileSync(confPath, hostapdConf({ ...conf, ifname: host.ifname, ctrlDir }));
  const args = keyDebug ? ['-dd', '-K', '-t', confPath] : ['-d', '-t', confPath];
  const proc = host.spawn('hostapd', args, { label: `hostapd@${host.ns}`, cwd: dir });
  // UPnP is up once the first SSDP advertisement round has gone out.
  return whenStarted(new HostapdInstance(host, proc, dir, confPath, ctrlDir, o.uuid ?? REFERENCE_AP.uuid, ownsDir), (inst) =>
    inst.proc.waitForOutput(/WPS UPnP: ADVERTISE_UP/, START_TIMEOUT_MS),
  );
}
