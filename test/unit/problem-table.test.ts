/** Domain errors answer by their stable code through the one problem table (shared/http/problem.ts). */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors.js';
import { PROBLEM_TABLE, toProblem } from '../../shared/http/problem.js';
import { ActiveRunExistsError, InvalidCursorError, PreconditionFailedError, RunNotFoundError } from '../../shared/runs/errors.js';
import { CompanionConflictError, InvitationExistsError, LastOwnerError, MembershipChangedError, NoLongerOwnerError, TransactionConflictError, VersionConflictError } from '../../shared/store/errors.js';
import { TransitionError } from '../../shared/runs/lifecycle.js';

class Coded extends DomainError {
  constructor(readonly code: string) {
    super(`a ${code}`);
  }
}

describe('the problem table', () => {
  it.each([
    [new RunNotFoundError('t', 'r'), 'run_not_found', 404],
    [new InvalidCursorError(), 'invalid_cursor', 400],
    [new PreconditionFailedError('missing', [{ path: 'input.x', message: 'unknown' }]), 'precondition_failed', 422],
    [new TransitionError('completed', 'requestCancel', 'done'), 'invalid_transition', 409],
    [new ActiveRunExistsError('r'), 'active_run_exists', 409],
    [new VersionConflictError('run', 'r', 1), 'version_conflict', 409],
    [new TransactionConflictError(), 'transaction_conflict', 503],
    [new LastOwnerError('t'), 'last_owner', 409],
    [new NoLongerOwnerError('t'), 'no_longer_owner', 403],
    [new InvitationExistsError('e@example.com'), 'invitation_exists', 409],
    [new MembershipChangedError('u'), 'membership_changed', 409],
  ] as const)('%s has code %s and answers %i', (err, code, status) => {
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe(code);
    expect(toProblem(err).status).toBe(status);
  });

  it('maps the store conflict codes without importing their classes', () => {
    expect(toProblem(new Coded('version_conflict')).status).toBe(409);
    expect(toProblem(new Coded('companion_conflict')).status).toBe(409);
    const busy = toProblem(new Coded('transaction_conflict'));
    expect([busy.status, busy.opts.headers?.['Retry-After']]).toEqual([503, '1']);
  });

  it('keeps the details each error carries, and an unknown code or error is a 500', () => {
    expect(toProblem(new PreconditionFailedError('missing', [{ path: 'input.x', message: 'unknown' }])).toBody()).toMatchObject({ detail: 'missing', errors: [{ path: 'input.x' }] });
    expect(toProblem(new TransitionError('completed', 'requestCancel', 'done')).detail).toBe('The run has already completed.');
    expect(toProblem(new InvalidCursorError('bad')).toBody()).toMatchObject({ title: 'Validation failed', errors: [{ path: 'cursor', message: 'bad' }] });
    expect(toProblem(new Coded('no_such_code')).status).toBe(500);
    expect(toProblem(new Error('boom')).status).toBe(500);
    for (const m of Object.values(PROBLEM_TABLE)) expect(m.title).toBeTruthy();
  });
});
