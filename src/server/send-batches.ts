import type { ServerResponse } from 'node:http';

/**
 * Writes `batches` to `res` and ends it. Each batch goes out as one gathered write, and the next
 * batch is asked for only once the socket has taken this one: batches may be views of buffers the
 * source reuses (a download streams through a few buffers instead of leaving one per megabyte for
 * the GC). A client that leaves stops the reading; a fault while reading cuts the response short
 * (its status and length are already sent), never completing it.
 */
export async function sendBatches(
  res: ServerResponse,
  batches: AsyncIterator<readonly Buffer[]>,
): Promise<void> {
  let closed = false;
  let wake: (() => void) | undefined;
  const onClose = () => {
    closed = true;
    wake?.();
  };
  res.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await batches.next();
      if (done || closed) break;
      if (value.length === 0) continue;
      await new Promise<void>((resolve, reject) => {
        // A write to a socket the client closed never calls back: the close wakes us instead.
        wake = resolve;
        res.cork();
        for (let i = 0; i < value.length - 1; i++) res.write(value[i]);
        res.write(value[value.length - 1], (err) => (err ? reject(err) : resolve()));
        res.uncork();
      });
      wake = undefined;
      if (closed) break;
    }
    if (!closed) res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  } finally {
    res.off('close', onClose);
    await batches.return?.().catch(() => undefined);
  }
}
