/**
 * What one operation type is made of (SPEC §3). Every type has ONE module under shared/operations/
 * (`<type>.ts`), built from two halves so that the start path never loads Graph code:
 *
 *   <type>.definition.ts  the definition (label, minimum role, strict input schema, identity) and the
 *                         start plan (DynamoDB-only reference checks answering 422 before any write,
 *                         the run's initial context, companion records). Imported by the start and
 *                         read paths through catalog.ts.
 *   <type>.ts             the module: `{ definition, plan, executor }` — the executor does the work
 *                         and may reach Graph. Imported by the worker through index.ts.
 *
 * Every member is required: a type without a plan or an executor does not type-check.
 */
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import type { Role, Run } from '../runs/model.js';
import type { CompanionWrite } from '../runs/ports.js';
import type { StartRunRequest } from '../runs/service.js';
import type { PlanStores } from '../store/stores.js';
import type { OperationExecutor } from './executor.js';

export interface OperationDefinition<T extends string = string, S extends z.ZodMiniType = z.ZodMiniType> {
  type: T;
  label: string;
  minimumRole: Role;
  /** the strict input schema (answers 400) */
  schema: S;
  /** The identity of a validated input: the part of it that makes a run distinct (the active run key). */
  identity: (input: z.infer<S>) => unknown;
}

export interface StartCheckDeps {
  /** the stores start plans use (not every store: the start functions bundle no executor-only store) */
  stores: PlanStores;
  clock: () => Date;
}

export type StartPlan = Pick<StartRunRequest, 'context' | 'companions' | 'runId'>;

/**
 * A type's checks at start: references the input names must exist in the tenant and preconditions
 * must hold, else PreconditionFailedError (422) before any run is written. It may give the run its
 * initial context, a pre-chosen id and domain records written in the run's transaction. DB only.
 */
export type StartPlanFn<I> = (tenantId: string, input: I, deps: StartCheckDeps) => Promise<StartPlan>;

/** One domain row a type keeps per run (documented in docs/ARCHITECTURE.md, "Domain records"). */
export interface DomainRowDecl {
  /** the item's `kind` (its name in the run's transactions) */
  kind: string;
  /** its key, e.g. `TENANT#t / RESTORE#<restoreId>` */
  key: string;
  /** 'run': the run's TTL (the row describes the run); 'subject': kept as long as what it describes */
  retention: 'run' | 'subject';
}

/**
 * A type's domain records (issue 14): the rows its start plan writes in the run's start transaction,
 * and its projection — given the run after a status change (running, or completed by ANY path:
 * worker, cancel, dispatch failure, reaper, DLQ), the updates of those rows. The run service commits
 * them in the same TransactWriteItems as the run's write. Pure: reads nothing but the run; a few items.
 */
export interface DomainRecords {
  rows: readonly DomainRowDecl[];
  project: (run: Run) => CompanionWrite[];
}

/**
 * The most items one projection may add to a run's transaction. TransactWriteItems "groups up to 100
 * action requests" (DynamoDB API reference, TransactWriteItems); the run, its active run key and the
 * items other features add (tenant counter, transition log) share that budget, so a type's projection
 * stays a handful of items (test/unit/operation-modules.test.ts checks every type).
 */
export const MAX_PROJECTED_ITEMS = 10;

/** The half of a module the start and read paths use (no executor, so no Graph code). */
export interface OperationStart<T extends string = string, S extends z.ZodMiniType = z.ZodMiniType> {
  definition: OperationDefinition<T, S>;
  plan: StartPlanFn<z.infer<S>>;
  records: DomainRecords;
}

/** One operation type, whole: definition, start plan and executor. */
export interface OperationModule<T extends string = string, S extends z.ZodMiniType = z.ZodMiniType> extends OperationStart<T, S> {
  executor: OperationExecutor & { type: T };
}

/** Declares a type's definition and plan, keeping the literal type name and the schema's input type. */
export const defineStart = <const T extends string, S extends z.ZodMiniType>(start: OperationStart<T, S>): OperationStart<T, S> => start;

/** Completes a type's start half with its executor (the executor's `type` must match). */
export const defineModule = <T extends string, S extends z.ZodMiniType>(start: OperationStart<T, S>, executor: OperationExecutor & { type: T }): OperationModule<T, S> => ({
  definition: start.definition,
  plan: start.plan,
  records: start.records,
  executor,
});

/**
 * Input fields shared by the types' schemas (issue 15, item 3). An id names an object a worker asks
 * Graph for or a record we look up, so it is validated by its FORMAT and then stored and executed as
 * it is — never sanitized (a sanitizer that mistakes an id for a secret would make the worker ask
 * Graph for `[REDACTED]`).
 *
 * Graph ids: Graph documents `id` as a String key (e.g. managedAppPolicy, deviceEnrollmentConfiguration:
 * "Key of the entity"); in practice Intune keys are GUIDs, plus two composite forms seen in real tenants:
 *   - `<prefix>_<guid>`, e.g. app protection policies `T_1b366550-a29c-4da1-898e-5a36777591a9`;
 *   - `<guid>_<Name>`, e.g. enrollment configurations `<guid>_DefaultWindows10EnrollmentCompletionPageConfiguration`,
 *     `<guid>_Limit`, `<guid>_SinglePlatformRestriction`.
 * Anything else — dot segments, `/ \ ? # %`, spaces, other ids — is a 400: the id goes into a Graph
 * URL path, where such characters would change which resource is asked for.
 */
const GUID = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';
export const GRAPH_ID = new RegExp(`^(?:${GUID}|[A-Za-z]{1,4}_${GUID}|${GUID}_[A-Za-z][A-Za-z0-9]{0,127})$`);
export const graphIdField = z
  .string()
  .check(z.maxLength(200), z.regex(GRAPH_ID, 'must be a Graph id: a GUID, <prefix>_<GUID> (e.g. T_<GUID>) or <GUID>_<Name>'));
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
/**
 * A reference to one of our records. §3 types it `string` and answers a reference that does not exist
 * 422 (after the role check, §5), so the schema takes any short text and the start plan decides
 * through `knownId`: an id that could not be one key segment of ours (`#`, `/`, spaces, anything
 * outside letters, digits, `-` and `_`) is refused exactly as an unknown one, without reading and
 * without ever being put in a key (where `#` could reach another record); any other id is looked up,
 * and a made-up one is not found (the same 422). Only an existing record's id is ever stored; ours
 * are ULIDs.
 */
export const recordIdField = z.string().check(z.minLength(1), z.maxLength(100), z.regex(NO_CONTROL_CHARS, 'must be text without control characters'));
const KEY_SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;
/** `id` when it can be a key segment of ours; else the plan's own "does not exist" refusal (422). */
export function knownId(id: string, unknown: (id: string) => Error): string {
  if (!KEY_SEGMENT.test(id)) throw unknown(id);
  return id;
}
/**
 * A name or other free text a person typed: trimmed, 1–max characters, no control characters.
 * Stored as given (it is shown back to the person who typed it), never executed.
 */
export const textField = (max = 200) =>
  z
    .string()
    .check(z.trim(), z.minLength(1), z.maxLength(max), z.regex(NO_CONTROL_CHARS, 'must be text without control characters'));
export const categoryField = z.enum(CATEGORIES);
export const idList = (min: number, max: number) => z.array(graphIdField).check(z.minLength(min), z.maxLength(max));
/** An id list as identity: order and duplicates do not make a run distinct; absent means all. */
export const sortedOrAll = (xs?: string[]) => (xs ? [...new Set(xs)].sort() : 'all');
