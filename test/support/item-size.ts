/**
 * An item's size the way DynamoDB counts it against the 400 KB item limit (developer guide, "Item
 * sizes and formats"): the sum of its attribute names' and values' lengths. Strings and binary: their
 * bytes (UTF-8); numbers: about 1 byte per 2 significant digits + 1; null and booleans: 1 byte; a
 * list or map: 3 bytes + 1 byte per element + its elements (a map's keys count as names); a set:
 * its elements.
 */
export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (v instanceof Set) return [...v].reduce((n: number, e) => n + valueSize(e), 0);
  if (Array.isArray(v)) return 3 + v.reduce((n: number, e) => n + 1 + valueSize(e), 0);
  return 3 + Object.entries(v as Record<string, unknown>).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(e), 0);
}

export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
