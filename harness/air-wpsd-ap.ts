// `wpsd ap` with driver=nl80211 on an air host's radio (air.ts), with the
// same hostapd.conf Debian hostapd gets in this group (daemons.ts
// airHostapdConf): the reference AP's WPS device, WPA2-PSK/CCMP, 802.11g
// channel 1, and UPnP on the veth when asked.
import { writeFileSync } from 'node:fs';
import { REFERENCE_AP } from './hostapd.js';
import { daemonFiles, waitForCtrl } from './reference-daemon.js';
import { WPSD_CLI, WpsdApInstance } from './wpsd.js';
import type { ManagedProcess } from './netns.js';
import { NODE_START_MS, airHostapdConf, type AirHostapdOptions } from './air-daemons.js';

export { REFERENCE_AP };

/** The hostapd.conf of an nl80211 wpsd AP, written to a fresh directory. */
export function writeAirApConf(o: AirHostapdOptions): ReturnType<typeof daemonFiles> {
  const files = daemonFiles(undefined, 'wpsd-hw-ap-', 'hostapd.conf');
  writeFileSync(files.confPath, airHostapdConf({ ...o, ctrlDir: files.ctrlDir }));
  return files;
}

/** Spawns `wpsd ap -c CONF -d` on the AP host without waiting (for failure cases). */
export function spawnAirWpsdAp(o: AirHostapdOptions, args: readonly string[] = ['-d']): { proc: ManagedProcess; files: ReturnType<typeof daemonFiles> } {
  const files = writeAirApConf(o);
  const proc = o.host.spawnNode(WPSD_CLI, ['ap', '-c', files.confPath, ...args], { label: `wpsd-ap@${o.host.name}`, cwd: files.dir });
  return { proc, files };
}

/** `wpsd ap` (driver=nl80211) running: its control socket answers and it printed AP-ENABLED (and UPnP is up when asked). */
export async function startAirWpsdAp(o: AirHostapdOptions, args: readonly string[] = ['-d']): Promise<WpsdApInstance> {
  const { proc, files } = spawnAirWpsdAp(o, args);
  const inst = new WpsdApInstance(o.host, proc, files.dir, files.confPath, files.ctrlDir, files.ownsDir);
  try {
    await waitForCtrl(inst.socketPath, proc, NODE_START_MS);
    await proc.waitForOutput(/AP-ENABLED/, NODE_START_MS);
    if (o.upnp === true) await proc.waitForOutput(/WPS UPnP device on /, NODE_START_MS);
  } catch (err) {
    await inst.stop();
    throw err;
  }
  return inst;
}
