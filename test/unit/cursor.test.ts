/**
 * Issue 15, item 6: a cursor is honoured only as it was signed. Each forgery below keeps the right
 * scope and a well-formed encoding, so only the signature check can refuse it.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/store/cursor.js';
import { InvalidCursorError } from '../../shared/runs/errors.js';

const SCOPE = 'runs|contoso|all';
const LAST = { pk: 'TENANT#contoso', sk: 'RUN#01JH7Z9W3K8Q4V2N6B5C1D0EFG' };
const bodyOf = (k: Record<string, unknown>) => Buffer.from(JSON.stringify({ s: SCOPE, k })).toString('base64url');
const sigOf = (cursor: string) => cursor.split('.')[1];

describe('signed cursors', () => {
  it('a genuine cursor decodes to its last key (the control)', () => {
    expect(decodeCursor(SCOPE, encodeCursor(SCOPE, LAST)!)).toEqual(LAST);
  });

  it('the right scope signed with a different key is refused', () => {
    const body = bodyOf(LAST);
    const forged = `${body}.${createHmac('sha256', 'some-other-key').update(body).digest('base64url').slice(0, 22)}`;
    expect(() => decodeCursor(SCOPE, forged)).toThrow(InvalidCursorError);
  });

  it.each([
    ['another partition\'s key', { pk: 'TENANT#fabrikam', sk: 'RUN#01JH7Z9W3K8Q4V2N6B5C1D0EFG' }],
    ['an arbitrary sort key', { pk: 'TENANT#contoso', sk: 'RUN#zzzzzzzzzzzz' }],
    ['an extra key attribute', { ...LAST, gsi1pk: 'TENANT#fabrikam' }],
  ])('a correctly scoped cursor whose last key was changed to %s without re-signing is refused', (_name, k) => {
    const genuine = encodeCursor(SCOPE, LAST)!;
    const tampered = `${bodyOf(k)}.${sigOf(genuine)}`;
    expect(() => decodeCursor(SCOPE, tampered)).toThrow(InvalidCursorError);
  });
});
