/**
 * Opaque, signed pagination cursors. A cursor carries DynamoDB's LastEvaluatedKey plus the scope it
 * was issued for; a tampered cursor, or one used for another tenant or list, is an InvalidCursorError.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../runs/errors.js';
import { cursorKey } from './cursor-key.js';

const secret = cursorKey;

const sign = (body: string) => createHmac('sha256', secret()).update(body).digest('base64url').slice(0, 22);

export function encodeCursor(scope: string, lastKey: Record<string, unknown> | undefined): string | null {
  if (!lastKey) return null;
  const body = Buffer.from(JSON.stringify({ s: scope, k: lastKey })).toString('base64url');
  return `${body}.${sign(body)}`;
}

export function decodeCursor(scope: string, cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const [body, sig, extra] = cursor.split('.');
  if (!body || !sig || extra !== undefined || cursor.length > 2048) throw new InvalidCursorError();
  const expected = Buffer.from(sign(body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const p = parsed as { s?: unknown; k?: unknown };
  if (p.s !== scope || !p.k || typeof p.k !== 'object' || Array.isArray(p.k)) throw new InvalidCursorError();
  for (const v of Object.values(p.k)) if (typeof v !== 'string') throw new InvalidCursorError();
  return p.k as Record<string, unknown>;
}
