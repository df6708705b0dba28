/**
 * EventBridge event-pattern matching, for the local bus: the wiring's rule patterns are evaluated
 * here exactly as they are written for AWS. Supported: nested fields, arrays of literals (any may
 * match; an array value in the event matches if any element does), and the content filters
 * `prefix`, `suffix`, `anything-but`, `exists`, `numeric` and `equals-ignore-case`.
 */
export type EventPattern = { [field: string]: EventPattern | PatternValue[] };
type Literal = string | number | boolean | null;
type PatternValue = Literal | Record<string, unknown>;

export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, rule]) => {
    const value = event?.[field];
    if (Array.isArray(rule)) return matchesAny(rule, value, field in (event ?? {}));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    return matchesPattern(rule, value as Record<string, unknown>);
  });
}

function matchesAny(rules: PatternValue[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => {
    if (rule !== null && typeof rule === 'object') {
      if ('exists' in rule) return rule.exists === present;
      return present && values.some((v) => matchesFilter(rule, v));
    }
    return present && values.some((v) => v === rule);
  });
}

function matchesFilter(filter: Record<string, unknown>, v: unknown): boolean {
  const [[name, arg]] = Object.entries(filter);
  switch (name) {
    case 'prefix':
      return typeof v === 'string' && typeof arg === 'string' && v.startsWith(arg);
    case 'suffix':
      return typeof v === 'string' && typeof arg === 'string' && v.endsWith(arg);
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'anything-but': {
      if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) return !matchesFilter(arg as Record<string, unknown>, v);
      return !(Array.isArray(arg) ? arg : [arg]).includes(v as Literal);
    }
    case 'numeric':
      return typeof v === 'number' && numericHolds(arg as Array<string | number>, v);
    default:
      throw new Error(`event pattern filter "${name}" is not supported by the local bus`);
  }
}

function numericHolds(ops: Array<string | number>, v: number): boolean {
  for (let i = 0; i + 1 < ops.length; i += 2) {
    const [op, n] = [ops[i], Number(ops[i + 1])];
    const ok = op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : op === '>=' ? v >= n : op === '=' ? v === n : false;
    if (!ok) return false;
  }
  return true;
}
