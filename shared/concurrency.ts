/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * `make()` on the first call, its promise shared by every caller after that; a rejected one is
 * forgotten, so the next call makes it again (a module loaded with `import()` on first use, a client
 * built from it). `reset()` forgets a kept value too (tests).
 */
export function memoizeAsync<T>(make: () => Promise<T>): (() => Promise<T>) & { reset(): void } {
  let kept: Promise<T> | undefined;
  const get = () =>
    (kept ??= make().catch((err: unknown) => {
      kept = undefined;
      throw err;
    }));
  return Object.assign(get, { reset: () => { kept = undefined; } });
}
