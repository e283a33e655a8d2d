// wpsd's own External Registrar (`wpsd sta -D none`) in place of Debian's,
// with wpsd ap (driver=sim) proxying and wpsd sta -D sim enrolling, all
// separate processes; see e2e-proxy-suite.ts for the topology.
import { describe } from 'vitest';
import { startWpsdSta } from '../harness/wpsd.js';
import { proxyEnrollmentCases, withProxyLab } from './e2e-proxy-suite.js';

describe('wpsd sta -D none ER + wpsd ap + wpsd sta: wireless Enrollees through the UPnP proxy', () => {
  proxyEnrollmentCases(withProxyLab((host) => startWpsdSta({ host, args: ['-d'] })));
});
