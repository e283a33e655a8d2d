// Enrollment through the UPnP proxy over a lossy radio: `wpsd medium --loss
// 0.1` drops one frame in ten (beacons, probes, authentication, association,
// EAPOL alike), and wpsd ap's EAP retransmissions and wpsd sta's scan,
// association and EAPOL-Start retries still bring the station its
// credential from the External Registrar; see e2e-proxy-suite.ts for the
// topology.
import { describe } from 'vitest';
import { startWpaSupplicantEr } from '../harness/wpa-supplicant.js';
import { proxyEnrollmentCases, withProxyLab } from './e2e-proxy-suite.js';

describe('10% frame loss on the medium: Debian wpa_supplicant ER + wpsd ap + wpsd sta still enroll through the proxy', () => {
  proxyEnrollmentCases(withProxyLab((host) => startWpaSupplicantEr({ host }), ['--loss', '0.1', '--seed', '11']), { lossy: true });
});
