/**
 * A start whose transaction stays cancelled by TransactionConflict after the table client's own
 * retries (shared/store/table-client.ts): the run service does not retry again — it reads who holds
 * the active run key and answers that run (N identical starts, SC-003), or passes the conflict on
 * (503 Retry-After over HTTP) when nobody holds it.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/runs/model.js';
import type { RunRepository, WorkMessage } from '../../shared/runs/ports.js';
import { RunService, type RunTypeCatalog } from '../../shared/runs/service.js';
import { TransactionConflictError } from '../../shared/store/errors.js';

const CATALOG: RunTypeCatalog = { 'test.keyed': { label: 'Keyed', identity: (input: { key: number }) => input.key } };

function fakeStore(holder: Run | null) {
  const calls = { createRun: 0, activeKeyHolder: 0 };
  const store: RunRepository = {
    async createRun() { calls.createRun++; throw new TransactionConflictError(['activeKey']); },
    async getRun(_t, id) { return holder && holder.id === id ? holder : null; },
    async activeKeyHolder() { calls.activeKeyHolder++; return holder?.id ?? null; },
    async saveTransition() { throw new Error('not expected'); },
  };
  return { store, calls };
}

const sent: WorkMessage[] = [];
const queue = { async send(m: WorkMessage) { sent.push(m); } };
const req = { tenantId: 't', type: 'test.keyed', input: { key: 1 }, initiator: { userId: 'u', name: 'U' }, surface: 'api' as const };

describe('a start under lasting contention', () => {
  it('answers the run holding the key (deduplicated), after one transaction attempt and one key read', async () => {
    const probe = new RunService({ catalog: CATALOG, store: fakeStore(null).store, queue });
    const holder: Run = { ...probe.newRun(req), id: '01JHOLDER0000000000000000' };
    const { store, calls } = fakeStore(holder);
    const result = await new RunService({ catalog: CATALOG, store, queue }).startRun(req);
    expect(result).toEqual({ run: holder, deduplicated: true });
    expect(calls).toEqual({ createRun: 1, activeKeyHolder: 1 });
    expect(sent).toEqual([]);
  });

  it('passes the conflict on when nobody holds the key (the contention was elsewhere): no second retry layer', async () => {
    const { store, calls } = fakeStore(null);
    await expect(new RunService({ catalog: CATALOG, store, queue }).startRun(req)).rejects.toBeInstanceOf(TransactionConflictError);
    expect(calls).toEqual({ createRun: 1, activeKeyHolder: 1 });
    expect(sent).toEqual([]);
  });
});
