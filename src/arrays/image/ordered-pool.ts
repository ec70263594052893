/**
 * Maps `items` through `work` with at most `concurrency` calls in flight, yielding results in the
 * items' order. A failure is thrown when its turn comes; later work is not started after that.
 */
export async function* orderedPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  let next = 0;
  const start = () => {
    const index = next++;
    const promise = work(items[index]!, index);
    // Awaited in order below; this only keeps an early failure from being reported as unhandled.
    promise.catch(() => undefined);
    inFlight.push(promise);
  };
  while (next < items.length && inFlight.length < concurrency) start();
  while (inFlight.length > 0) {
    const result = await inFlight.shift()!;
    if (next < items.length) start();
    yield result;
  }
}

/** Like {@link orderedPool}, collecting every result. */
export async function mapOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for await (const result of orderedPool(items, concurrency, work)) results.push(result);
  return results;
}
