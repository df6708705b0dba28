/**
 * The domain-row invariant of issue 14, for every operation type without naming one: "no domain row
 * is unfinished while its run is completed, and none is finished while its run is active".
 *
 * Which rows a run has comes from its module's `records` declaration: the projection of the run as if
 * it had completed names every row it finishes (`CATALOG[type].project`), and `DOMAIN_ROWS[type]`
 * says each row's kind and retention. So a ninth type is checked as soon as it declares its records.
 *
 * A row is read in ONE TransactGetItems with its run (serializable against the run's
 * TransactWriteItems), so the check may run while workers, cancels and the reaper write.
 */
import { TransactGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CATALOG, DOMAIN_ROWS, isOperationType } from '../../../shared/operations/catalog.js';
import type { Run } from '../../../shared/runs/model.js';
import { isCompanionUpdate } from '../../../shared/runs/ports.js';
import { DOMAIN_RUN_STATUSES, FINISHED_STATUSES } from '../../../shared/store/run-rows.js';
import { keys } from '../../../shared/store/keys.js';
import { fromRunItem } from '../../../shared/store/run-store.js';

/**
 * Statuses a row has while its run is active: the run rows' `queued | running`, and a schedule's
 * backup set's `in_progress` (shared/store/backup-store.ts BackupSetStatus).
 */
const ACTIVE_ROW_STATUSES = new Set<string>([...DOMAIN_RUN_STATUSES.filter((s) => !FINISHED_STATUSES.includes(s)), 'in_progress']);

type Key = { pk: string; sk: string };

/** The run as its terminal transaction would see it (only to learn which rows it finishes). */
const asCompleted = (run: Run): Run => ({ ...run, status: 'completed', outcome: run.outcome === 'pending' ? 'failed' : run.outcome, completedAt: run.completedAt ?? run.createdAt });

/** Every domain row of a run: its name (the row's kind), key and declared retention. */
export function domainRowsOf(run: Run, violations: string[]): Array<{ kind: string; key: Key; retention: 'run' | 'subject' }> {
  if (!isOperationType(run.type)) {
    violations.push(`run ${run.id} has unknown type ${run.type}`);
    return [];
  }
  const declared = DOMAIN_ROWS[run.type];
  const rows = CATALOG[run.type].project(asCompleted(run)).filter(isCompanionUpdate).map((c) => ({ kind: c.name, key: c.Update.Key as Key }));
  for (const d of declared) {
    if (!rows.some((r) => r.kind === d.kind)) violations.push(`${run.type} declares row ${d.kind} but its terminal projection does not finish it`);
  }
  return rows.map((r) => {
    const decl = declared.find((d) => d.kind === r.kind);
    if (!decl) violations.push(`${run.type} projects row ${r.kind} it does not declare`);
    return { ...r, retention: decl?.retention ?? 'run' };
  });
}

/** What one row says against its run; null when they agree. */
export function rowVerdict(run: Run, kind: string, row: Record<string, any> | undefined, retention: 'run' | 'subject'): string | null {
  const what = `${run.type} run ${run.id} (${run.status}${run.status === 'completed' ? `/${run.outcome}` : ''}): row ${kind}`;
  if (!row) return retention === 'run' ? `${what} is missing (a run-retention row exists exactly when its run does)` : null;
  const unfinished = ACTIVE_ROW_STATUSES.has(row.status) || row.completedAt == null;
  const finished = !ACTIVE_ROW_STATUSES.has(row.status) || row.completedAt != null;
  if (run.status === 'completed' && unfinished) return `${what} is unfinished (status ${row.status}, completedAt ${row.completedAt ?? null}) while its run is completed`;
  if (run.status !== 'completed' && finished) return `${what} is finished (status ${row.status}, completedAt ${row.completedAt ?? null}) while its run is ${run.status}`;
  return null;
}

/**
 * Checks the domain rows of the given runs — all of them and their rows in one transactional read (a
 * consistent snapshot even while writers run; TransactGetItems takes up to 100 items, so larger sets
 * are read in parts of whole runs). Which rows a run has is learnt from the run as given (its type
 * and context do not change); its status is the one read with the rows. Answers the number of
 * (run, row) checks made. A read cancelled by a concurrent transaction is retried.
 */
export async function checkDomainRows(doc: DynamoDBDocumentClient, table: string, runs: Run[], violations: string[], when: string): Promise<number> {
  let checks = 0;
  const parts: Array<Array<{ run: Run; rows: ReturnType<typeof domainRowsOf> }>> = [[]];
  let size = 0;
  for (const run of runs) {
    const rows = domainRowsOf(run, violations);
    if (size + 1 + rows.length > 100) { parts.push([]); size = 0; }
    parts[parts.length - 1].push({ run, rows });
    size += 1 + rows.length;
  }
  for (const part of parts.filter((p) => p.length > 0)) {
    const items = part.flatMap(({ run, rows }) => [keys.run(run.tenantId, run.id), ...rows.map((r) => r.key)]);
    for (let attempt = 0; ; attempt++) {
      const out = await doc.send(new TransactGetCommand({ TransactItems: items.map((Key) => ({ Get: { TableName: table, Key } })) })).catch(retryable);
      if (out) {
        let at = 0;
        for (const { run: given, rows } of part) {
          const item = out.Responses![at++]?.Item;
          const answers = rows.map(() => out.Responses![at++]?.Item);
          if (!item) {
            violations.push(`${when}: run ${given.id} is missing`);
            continue;
          }
          const run = fromRunItem(item);
          rows.forEach((r, i) => {
            checks++;
            const v = rowVerdict(run, r.kind, answers[i], r.retention);
            if (v) violations.push(`${when}: ${v}`);
          });
        }
        break;
      }
      if (attempt >= 20) {
        violations.push(`${when}: could not read the runs with their rows (TransactionConflict 20 times)`);
        break;
      }
      await new Promise((r) => setTimeout(r, 5 + attempt * 10));
    }
  }
  return checks;
}
/** A transactional read cancelled by a concurrent transaction on its items: answer undefined, try again. */
function retryable(err: unknown): undefined {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'TransactionCanceledException' || e?.name === 'TransactionConflictException' || /TransactionConflict/.test(e?.message ?? '')) return undefined;
  throw err;
}
