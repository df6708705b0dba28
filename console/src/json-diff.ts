/** A structural JSON diff for comparing two policy versions: every leaf path that differs. */
export interface DiffEntry { path: string; kind: 'added' | 'removed' | 'changed'; before?: unknown; after?: unknown }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (base: string, key: string | number) => (typeof key === 'number' ? `${base}[${key}]` : /^[A-Za-z_$@][\w$@.-]*$/.test(key) && !key.includes('.') ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`);

export function jsonDiff(before: unknown, after: unknown, path = ''): DiffEntry[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DiffEntry[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      if (i >= before.length) out.push({ path: join(path, i), kind: 'added', after: after[i] });
      else if (i >= after.length) out.push({ path: join(path, i), kind: 'removed', before: before[i] });
      else out.push(...jsonDiff(before[i], after[i], join(path, i)));
    }
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const out: DiffEntry[] = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(key in after)) out.push({ path: join(path, key), kind: 'removed', before: before[key] });
      else if (!(key in before)) out.push({ path: join(path, key), kind: 'added', after: after[key] });
      else out.push(...jsonDiff(before[key], after[key], join(path, key)));
    }
    return out;
  }
  return [{ path: path || '(root)', kind: 'changed', before, after }];
}
