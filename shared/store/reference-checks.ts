/**
 * Reference checks of start plans: conditions on records a start refers to, checked by DynamoDB inside
 * the run's start transaction (ConditionCheck) instead of a read before it — one round trip less, and
 * the record cannot disappear between the check and the run's commit (shared/runs/ports.ts,
 * CompanionCheck). A module of its own so a start bundle carries the keys, not the stores.
 */
import type { CompanionCheck } from '../runs/ports.js';
import { keys } from './keys.js';

/** The backup set exists in the tenant. */
export const backupSetExists = (tenantId: string, setId: string, refusal: () => Error): CompanionCheck => ({
  name: 'backupSet',
  Check: { Key: keys.backupSet(tenantId, setId), ConditionExpression: 'attribute_exists(pk)' },
  refusal,
});
