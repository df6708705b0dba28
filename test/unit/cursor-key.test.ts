/**
 * The deployed cursor key (issue 15, item 5): read from Secrets Manager once per container, on the
 * first signed cursor (issue 18: not at cold start), then served synchronously; registered with the
 * sanitizer; no constant fallback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TableClient } from '../../shared/store/table-client.js';
import { resetSecretReader } from '../../shared/store/secret-read.js';
import { cursorKey, loadCursorKey, resetCursorKey } from '../../shared/store/cursor-key.js';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor.js';
import { sanitizeText } from '../../shared/runs/sanitize.js';
import { clearSecretRegistry } from '../../shared/runs/secret-registry.js';
import { parseSettings, setSettings } from '../../shared/settings.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:CursorKey-AbCdEf';
const GENERATED = 'fake-generated-cursor-key-0123456789-abcdefghij';

afterEach(() => {
  setSettings(undefined);
  resetCursorKey();
  resetSecretReader();
  clearSecretRegistry();
});

function deployed() {
  setSettings(parseSettings({ CURSOR_SECRET_ARN: ARN }));
  const asked: string[] = [];
  const source = { getSecretString: async (arn: string) => { asked.push(arn); return GENERATED; } };
  return { asked, source };
}

describe('the cursor key from Secrets Manager', () => {
  it('is read once per cold start, then signs cursors synchronously', async () => {
    const { asked, source } = deployed();
    expect(() => cursorKey()).toThrow(/not loaded/);
    await Promise.all([loadCursorKey(source), loadCursorKey(source)]);
    await loadCursorKey(source);
    expect(asked).toEqual([ARN]);
    expect(cursorKey()).toBe(GENERATED);
    const c = encodeCursor('runs:t', { pk: 'a', sk: 'b' })!;
    expect(decodeCursor('runs:t', c)).toEqual({ pk: 'a', sk: 'b' });
  });

  it('is registered with the sanitizer as it arrives', async () => {
    const { source } = deployed();
    await loadCursorKey(source);
    expect(sanitizeText(`key=${GENERATED}`)).not.toContain(GENERATED.slice(0, 20));
  });

  it('a cursor signed with another key is refused', async () => {
    const { source } = deployed();
    await loadCursorKey(source);
    const c = encodeCursor('runs:t', { pk: 'a' })!;
    resetCursorKey();
    await loadCursorKey({ getSecretString: async () => 'fake-another-deployments-cursor-key-000000' });
    expect(() => decodeCursor('runs:t', c)).toThrow();
  });

  it('a failed read fails this invocation and is tried again on the next; a missing or short secret is refused', async () => {
    deployed();
    let calls = 0;
    const flaky = { getSecretString: async () => { calls++; if (calls === 1) throw new Error('ThrottlingException'); return GENERATED; } };
    await expect(loadCursorKey(flaky)).rejects.toThrow('ThrottlingException');
    await expect(loadCursorKey(flaky)).resolves.toBe(GENERATED);
    resetCursorKey();
    await expect(loadCursorKey({ getSecretString: async () => undefined })).rejects.toThrow(/missing or too short/);
    await expect(loadCursorKey({ getSecretString: async () => 'short' })).rejects.toThrow(/missing or too short/);
  });

  it('a key given as a value (local runtime, tests) needs no loading', () => {
    setSettings(parseSettings({ CURSOR_SECRET: 'fake-local-cursor-key' }));
    expect(cursorKey()).toBe('fake-local-cursor-key');
  });
});

describe('the cursor key is loaded on the first signed cursor, not before (issue 18)', () => {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
  const page = (t: TableClient, cursor?: { scope: string; value?: string }) =>
    t.queryPage({ key: { pk: 'TENANT#t' }, map: (i) => i, limit: 1, ...(cursor ? { cursor } : {}) });

  it('a query without a cursor reads no secret; the first one with a cursor reads it once, through Secrets Manager', async () => {
    setSettings(parseSettings({ CURSOR_SECRET_ARN: ARN, AWS_REGION: 'eu-west-1' }));
    const ddb = mockClient(doc);
    ddb.on(QueryCommand).resolves({ Items: [{ pk: 'TENANT#t', sk: 'A' }], LastEvaluatedKey: { pk: 'TENANT#t', sk: 'A' } });
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: GENERATED });
    try {
      const t = new TableClient(doc, 'unit-table');
      expect((await page(t)).nextCursor).toBeNull();
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
      expect(() => cursorKey()).toThrow(/not loaded/);
      const first = await page(t, { scope: 'runs:t' });
      expect(first.nextCursor).toEqual(expect.any(String));
      await page(t, { scope: 'runs:t', value: first.nextCursor! });
      expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: ARN }]);
      expect(cursorKey()).toBe(GENERATED);
    } finally {
      ddb.restore();
      sm.restore();
    }
  });

  it('a key that cannot be read fails the query that needed it, and the next one reads it again', async () => {
    setSettings(parseSettings({ CURSOR_SECRET_ARN: ARN, AWS_REGION: 'eu-west-1' }));
    const ddb = mockClient(doc);
    ddb.on(QueryCommand).resolves({ Items: [] });
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({ SecretString: GENERATED });
    try {
      const t = new TableClient(doc, 'unit-table');
      await expect(page(t, { scope: 'runs:t' })).rejects.toThrow('Rate exceeded');
      expect(ddb.commandCalls(QueryCommand)).toHaveLength(0); // nothing was read without the key
      await expect(page(t, { scope: 'runs:t' })).resolves.toMatchObject({ items: [] });
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    } finally {
      ddb.restore();
      sm.restore();
    }
  });
});
