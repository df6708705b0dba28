/**
 * A tenant's Graph app credential as the API receives it (issue 19) and as it is stored in Secrets
 * Manager: a client secret, or a certificate with its private key. The stored form is a JSON string
 * agreed with the token acquisition (shared/graph/client.ts):
 *
 *   { "clientSecret": "…" }                                                  a secret
 *   { "certificatePem": "…", "privateKeyPem": "…", "thumbprintSha256": "…" } a certificate (hex, no colons)
 *
 * The credential goes to the secret store only — never the table, a response or a log line — and
 * every secret part is registered with the sanitizer's registry (shared/runs/secret-registry.ts) the
 * moment it is parsed, so an error message that quoted it would be redacted.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import * as z from '../zod.js';
import { registerSecret } from '../runs/secret-registry.js';

const CERT_PEM = /^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;
// PKCS#8 (PRIVATE KEY) or PKCS#1 / SEC1 (RSA / EC PRIVATE KEY); never an encrypted key (no passphrase is kept).
const KEY_PEM = /^\s*-----BEGIN (?:RSA |EC )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (?:RSA |EC )?PRIVATE KEY-----\s*$/;
const MAX_PEM = 16 * 1024;

const secretCredential = z.strictObject({
  type: z.literal('secret'),
  // Entra ID client secrets are 40 characters; anything printable from 8 to 1024 is accepted.
  secret: z.pipe(z.string().check(z.minLength(8), z.maxLength(1024), z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')), z.transform((s: string) => registerSecret(s))),
});

const certificateCredential = z
  .strictObject({
    type: z.literal('certificate'),
    certificatePem: z.string().check(z.maxLength(MAX_PEM), z.regex(CERT_PEM, 'must be one PEM certificate (-----BEGIN CERTIFICATE-----)')),
    privateKeyPem: z.pipe(
      z.string().check(z.maxLength(MAX_PEM), z.regex(KEY_PEM, 'must be an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)')),
      z.transform((s: string) => registerSecret(s)),
    ),
  })
  .check(z.superRefine((c, ctx) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(c.certificatePem);
    } catch {
      return void ctx.addIssue({ code: 'custom', path: ['certificatePem'], message: 'is not a readable X.509 certificate' });
    }
    let key: ReturnType<typeof createPrivateKey>;
    try {
      key = createPrivateKey(c.privateKeyPem);
    } catch {
      return void ctx.addIssue({ code: 'custom', path: ['privateKeyPem'], message: 'is not a readable private key' });
    }
    if (!cert.checkPrivateKey(key)) ctx.addIssue({ code: 'custom', path: ['privateKeyPem'], message: 'does not belong to the certificate' });
    if (Date.parse(cert.validTo) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['certificatePem'], message: `expired on ${new Date(cert.validTo).toISOString()}` });
  }));

/** `{ type: "secret", secret }` or `{ type: "certificate", certificatePem, privateKeyPem }` (400 otherwise). */
export const graphCredentialSchema = z.discriminatedUnion('type', [secretCredential, certificateCredential]);
export type GraphCredential = z.infer<typeof graphCredentialSchema>;

/** The certificate's SHA-256 thumbprint, hex without colons (what Entra ID shows and MSAL takes). */
export const thumbprintSha256 = (certificatePem: string) => new X509Certificate(certificatePem).fingerprint256.replace(/:/g, '');

/** The credential as the JSON string the secret store keeps (the agreed format above). */
export function credentialSecretString(c: GraphCredential): string {
  if (c.type === 'secret') return JSON.stringify({ clientSecret: c.secret });
  return JSON.stringify({ certificatePem: c.certificatePem, privateKeyPem: c.privateKeyPem, thumbprintSha256: thumbprintSha256(c.certificatePem) });
}

/** What may be said about a credential in the table and in answers: its kind (and a certificate's thumbprint), never its secret. */
export function credentialSummary(c: GraphCredential): { type: 'secret' } | { type: 'certificate'; thumbprintSha256: string; notAfter: string } {
  if (c.type === 'secret') return { type: 'secret' };
  const cert = new X509Certificate(c.certificatePem);
  return { type: 'certificate', thumbprintSha256: thumbprintSha256(c.certificatePem), notAfter: new Date(cert.validTo).toISOString() };
}
