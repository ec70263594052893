import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError, StrataError } from '../errors/index.js';
import { compiledModuleUrl } from '../util/compiled-module-url.js';
import {
  fetchPrepared,
  prepareKey,
  rememberedResource,
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
  if (prepared.length === 0) return [];
  if (threads === 0)
    return inThisThread(engine, collection, prepared, options) as Promise<ComputedResource<R>[]>;
  // What is remembered is answered here (a point read each): workers start only for the rest.
  const results: ComputedResource[] = new Array(prepared.length);
  const todo: number[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const remembered = options.recompute
      ? undefined
      : await rememberedResource(engine, collection, prepared[i]!);
    if (remembered) results[i] = remembered;
    else todo.push(i);
  }
  let done = prepared.length - todo.length;
  if (done > 0) options.onProgress?.(done, prepared.length);
  if (todo.length > 0) {
    const computed = await inWorkers(
      engine,
      collection,
      todo.map((i) => prepared[i]!),
      threads,
      {
        recompute: options.recompute,
        onProgress: () => {
          done++;
          options.onProgress?.(done, prepared.length);
        },
      },
    );
    todo.forEach((index, j) => (results[index] = computed[j]!));
  }
  return results as ComputedResource<R>[];
}

async function inThisThread(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: readonly PreparedKey[],
  options: FetchManyOptions,
): Promise<ComputedResource[]> {
  const results: ComputedResource[] = new Array(prepared.length);
  let next = 0;
  let done = 0;
  const runner = async () => {
    while (next < prepared.length) {
      const index = next++;
      results[index] = await fetchPrepared(engine, collection, prepared[index]!, options.recompute);
      done++; // not inside `onProgress?.(...)`: its arguments are skipped without a callback
      options.onProgress?.(done, prepared.length);
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
      if (next >= total) return send(w, { type: 'close' });
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
        else if (done < total) reject(new Error(`fetchMany: workers stopped after ${done} of ${total} keys`));
        else resolve(results);
      });
    }
  });
}
