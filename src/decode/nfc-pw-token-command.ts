/**
 * `wpsd nfc-pw-token`: a new NFC password token and the configuration lines
 * that make a device use it, printed as wpa_supplicant's nfc_pw_token tool
 * prints them: the token raw (#WPS=) and as an NDEF message (#NDEF=) for the
 * tag writer, then wps_nfc_dev_pw_id, wps_nfc_dh_pubkey, wps_nfc_dh_privkey
 * and wps_nfc_dev_pw for hostapd.conf or wpa_supplicant.conf. The private
 * key and password are secrets: they go to standard output only.
 */
import type { Command } from 'commander';

/** The lines, in nfc_pw_token's order and uppercase hex. */
export async function nfcPwTokenLines(): Promise<string[]> {
  const { generatePasswordToken } = await import('../wps/nfc/nfc-token.js');
  const { wrapWscNdef } = await import('../wps/nfc/ndef.js');
  const t = generatePasswordToken();
  const hex = (b: Buffer): string => b.toString('hex').toUpperCase();
  return [
    `#WPS=${hex(t.token)}`,
    `#NDEF=${hex(wrapWscNdef(t.token))}`,
    `wps_nfc_dev_pw_id=${t.passwordId}`,
    `wps_nfc_dh_pubkey=${hex(t.publicKey)}`,
    `wps_nfc_dh_privkey=${hex(t.privateKey)}`,
    `wps_nfc_dev_pw=${hex(t.password)}`,
  ];
}

export function register(program: Command): void {
  program
    .command('nfc-pw-token')
    .description('generate an NFC password token and the wps_nfc_* configuration lines that go with it (like nfc_pw_token)')
    .action(async () => {
      for (const l of await nfcPwTokenLines()) process.stdout.write(l + '\n');
    });
}
