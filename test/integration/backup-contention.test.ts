/**
 * Issue 16, item 6: the four backup lanes must not contend on the backup-set item. Real DynamoDB
 * cancels concurrent transactions on one item with TransactionConflict (DynamoDB Local serializes
 * transactions, so the conflict is injected here): no policy may be counted as failed because of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { workerTestEnv } from '../support/worker-env.js';
import { alice } from '../support/backup-fixtures.js';
import { makeStores } from '../../shared/store/stores.js';
import { backUpPolicies } from '../../shared/operations/backup-policies.js';
import type { ExecutionContext } from '../../shared/operations/executor.js';
import { keys } from '../../shared/store/keys.js';

let env: Awaited<ReturnType<typeof workerTestEnv>>;
beforeAll(async () => {
  env = await workerTestEnv({ sim: { tenants: { contoso: { policies: 24, groups: 0 } } } as never });
  await env.start('policy.sync');
  await env.drain();
});
afterAll(() => env?.stop());

/** Every transaction that touches a backup-set item is cancelled with TransactionConflict on its first try. */
function conflictingDoc(doc: DynamoDBDocumentClient, seen: { setTransactions: number; setUpdates: number; conflicts: number }) {
  const tried = new Set<string>(); // by request body: the client sends a new command object per attempt
  return new Proxy(doc, {
    get(target, prop) {
      if (prop !== 'send') return Reflect.get(target, prop, target);
      return async (command: any) => {
        const onSet = (key?: { sk?: string }) => typeof key?.sk === 'string' && key.sk.startsWith('BACKUPSET#');
        if (command instanceof TransactWriteCommand) {
          const items = command.input.TransactItems ?? [];
          if (items.some((i) => onSet((i.Update?.Key ?? i.ConditionCheck?.Key ?? i.Delete?.Key ?? i.Put?.Item) as never))) {
            seen.setTransactions++;
            const body = JSON.stringify(items, (_k, v) => (v instanceof Set ? [...v] : v));
            if (!tried.has(body)) {
              tried.add(body);
              seen.conflicts++;
              throw new TransactionCanceledException({ message: 'Transaction cancelled (injected)', $metadata: {}, CancellationReasons: items.map((_, i) => ({ Code: i === items.length - 1 ? 'TransactionConflict' : 'None' })) as never });
            }
          }
        }
        if (command instanceof UpdateCommand && onSet(command.input.Key as never)) seen.setUpdates++;
        return (target.send as any)(command);
      };
    },
  });
}

describe('backup lanes and TransactionConflict', () => {
  it(`parallel lanes back up 24 policies: no transaction on the set, one count per chunk, none failed; a redone chunk counts nothing twice`, async () => {
    const setId = ulid();
    const seen = { setTransactions: 0, setUpdates: 0, conflicts: 0 };
    const doc = conflictingDoc(env.doc, seen);
    const stores = makeStores({ doc, table: env.table });
    await stores.backups.createSet({ id: setId, tenantId: 'contoso', name: 'contention', status: 'complete', itemCount: 0, createdAt: new Date().toISOString(), createdBy: alice, scheduleId: null, runId: null, completedAt: null });
    expect(seen).toMatchObject({ setTransactions: 2, conflicts: 1 }); // creating the set: conflicted once, retried
    Object.assign(seen, { setTransactions: 0, setUpdates: 0, conflicts: 0 });
    const { run } = await env.service.startRun({ tenantId: 'contoso', type: 'backup_set.add_policies', input: { backupSetId: setId, policyIds: ['x'] }, initiator: alice, surface: 'api' });
    const ctx = { run, stores, now: () => new Date() } as unknown as ExecutionContext;
    const graph = await env.deps.graphFor('contoso');
    const refs = env.sim.policies('contoso').map((p) => ({ id: p.id, category: null }));
    expect(refs).toHaveLength(24);

    const first = await backUpPolicies(ctx, graph, setId, refs);
    expect(first.counts).toMatchObject({ total: 24, processed: 24, succeeded: 24, created: 24 });
    expect(first.counts.failed ?? 0).toBe(0);
    expect(first.failures).toEqual([]);
    expect(seen.setTransactions).toBe(0); // the lanes no longer transact on the set item
    expect(seen.setUpdates).toBe(1); // one count for the chunk
    expect((await stores.backups.getSet('contoso', setId))!.itemCount).toBe(24);

    // The same chunk redone (a worker died after it): counted as created again, the set not recounted.
    const again = await backUpPolicies(ctx, graph, setId, refs);
    expect(again.counts).toMatchObject({ succeeded: 24, created: 24 });
    expect((await stores.backups.getSet('contoso', setId))!.itemCount).toBe(24);
    expect((await stores.backups.listItems('contoso', setId))).toHaveLength(24);
  });

  it('a conflicted transaction on the set (pruning) is retried, not failed', async () => {
    const setId = ulid();
    const seen = { setTransactions: 0, setUpdates: 0, conflicts: 0 };
    const stores = makeStores({ doc: conflictingDoc(env.doc, seen), table: env.table });
    await stores.backups.createSet({ id: setId, tenantId: 'contoso', name: 'prune-me', status: 'complete', itemCount: 0, createdAt: new Date().toISOString(), createdBy: alice, scheduleId: null, runId: null, completedAt: null });
    await stores.backups.deleteSet('contoso', setId);
    expect(seen.conflicts).toBeGreaterThan(0);
    expect(await stores.backups.getSet('contoso', setId)).toBeNull();
    expect(keys.backupSet('contoso', setId).sk).toMatch(/^BACKUPSET#/);
  });
});
