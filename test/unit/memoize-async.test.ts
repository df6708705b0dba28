/** The lazy loads' one memo (shared/concurrency.ts): MSAL, the SQS work queue, the Secrets Manager reader. */
import { describe, expect, it } from 'vitest';
import { memoizeAsync } from '../../shared/concurrency.js';

describe('memoizeAsync', () => {
  it('makes the value once, for concurrent and later callers alike', async () => {
    let made = 0;
    const get = memoizeAsync(async () => ({ n: ++made }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(made).toBe(1);
  });

  it('forgets a failure, so the next call makes it again; reset forgets a kept value', async () => {
    let made = 0;
    const get = memoizeAsync(async () => {
      if (++made === 1) throw new Error('chunk not found');
      return made;
    });
    await expect(get()).rejects.toThrow('chunk not found');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
    get.reset();
    expect(await get()).toBe(3);
  });
});
