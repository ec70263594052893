import { availableParallelism } from 'node:os';

/**
 * How many file operations to keep in flight: enough to keep every core and the disk busy
 * through libuv's thread pool, few enough that memory and open files stay bounded.
 */
export function defaultIoConcurrency(): number {
  return Math.max(4, availableParallelism() * 4);
}

/**
 * Runs `work` on every item with at most `limit` in flight; rejects with the first error once the
 * running calls have settled (no call is left running behind the caller's back).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}
