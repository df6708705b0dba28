/**
 * Issue 19: the local runtime's secret book keeps credentials given through the API in a 0600 file
 * (so they survive a restart of `npm start`) or in memory, and LocalSecretResolver resolves their
 * `local:` refs — the agreed `{ clientSecret }` JSON as the client secret.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalSecretBook } from '../../shared/graph/local-secret-book.js';
import { LocalSecretResolver, parseCredential } from '../../shared/graph/secrets.js';
import { parseSettings, setSettings } from '../../shared/settings.js';

const dirs: string[] = [];
afterEach(() => {
  setSettings(undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the local secret book', () => {
  it('a file-backed book survives a restart (a new book on the same file reads it), and the file is 0600', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'secret-book-'));
    dirs.push(dir);
    const file = path.join(dir, 'state', 'secrets.json');
    const ref = await new LocalSecretBook(file).put('operation-runs/graph/tailspin/01A', '{"clientSecret":"fake-client-secret-1"}');
    expect(ref).toBe('local:operation-runs/graph/tailspin/01A');
    expect(new LocalSecretBook(file).get('operation-runs/graph/tailspin/01A')).toBe('{"clientSecret":"fake-client-secret-1"}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The resolver reads the book of this process's settings.
    setSettings(parseSettings({ CURSOR_SECRET: 'x', LOCAL_SECRETS_FILE: file }));
    expect(await new LocalSecretResolver({}, null).resolve(ref)).toEqual({ kind: 'secret', clientSecret: 'fake-client-secret-1' });
    await expect(new LocalSecretResolver({}, null).resolve('local:unknown')).rejects.toThrow(/no secret/);
  });

  it('a memory book forgets on restart; the stored JSON of a secret or a certificate parses into a typed credential', async () => {
    const book = new LocalSecretBook(undefined);
    await book.put('x', 'plain');
    expect(book.get('x')).toBe('plain');
    expect(new LocalSecretBook(undefined).get('x')).toBeUndefined();
    const thumbprintSha256 = 'ab'.repeat(32);
    const cert = JSON.stringify({ certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', thumbprintSha256 });
    expect(parseCredential('local:c', cert)).toMatchObject({ kind: 'certificate', thumbprintSha256: thumbprintSha256.toUpperCase() });
    expect(parseCredential('local:s', '{"clientSecret":"s"}')).toEqual({ kind: 'secret', clientSecret: 's' });
  });
});
