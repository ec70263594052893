/**
 * A `fetchMany` worker thread: imports the collection's function from its module, opens its own
 * connection to the compute store and fetches the keys it is sent, with the same claim protocol
 * as any other caller (so keys are still computed once across threads and processes).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InvalidArgumentError, isStrataError } from '../errors/index.js';
import type { CollectionSpec } from './collection.js';
import { fetchPrepared, type AnyCollection, type ComputeEngine } from './compute-engine.js';
import type { ComputedResource } from './computed-resource.js';
import type { ComputeStoreWorkerModule } from './compute-store-port.js';

/** What a worker starts with. */
export interface WorkerInit {
  readonly root: string;
  readonly location: string;
  /** The module that opens the store at `location` (chosen by the composition root). */
  readonly workerModule: string;
  readonly spec: CollectionSpec;
}

/** One key to fetch; `index` is its place in the caller's list. */
export interface WorkerJob {
  readonly index: number;
  readonly id: string;
  readonly argsJson: string;
  readonly argsHash: string;
}

export type WorkerRequest =
  | { readonly type: 'run'; readonly jobs: readonly WorkerJob[]; readonly recompute: boolean }
  | { readonly type: 'close' };

/** A serialised error. */
export interface WorkerError {
  name: string;
  message: string;
  code?: string;
  data?: Record<string, unknown>;
  stack?: string;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'idle' }
  | { readonly type: 'result'; readonly index: number; readonly resource: ComputedResource }
  | { readonly type: 'fatal'; readonly error: WorkerError };

function toWorkerError(err: unknown): WorkerError {
  if (isStrataError(err)) return { ...err.toJSON(), stack: err.stack };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

async function start(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  const reply = (message: WorkerReply) => port.postMessage(message);
  let engine: ComputeEngine | undefined;
  try {
    const { spec } = init;
    const mod = (await import(spec.module!)) as Record<string, unknown>;
    const fn = mod[spec.exportName];
    if (typeof fn !== 'function') {
      throw new InvalidArgumentError(
        `module ${spec.module} has no function export '${spec.exportName}' for collection '${spec.name}'`,
        { module: spec.module, export: spec.exportName },
      );
    }
    const collection: AnyCollection = { name: spec.name, fn: fn as AnyCollection['fn'], spec };
    const { openComputeStore } = (await import(init.workerModule)) as ComputeStoreWorkerModule;
    const store = await openComputeStore(init.location);
    const ready: ComputeEngine = { root: init.root, store, workerModule: init.workerModule };
    engine = ready;
    port.on('message', (request: WorkerRequest) => {
      if (request.type === 'close') {
        void Promise.resolve(ready.store.close()).finally(() => port.close());
        return;
      }
      const run = request.jobs.map(async (job) => {
        const prepared = {
          key: { collection: spec.name, id: job.id, argsHash: job.argsHash },
          args: JSON.parse(job.argsJson) as unknown,
          argsJson: job.argsJson,
        };
        const resource = await fetchPrepared(ready, collection, prepared, request.recompute);
        reply({ type: 'result', index: job.index, resource });
      });
      Promise.all(run).then(
        () => reply({ type: 'idle' }),
        (err: unknown) => reply({ type: 'fatal', error: toWorkerError(err) }),
      );
    });
    reply({ type: 'ready' });
  } catch (err) {
    reply({ type: 'fatal', error: toWorkerError(err) });
    await engine?.store.close();
    port.close();
  }
}

if (parentPort) await start(parentPort, workerData as WorkerInit);
