/**
 * The cursor signing key (issue 15, item 5). Deployed, it is a generated Secrets Manager secret
 * (infra/stack.ts) named by CURSOR_SECRET_ARN and read ONCE per container, on the first signed
 * cursor: TableClient.queryPage awaits `loadCursorKey()` before it decodes or encodes one, so the
 * cursor functions stay synchronous and a function that never pages with a cursor (a start, a read
 * of one run, most worker invocations) never loads the Secrets Manager client (issue 18 item 1).
 * The local runtime and tests give the key itself (CURSOR_SECRET). The key is registered with the
 * sanitizer as it arrives.
 *
 * Secrets Manager's GetSecretValue answers the secret's current version (AWSCURRENT) when no version
 * is named, in `SecretString` for a string secret — which `generateSecretString` creates.
 */
import { registerSecret } from '../runs/secret-registry.js';
import { settings } from '../settings.js';
import { readSecretString } from './secret-read.js';

export interface CursorKeySource {
  getSecretString(arn: string): Promise<string | undefined>;
}

const secretsManager: CursorKeySource = { getSecretString: (arn) => readSecretString(arn) };

let loaded: string | undefined;
let loading: Promise<string> | undefined;

/** Loads the key once (a value in the settings, else the secret behind the ARN); later calls reuse it. */
export function loadCursorKey(source: CursorKeySource = secretsManager): Promise<string> {
  if (loaded) return Promise.resolve(loaded);
  return (loading ??= (async () => {
    const s = settings();
    const value = s.cursorSecret ?? (s.cursorSecretArn ? await source.getSecretString(s.cursorSecretArn) : undefined);
    if (!value || value.length < 32 && !s.cursorSecret) throw new Error('the cursor signing key is missing or too short (CURSOR_SECRET_ARN)');
    loaded = registerSecret(value);
    return value;
  })().catch((err) => {
    loading = undefined; // a failed load (throttling, network) is tried again on the next invocation
    throw err;
  }));
}

/** The loaded key, synchronously; a key given as a value needs no loading. */
export function cursorKey(): string {
  if (loaded) return loaded;
  const value = settings().cursorSecret;
  if (value) return registerSecret(value);
  throw new Error('the cursor signing key was not loaded: await loadCursorKey() first (TableClient.queryPage does)');
}

/** For tests: forget the loaded key. */
export function resetCursorKey(): void {
  loaded = undefined;
  loading = undefined;
}
