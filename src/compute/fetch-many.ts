import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, StrataError } from '../errors/index.js';
import { compiledModuleUrl } from '../util/compiled-module-url.js';
import {
  fetchPrepared,
  prepareKey,
  rememberedResources,
  type AnyCollection,
  type ComputeEngine,
  type PreparedKey,
} from './compute-engine.js';
import type { ComputedResource } from './computed-resource.js';
import type { WorkerInit, WorkerJob, WorkerReply, WorkerRequest } from './fetch-many-worker.js';

/** One key for `fetchMany`: an id (args `{}`), or an id with args. */
export type FetchManyItem = string | { readonly id: string; readonly args?: unknown };

/** Options of `fetchMany`. */
export interface FetchManyOptions {
  readonly recompute?: boolean;
  /** Called after each key with how many are done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads to run in. Default: `os.availableParallelism()` when the collection has a
   * `module` (workers import the function from it), else 0. 0 runs in this thread, up to the
   * collection's concurrency.
   */
  readonly threads?: number;
  /**
   * Stops handing out keys when it aborts: keys being computed finish (each is remembered on its
   * own), the rest stay as they were, and the call rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

function prepareAll(collection: string, items: readonly FetchManyItem[]): PreparedKey[] {
  return items.map((item, index) => {
    const { id, args } = typeof item === 'string' ? { id: item, args: undefined } : item;
    try {
      return prepareKey(collection, id, args);
    } catch (err) {
      if (err instanceof InvalidArgumentError)
        throw new InvalidArgumentError(`item ${index}: ${err.message}`, { ...err.data, index });
      throw err;
    }
  });
}

/**
 * Fetches every item, computing what is missing in parallel; results in the order of `items`.
 * Every item's args are checked before anything runs.
 */
export async function fetchMany<R>(
  engine: ComputeEngine,
  collection: AnyCollection,
  items: readonly FetchManyItem[],
  options: FetchManyOptions = {},
): Promise<ComputedResource<R>[]> {
  const prepared = prepareAll(collection.name, items);
  const threads = options.threads ?? (collection.spec.module ? availableParallelism() : 0);
  if (!Number.isInteger(threads) || threads < 0 || threads > 1024)
    throw new InvalidArgumentError(`threads must be an integer from 0 to 1024, got ${threads}`, { threads });
  if (threads > 0 && collection.spec.module === undefined) {
    throw new InvalidArgumentError(
      `collection '${collection.name}' has no module: worker threads import the function from options.module`,
      { collection: collection.name },
    );
  }
  options.signal?.throwIfAborted();
  if (prepared.length === 0) return [];
  // What is remembered is answered here, one store read per batch of keys; only the rest is
  // claimed and computed (in this thread or in workers), with the usual claims and leases.
  const total = prepared.length;
  const results: ComputedResource[] = new Array(total);
  const todo: number[] = [];
  let done = 0;
  if (options.recompute) prepared.forEach((_, i) => todo.push(i));
  else {
    const remembered = await rememberedResources(engine, collection, prepared, (found) => {
      done += found;
      if (found > 0) options.onProgress?.(done, total);
    });
    remembered.forEach((resource, i) => (resource ? (results[i] = resource) : todo.push(i)));
  }
  if (todo.length > 0) {
    const missing = todo.map((i) => prepared[i]!);
    const onProgress = () => {
      done++;
      options.onProgress?.(done, total);
    };
    const computed =
      threads === 0
        ? await inThisThread(engine, collection, missing, options, onProgress)
        : await inWorkers(engine, collection, missing, threads, { ...options, onProgress });
    todo.forEach((index, j) => (results[index] = computed[j]!));
  }
  return results as ComputedResource<R>[];
}

async function inThisThread(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: readonly PreparedKey[],
  options: FetchManyOptions,
  onProgress: () => void,
): Promise<ComputedResource[]> {
  const results: ComputedResource[] = new Array(prepared.length);
  let next = 0;
  const runner = async () => {
    while (next < prepared.length) {
      options.signal?.throwIfAborted();
      const index = next++;
      results[index] = await fetchPrepared(engine, collection, prepared[index]!, options.recompute);
      onProgress();
    }
  };
  await Promise.all(Array.from({ length: Math.min(prepared.length, collection.spec.concurrency) }, runner));
  return results;
}

/** Turns an error a worker sent back into an error again (StrataErrors keep their code and data). */
export function reviveError(e: {
  name: string;
  message: string;
  code?: string;
  data?: Record<string, unknown>;
  stack?: string;
}): Error {
  const err = e.code?.startsWith('E_')
    ? new StrataError(e.code, e.message, e.data ?? {})
    : new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

const WORKER_URL = compiledModuleUrl('compute/fetch-many-worker.js');

function inWorkers(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: readonly PreparedKey[],
  threads: number,
  options: FetchManyOptions,
): Promise<ComputedResource[]> {
  const total = prepared.length;
  const count = Math.min(threads, total);
  // Small chunks balance the threads; not too small, one message per chunk.
  const chunk = Math.max(1, Math.min(256, Math.ceil(total / (count * 8))));
  const init: WorkerInit = {
    root: engine.root,
    location: engine.store.location,
    workerModule: engine.workerModule,
    spec: collection.spec,
  };
  return new Promise((resolve, reject) => {
    const results: ComputedResource[] = new Array(total);
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let exited = 0;
    let failure: Error | undefined;
    const fail = (err: Error) => {
      if (failure) return;
      failure = err;
      for (const w of workers) void w.terminate();
    };
    const send = (w: Worker, request: WorkerRequest) => w.postMessage(request);
    const feed = (w: Worker) => {
      if (failure) return;
      // Once aborted no chunk is handed out: the workers finish theirs and close.
      if (next >= total || options.signal?.aborted) return send(w, { type: 'close' });
      const jobs: WorkerJob[] = [];
      for (const p of prepared.slice(next, next + chunk)) {
        jobs.push({ index: next++, id: p.key.id, argsJson: p.argsJson, argsHash: p.key.argsHash });
      }
      send(w, { type: 'run', jobs, recompute: options.recompute ?? false });
    };
    for (let t = 0; t < count; t++) {
      const w = new Worker(WORKER_URL, { workerData: init });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (reply.type === 'result') {
          results[reply.index] = reply.resource;
          done++;
          options.onProgress?.(done, total);
        } else if (reply.type === 'fatal') fail(reviveError(reply.error));
        else feed(w); // ready or idle
      });
      w.on('error', (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))));
      w.on('exit', (code) => {
        exited++;
        if (code !== 0 && !failure) fail(new Error(`a fetchMany worker thread exited with code ${code}`));
        if (exited < count) return;
        if (failure) reject(failure);
        else if (options.signal?.aborted) reject(options.signal.reason);
        else if (done < total) reject(new Error(`fetchMany: workers stopped after ${done} of ${total} keys`));
        else resolve(results);
      });
    }
  });
}
