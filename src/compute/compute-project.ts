import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPUTE_STATUSES,
  type ComputeErrorInfo,
  type ComputeRow,
  type ComputeStatus,
  type ComputeStore,
  type StoredComputeStatus,
} from './store/compute-store.js';
import {
  AlreadyExistsError,
  ComputeFailedError,
  InvalidArgumentError,
  NotFoundError,
} from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { isHolderLive } from './claims.js';
import {
  createCollection,
  type Collection,
  type CollectionOptions,
  type ComputeFunction,
} from './collection.js';
import { commitOutputs, type CommitOutputsOptions, type CommitOutputsResult } from './commit-outputs.js';
import { LOG_FILE } from './compute-logger.js';
import {
  fetchPrepared,
  prepareKey,
  settleInflight,
  type AnyCollection,
  type ComputeEngine,
} from './compute-engine.js';
import { rowToResource, unavailableResource, type ComputedResource } from './computed-resource.js';
import { fetchMany, type FetchManyItem, type FetchManyOptions } from './fetch-many.js';
import { checkCollectionName } from './names.js';
import { collectionDir, outputDirOf } from './output-dir.js';
import { COMPUTE_STORE } from './compute-store-port.js';

/** Options of `fetch` and the other per-resource verbs. */
export interface FetchOptions {
  /** Arguments of the function; part of the key (see `hashArgs`). Default `{}`. */
  readonly args?: unknown;
  /** Compute again even if a result or error is remembered (a compute in progress is awaited instead). */
  readonly recompute?: boolean;
}

/** Resource counts of one collection. `stale` counts the pending ones whose holder is gone. */
export interface ComputeCounts {
  readonly total: number;
  readonly unavailable: number;
  readonly pending: number;
  readonly complete: number;
  readonly error: number;
  readonly stale: number;
}

const PAGE = 500;
const STORED: readonly StoredComputeStatus[] = ['pending', 'complete', 'error'];

function checkStatus(status: string): StoredComputeStatus {
  if (!(STORED as readonly string[]).includes(status))
    throw new InvalidArgumentError(`unknown status '${status}'; expected one of ${STORED.join(', ')}`, {
      status,
      expected: STORED,
    });
  return status as StoredComputeStatus;
}

/**
 * Computed resources of one repository: define collections, fetch (compute once, remember), and
 * inspect or forget what was computed. Open with `openComputeProject(repo)`; close when done.
 *
 * @example
 * const project = await openComputeProject(repo);
 * const sizes = project.collection('sizes', async (id, args: { scale: number }, ctx) => {
 *   ctx.log.info('measuring', id);
 *   return { bytes: (await stat(id)).size * args.scale };
 * }, { codeVersion: 1 });
 * const r = await project.fetch(sizes, 'data/a.bin', { args: { scale: 2 } });
 * console.log(r.status, r.result);
 * await project.close();
 */
export class ComputeProject {
  readonly #collections = new Map<string, AnyCollection>();
  readonly #engine: ComputeEngine;
  readonly #repo: Repository | undefined;
  readonly #ownsRepo: boolean;
  #closed = false;

  constructor(options: {
    root: string;
    store: ComputeStore;
    workerModule: string;
    repo?: Repository;
    ownsRepo?: boolean;
  }) {
    this.#engine = { root: options.root, store: options.store, workerModule: options.workerModule };
    this.#repo = options.repo;
    this.#ownsRepo = options.ownsRepo ?? false;
  }

  /** The repository root (output folders live under `computed/` in it). */
  get root(): string {
    return this.#engine.root;
  }

  /** Defines a collection. Its name must be new in this project. */
  collection<A, R>(
    name: string,
    fn: ComputeFunction<A, R>,
    options: CollectionOptions = {},
  ): Collection<A, R> {
    this.#open();
    if (this.#collections.has(name))
      throw new AlreadyExistsError(`collection '${name}' is defined already`, { what: 'collection', name });
    const collection = createCollection(name, fn, options);
    this.#collections.set(name, collection as AnyCollection);
    return collection;
  }

  #defined(collection: Collection<never, unknown> | AnyCollection | string): AnyCollection {
    if (typeof collection !== 'string') return collection as AnyCollection;
    const found = this.#collections.get(collection);
    if (!found)
      throw new NotFoundError(`collection '${collection}' is not defined in this project`, {
        what: 'collection',
        name: collection,
      });
    return found;
  }

  #name(collection: { name: string } | string): string {
    return checkCollectionName(typeof collection === 'string' ? collection : collection.name);
  }

  #open(): void {
    if (this.#closed) throw new Error('this compute project is closed');
  }

  /**
   * Returns the resource: remembered if finished with the current code version, else computed now
   * (once across all callers and processes; the others wait). A function that throws or returns
   * non-JSON gives status `error` (remembered; see `recompute` and the retry policy), not a throw.
   */
  async fetch<A, R>(
    collection: Collection<A, R> | string,
    id: string,
    options: FetchOptions = {},
  ): Promise<ComputedResource<R>> {
    this.#open();
    const defined = this.#defined(collection as AnyCollection | string);
    return fetchPrepared<R>(
      this.#engine,
      defined,
      prepareKey(defined.name, id, options.args),
      options.recompute,
    );
  }

  /** `fetch`, returning the result, or throwing `ComputeFailedError` when the resource is in error. */
  async fetchResult<A, R>(
    collection: Collection<A, R> | string,
    id: string,
    options: FetchOptions = {},
  ): Promise<R> {
    const resource = await this.fetch(collection, id, options);
    if (resource.status !== 'complete') {
      throw new ComputeFailedError(
        `computing '${id}' in '${resource.collection}' failed: ${resource.error?.message ?? resource.status}`,
        { collection: resource.collection, id, argsHash: resource.argsHash, error: resource.error },
      );
    }
    return resource.result as R;
  }

  /**
   * Fetches many keys, computing the missing ones in parallel: in worker threads when the
   * collection has a `module`, else in this thread up to its concurrency. Results come back in the
   * order of `items`; `onProgress(done, total)` follows along.
   */
  async fetchMany<A, R>(
    collection: Collection<A, R> | string,
    items: readonly FetchManyItem[],
    options: FetchManyOptions = {},
  ): Promise<ComputedResource<R>[]> {
    this.#open();
    const defined = this.#defined(collection as AnyCollection | string);
    return fetchMany<R>(this.#engine, defined, items, options);
  }

  #row(
    collection: { name: string } | string,
    id: string,
    args: unknown,
  ): Promise<ComputeRow | undefined> | ComputeRow | undefined {
    return this.#engine.store.get(prepareKey(this.#name(collection), id, args).key);
  }

  /** The resource as remembered (status `unavailable` if never fetched); computes nothing. */
  async resource<R = unknown>(
    collection: { name: string } | string,
    id: string,
    options: { args?: unknown } = {},
  ): Promise<ComputedResource<R>> {
    this.#open();
    const prepared = prepareKey(this.#name(collection), id, options.args);
    const row = await this.#engine.store.get(prepared.key);
    return row === undefined
      ? unavailableResource(prepared.key.collection, id, prepared.args, prepared.key.argsHash)
      : rowToResource<R>(this.root, row);
  }

  /** Every remembered resource of an id, whatever its args (sorted by args hash). */
  async variants(collection: { name: string } | string, id: string): Promise<ComputedResource[]> {
    this.#open();
    const rows = await this.#engine.store.list({ collection: this.#name(collection), id, limit: 10_000 });
    return rows.map((row) => rowToResource(this.root, row));
  }

  /** The status of one resource; `unavailable` if never fetched. */
  async status(
    collection: { name: string } | string,
    id: string,
    options: { args?: unknown } = {},
  ): Promise<ComputeStatus> {
    this.#open();
    return (await this.#row(collection, id, options.args))?.status ?? 'unavailable';
  }

  /** Counts per status, for one collection or every collection with resources (and every defined one). */
  async stats(collection?: { name: string } | string): Promise<Record<string, ComputeCounts>> {
    this.#open();
    const name = collection === undefined ? undefined : this.#name(collection);
    const { store } = this.#engine;
    const out: Record<string, Record<ComputeStatus | 'total' | 'stale', number>> = {};
    const zero = () => ({ total: 0, unavailable: 0, pending: 0, complete: 0, error: 0, stale: 0 });
    for (const n of name === undefined ? [...this.#collections.keys()] : [name]) out[n] = zero();
    for (const row of await store.counts(name)) {
      const counts = (out[row.collection] ??= zero());
      counts[row.status] += row.count;
      counts.total += row.count;
    }
    const now = Date.now();
    for (const row of await store.pending(name)) if (!isHolderLive(row, now)) out[row.collection]!.stale++;
    return Object.fromEntries(
      Object.keys(out)
        .sort()
        .map((k) => [k, out[k] as ComputeCounts]),
    );
  }

  /** Every remembered resource of a collection (of one status when given), paged from the store. */
  async *list(
    collection: { name: string } | string,
    options: { status?: string } = {},
  ): AsyncGenerator<ComputedResource> {
    this.#open();
    const name = this.#name(collection);
    const status = options.status === undefined ? undefined : checkStatus(options.status);
    let after: { id: string; argsHash: string } | undefined;
    for (;;) {
      const rows = await this.#engine.store.list({ collection: name, status, after, limit: PAGE });
      for (const row of rows) yield rowToResource(this.root, row);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { id: last.id, argsHash: last.argsHash };
    }
  }

  /** The ids with this status, sorted (an id with several args variants appears once). */
  async findByStatus(collection: { name: string } | string, status: string): Promise<string[]> {
    if (status === 'unavailable') return [];
    const ids: string[] = [];
    for await (const r of this.list(collection, { status })) if (ids[ids.length - 1] !== r.id) ids.push(r.id);
    return ids;
  }

  async #existing(collection: { name: string } | string, id: string, args: unknown): Promise<ComputeRow> {
    const row = await this.#row(collection, id, args);
    if (row === undefined) {
      throw new NotFoundError(`no computed resource '${id}' in collection '${this.#name(collection)}'`, {
        what: 'computed resource',
        collection: this.#name(collection),
        id,
      });
    }
    return row;
  }

  /** The remembered error (name, message, stack), or undefined unless the status is `error`. */
  async fetchError(
    collection: { name: string } | string,
    id: string,
    options: { args?: unknown } = {},
  ): Promise<ComputeErrorInfo | undefined> {
    this.#open();
    const row = await this.#existing(collection, id, options.args);
    return row.status === 'error' ? (row.error ?? undefined) : undefined;
  }

  /** The resource's log (`''` when it logged nothing); readable while it computes. */
  async fetchLog(
    collection: { name: string } | string,
    id: string,
    options: { args?: unknown } = {},
  ): Promise<string> {
    this.#open();
    const row = await this.#existing(collection, id, options.args);
    const file = join(this.root, outputDirOf(row), LOG_FILE);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /**
   * Forgets one resource and deletes its output folder. A compute of it still running elsewhere
   * finishes without recording anything.
   */
  async delete(
    collection: { name: string } | string,
    id: string,
    options: { args?: unknown } = {},
  ): Promise<boolean> {
    this.#open();
    const row = await this.#engine.store.delete(prepareKey(this.#name(collection), id, options.args).key);
    if (row === undefined) return false;
    rmSync(join(this.root, outputDirOf(row)), { recursive: true, force: true });
    return true;
  }

  /** Forgets every resource of a collection (or those of one status) and deletes their folders. */
  async clear(collection: { name: string } | string, options: { status?: string } = {}): Promise<number> {
    this.#open();
    const name = this.#name(collection);
    const status = options.status === undefined ? undefined : checkStatus(options.status);
    const keys = await this.#engine.store.clear(name, status);
    // Everything under computed/<collection>/ is this collection's: leftovers and lineage.json go too.
    if (status === undefined) rmSync(join(this.root, collectionDir(name)), { recursive: true, force: true });
    else for (const key of keys) rmSync(join(this.root, outputDirOf(key)), { recursive: true, force: true });
    return keys.length;
  }

  /**
   * Versions a collection's outputs: registers `computed/<collection>` as an `intermediate-data`
   * resource if needed, writes `lineage.json` there (every complete resource: id, args, args hash,
   * code version, files) and commits the repository.
   */
  async commitOutputs(
    collection: { name: string } | string,
    options: CommitOutputsOptions,
  ): Promise<CommitOutputsResult> {
    this.#open();
    if (!this.#repo) throw new Error('commitOutputs needs a project opened on a repository');
    return commitOutputs(
      this.#repo,
      this.list(collection, { status: 'complete' }),
      this.#name(collection),
      options,
    );
  }

  /** Waits for this thread's computes of this project's store, then closes it (and the repository it opened). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await settleInflight(this.#engine.store);
    await this.#engine.store.close();
    if (this.#ownsRepo) await this.#repo?.close();
  }
}

/**
 * Opens the computed resources of an open repository, in the compute store its composition root
 * chose (`.strata/compute.db`, or beside a shared PostgreSQL catalog). With `ownsRepo`, closing
 * the project closes the repository too.
 */
export async function openComputeProject(
  repo: Repository,
  options: { ownsRepo?: boolean } = {},
): Promise<ComputeProject> {
  const opener = repo.ports.get(COMPUTE_STORE);
  const store = await opener.open();
  return new ComputeProject({
    root: repo.root,
    store,
    workerModule: opener.workerModule,
    repo,
    ownsRepo: options.ownsRepo,
  });
}

export { COMPUTE_STATUSES };
