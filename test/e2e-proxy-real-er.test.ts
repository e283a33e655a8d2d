// Debian wpa_supplicant as External Registrar (`wpa_supplicant -Dnone`),
// wpsd ap (driver=sim) proxying and wpsd sta -D sim enrolling, all separate
// processes; see e2e-proxy-suite.ts for the topology.
import { describe } from 'vitest';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { proxyEnrollmentCases, withProxyLab } from './e2e-proxy-suite.js';

describe('Debian wpa_supplicant ER + wpsd ap + wpsd sta: wireless Enrollees through the UPnP proxy', () => {
  proxyEnrollmentCases(withProxyLab((host) => startWpaSupplicantEr({ host })));
});
