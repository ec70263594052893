import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidArgumentError } from '../errors/index.js';
import type { ComputeContext } from './compute-context.js';
import { checkCollectionName } from './names.js';

/**
 * A compute function: gets the id, the args and a context (`ctx.dir` for output files, `ctx.log`
 * for the resource's log) and returns JSON data (or a promise of it). Returning nothing records
 * `null`.
 */
export type ComputeFunction<A = never, R = unknown> = (
  id: string,
  args: A,
  ctx: ComputeContext,
) => R | Promise<R>;

/** When a function throws: how often to try again within the same fetch, and how long to wait. */
export interface RetryPolicy {
  /** Extra attempts after the first (default 0: an error is remembered at once). */
  readonly retries: number;
  /** Wait before the first retry (default 0 ms). */
  readonly delayMs?: number;
  /** Each later wait is the previous one times this (default 2). */
  readonly factor?: number;
}

/** Options of a collection. */
export interface CollectionOptions {
  /** Changing it invalidates remembered results and errors (they are recomputed on fetch). Default '0'. */
  readonly codeVersion?: string | number;
  /** Retries of a throwing function (a number means `{ retries: n }`). */
  readonly retry?: RetryPolicy | number;
  /**
   * How many computes of this collection run at once in this thread (cached fetches are never
   * limited). Default: `os.availableParallelism()`.
   */
  readonly concurrency?: number;
  /**
   * How long a claim stays valid without renewal (default 60 s). This process renews it every
   * third of that while the function runs; a holder silent for longer (a dead machine, or an event
   * loop blocked by a synchronous function) is considered stale and its key recomputed elsewhere.
   */
  readonly leaseMs?: number;
  /**
   * An ES module (file path or file URL) exporting the function, so `fetchMany` can run it in
   * worker threads. Keep the function in its own module: workers import it.
   */
  readonly module?: string | URL;
  /** The module's export holding the function (default: the collection's name). */
  readonly export?: string;
}

/** The plain, cloneable description of a collection (what worker threads receive). */
export interface CollectionSpec {
  readonly name: string;
  readonly codeVersion: string;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly retryFactor: number;
  readonly concurrency: number;
  readonly leaseMs: number;
  /** File URL of the module exporting the function, if any. */
  readonly module: string | undefined;
  readonly exportName: string;
}

/** A defined collection: its function and settings. */
export interface Collection<A = never, R = unknown> {
  readonly name: string;
  readonly fn: ComputeFunction<A, R>;
  readonly spec: CollectionSpec;
}

function count(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}, got ${String(value)}`, {
      option: what,
      value: String(value),
    });
  return value;
}

function moduleUrl(module: string | URL | undefined): string | undefined {
  if (module === undefined) return undefined;
  const text = module instanceof URL ? module.href : module;
  if (text.startsWith('file:')) return text;
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !isAbsolute(text))
    throw new InvalidArgumentError(`module '${text}' must be a file path or a file: URL`, { module: text });
  return pathToFileURL(resolve(text)).href;
}

/** Checks a collection's name and options and returns its spec. */
export function createCollectionSpec(name: string, options: CollectionOptions = {}): CollectionSpec {
  checkCollectionName(name);
  const retry =
    typeof options.retry === 'number' ? { retries: options.retry } : (options.retry ?? { retries: 0 });
  const codeVersion = options.codeVersion ?? '0';
  if (typeof codeVersion !== 'string' && typeof codeVersion !== 'number')
    throw new InvalidArgumentError('codeVersion must be a string or a number', { option: 'codeVersion' });
  const factor = retry.factor ?? 2;
  if (typeof factor !== 'number' || !(factor >= 1) || !Number.isFinite(factor))
    throw new InvalidArgumentError('retry.factor must be a finite number >= 1', { option: 'retry.factor' });
  const exportName = options.export ?? name;
  if (typeof exportName !== 'string' || exportName === '')
    throw new InvalidArgumentError('export must be a non-empty string', { option: 'export' });
  return {
    name,
    codeVersion: String(codeVersion),
    retries: count(retry.retries, 'retry.retries', 0, 1000),
    retryDelayMs: count(retry.delayMs ?? 0, 'retry.delayMs', 0, 3_600_000),
    retryFactor: factor,
    concurrency: count(options.concurrency ?? availableParallelism(), 'concurrency', 1, 100_000),
    leaseMs: count(options.leaseMs ?? 60_000, 'leaseMs', 100, 86_400_000),
    module: moduleUrl(options.module),
    exportName,
  };
}

/** Defines a collection (checks name and options). */
export function createCollection<A, R>(
  name: string,
  fn: ComputeFunction<A, R>,
  options: CollectionOptions = {},
): Collection<A, R> {
  if (typeof fn !== 'function')
    throw new InvalidArgumentError(`the compute function of collection '${name}' is not a function`, {
      name,
    });
  return { name, fn, spec: createCollectionSpec(name, options) };
}
