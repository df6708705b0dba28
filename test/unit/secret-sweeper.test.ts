/**
 * Issue 19 follow-up: superseded Graph credentials are deleted once the tenant profile stops naming
 * them. The Secrets Manager writer's delete sends a recovery window and treats a secret already
 * gone as done; the sweeper deletes exactly the refs the old image named and the new one does not,
 * never one the tenant names now, and a failed deletion is retried from its record.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { DeleteSecretCommand, InvalidRequestException, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GRAPH_SECRET_RECOVERY_DAYS, SecretsManagerSecretWriter } from '../../shared/graph/secret-store.js';
import { LocalSecretBook } from '../../shared/graph/local-secret-book.js';
import { isTenantProfileRecord, supersededRefs, sweepSecrets, type SecretSweeperDeps } from '../../shared/tenants/secret-sweeper.js';
import { keys } from '../../shared/store/keys.js';

const sm = mockClient(SecretsManagerClient);
beforeEach(() => sm.reset());

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:operation-runs/graph/Prod/contoso/01OLD-AbCdEf';

describe('SecretsManagerSecretWriter.delete', () => {
  const writer = () => new SecretsManagerSecretWriter(new SecretsManagerClient({ region: 'eu-west-1' }));

  it('schedules the deletion with the recovery window, never forced', async () => {
    sm.on(DeleteSecretCommand).resolves({ ARN, DeletionDate: new Date() });
    await writer().delete(ARN);
    const calls = sm.commandCalls(DeleteSecretCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([{ SecretId: ARN, RecoveryWindowInDays: 7 }]);
    expect(GRAPH_SECRET_RECOVERY_DAYS).toBeGreaterThanOrEqual(7);
    expect(GRAPH_SECRET_RECOVERY_DAYS).toBeLessThanOrEqual(30);
  });

  it('a secret already gone (ResourceNotFound) or already scheduled for deletion is done; other errors propagate', async () => {
    sm.on(DeleteSecretCommand).rejects(new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} }));
    await expect(writer().delete(ARN)).resolves.toBeUndefined();
    sm.on(DeleteSecretCommand).rejects(new InvalidRequestException({ message: 'You can\'t perform this operation on the secret because it was marked for deletion.', $metadata: {} }));
    await expect(writer().delete(ARN)).resolves.toBeUndefined();
    sm.on(DeleteSecretCommand).rejects(new InvalidRequestException({ message: 'You can\'t delete a primary secret that is replicated.', $metadata: {} }));
    await expect(writer().delete(ARN)).rejects.toThrow(/replicated/);
    sm.on(DeleteSecretCommand).rejects(Object.assign(new Error('User is not authorized to perform: secretsmanager:DeleteSecret'), { name: 'AccessDeniedException' }));
    await expect(writer().delete(ARN)).rejects.toThrow(/not authorized/);
  });
});

describe('LocalSecretBook.delete', () => {
  it('schedules the deletion (unreadable at once, as Secrets Manager); deleting it again (or an unknown ref) is harmless; a non-local ref is refused', async () => {
    const book = new LocalSecretBook(undefined);
    const keep = await book.put('p/t/keep', 'k');
    const gone = await book.put('p/t/gone', 'g');
    await book.delete(gone);
    await book.delete(gone);
    await book.delete('local:p/t/never-written');
    expect(book.get('p/t/gone')).toBeUndefined();
    expect(book.describe('p/t/gone')?.deletionDate).toBeDefined();
    expect(book.describe('p/t/never-written')).toBeUndefined();
    expect(book.get('p/t/keep')).toBe('k');
    expect(keep).toBe('local:p/t/keep');
    await expect(book.delete(ARN)).rejects.toThrow(/not a local secret ref/);
  });
});

type Profile = { graph?: { secretRef: string }; pendingCredential?: { secretRef: string } };
let seq = 0;
function profileRecord(tenantId: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', before: Profile | null, after: Profile | null, sk = keys.tenant(tenantId).sk): DynamoDBRecord {
  const key = { ...keys.tenant(tenantId), sk };
  const image = (p: Profile | null) => (p ? (marshall({ ...key, kind: 'tenant', ...p }) as never) : undefined);
  return { eventName, dynamodb: { Keys: marshall(key) as never, OldImage: image(before), NewImage: image(after), SequenceNumber: String(++seq) } };
}

/** A fake store and secret writer: what the tenant names now, and every deletion asked for. */
function fakes(now: Record<string, Profile | null>, failOn?: string) {
  const deleted: string[] = [];
  const deps: SecretSweeperDeps = {
    getTenant: async (t) => (now[t] ?? null) as never,
    secrets: { delete: async (ref) => { if (ref === failOn) throw new Error('throttled'); deleted.push(ref); } },
  };
  return { deps, deleted };
}

describe('the secret sweeper', () => {
  const promoted = profileRecord('contoso', 'MODIFY', { graph: { secretRef: 'old' }, pendingCredential: { secretRef: 'new' } }, { graph: { secretRef: 'new' } });
  const dropped = profileRecord('fabrikam', 'MODIFY', { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'bad' } }, { graph: { secretRef: 'cur' } });
  const staleReplaced = profileRecord('tailspin', 'MODIFY', { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'stale' } }, { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'newer' } });
  const checkOnly = profileRecord('contoso', 'MODIFY', { graph: { secretRef: 'cur' } }, { graph: { secretRef: 'cur' } });
  const rotationStarted = profileRecord('contoso', 'MODIFY', { graph: { secretRef: 'cur' } }, { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'p' } });

  it('finds the superseded refs: the old current one after a promotion, a dropped or replaced pending one; none otherwise', () => {
    expect(supersededRefs(promoted)).toEqual(['old']);
    expect(supersededRefs(dropped)).toEqual(['bad']);
    expect(supersededRefs(staleReplaced)).toEqual(['stale']);
    expect(supersededRefs(checkOnly)).toEqual([]);
    expect(supersededRefs(rotationStarted)).toEqual([]);
    expect(supersededRefs(profileRecord('contoso', 'INSERT', null, { graph: { secretRef: 'cur' } }))).toEqual([]);
    expect(isTenantProfileRecord(promoted)).toBe(true);
    expect(isTenantProfileRecord(profileRecord('contoso', 'MODIFY', null, null, 'MEMBER#bob'))).toBe(false);
  });

  it('deletes them, and only them', async () => {
    const { deps, deleted } = fakes({ contoso: { graph: { secretRef: 'new' } }, fabrikam: { graph: { secretRef: 'cur' } }, tailspin: { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'newer' } } });
    const out = await sweepSecrets({ Records: [promoted, checkOnly, dropped, rotationStarted, staleReplaced] }, deps);
    expect(out.batchItemFailures).toEqual([]);
    expect(deleted).toEqual(['old', 'bad', 'stale']);
  });

  it('never deletes a ref the tenant names now (a replayed record read against today\'s profile)', async () => {
    // Replayed: the record says `cur` was superseded, but the profile names it again as current.
    const replay = profileRecord('contoso', 'MODIFY', { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'p' } }, { graph: { secretRef: 'p' } });
    const { deps, deleted } = fakes({ contoso: { graph: { secretRef: 'cur' }, pendingCredential: { secretRef: 'p' } } });
    expect((await sweepSecrets({ Records: [replay] }, deps)).batchItemFailures).toEqual([]);
    expect(deleted).toEqual([]);
  });

  it('a failed deletion answers its record as the first not done; the ones before it are done', async () => {
    const { deps, deleted } = fakes({ contoso: { graph: { secretRef: 'new' } }, fabrikam: { graph: { secretRef: 'cur' } } }, 'bad');
    const out = await sweepSecrets({ Records: [promoted, dropped, staleReplaced] }, deps);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: dropped.dynamodb!.SequenceNumber }]);
    expect(deleted).toEqual(['old']);
  });
});
