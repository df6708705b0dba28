/**
 * An obviously fake, self-signed X.509 certificate for tests of certificate credentials: an RSA key
 * from node:crypto and a minimal DER encoding of a v3 certificate (RFC 5280) signed with it —
 * node:crypto parses certificates but does not make them.
 */
import { X509Certificate, generateKeyPairSync, sign } from 'node:crypto';

const der = (tag: number, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
const seq = (...p: Buffer[]) => der(0x30, ...p);
const oid = (hex: string) => der(0x06, Buffer.from(hex, 'hex'));
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const utcTime = (d: Date) => der(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`, 'ascii'));
const SHA256_WITH_RSA = seq(oid('2a864886f70d01010b'), Buffer.from([0x05, 0x00]));
const COMMON_NAME = '550403';

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** hex, upper case, as Entra shows it */
  thumbprintSha256: string;
  /** the credential JSON a tenant's secret holds */
  credentialJson: string;
}

export function selfSignedCertificate(commonName = 'operation-runs-test-only.invalid', validDays = 2): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const name = seq(der(0x31, seq(oid(COMMON_NAME), utf8(commonName))));
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([0x02]))), // v3
    der(0x02, Buffer.from([0x01, ...Buffer.from(String(now % 1e9))])), // serial (positive)
    SHA256_WITH_RSA,
    name,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + validDays * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0x00]), signature));
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const thumbprintSha256 = new X509Certificate(certificatePem).fingerprint256.replace(/:/g, '');
  return { certificatePem, privateKeyPem, thumbprintSha256, credentialJson: JSON.stringify({ certificatePem, privateKeyPem, thumbprintSha256 }) };
}
