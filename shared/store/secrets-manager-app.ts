/**
 * The two Secrets Manager exports the secret readers use (./secret-read.ts), as one module imported on
 * first use: through it esbuild keeps only these (an import() of the package would keep every
 * command). Deployed, it is a chunk of its own (bundling-options.ts, code splitting).
 */
export { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
