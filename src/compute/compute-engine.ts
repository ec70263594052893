import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  GET_MANY_BATCH,
  type ClaimOutcome,
  type ComputeErrorInfo,
  type ComputeKey,
  type ComputeRow,
  type ComputeStore,
} from './store/compute-store.js';
import { InvalidResultError } from '../errors/index.js';
import { hashArgs } from './args-hash.js';
import { dropClaim, holdClaim, isHolderLive, newHolder } from './claims.js';
import type { Collection } from './collection.js';
import { createComputeContext } from './compute-context.js';
import { rowToResource, type ComputedResource } from './computed-resource.js';
import { findJsonProblem } from './json-value.js';
import { Limiter } from './limiter.js';
import { checkId } from './names.js';
import { outputDirOf } from './output-dir.js';

/** Where computes keep their state and their files. */
export interface ComputeEngine {
  /** The repository root; output folders live under `<root>/computed/`. */
  readonly root: string;
  readonly store: ComputeStore;
  /** What worker threads import to open their own connection (see `ComputeStoreOpener`). */
  readonly workerModule: string;
}

/** A key with its args, checked and hashed. */
export interface PreparedKey {
  readonly key: ComputeKey;
  readonly args: unknown;
  readonly argsJson: string;
}

/** A collection whose function can be called with any JSON args. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- args are checked JSON at run time
export type AnyCollection = Collection<any, unknown>;

/** Checks the id and hashes the args (throws `InvalidArgumentError` before anything is recorded). */
export function prepareKey(collection: string, id: string, args: unknown): PreparedKey {
  const hashed = hashArgs(args);
  return {
    key: { collection, id: checkId(id), argsHash: hashed.hash },
    args: args === undefined ? {} : args,
    argsJson: hashed.json,
  };
}

/** Computes of one key in this thread, shared by every caller that asks meanwhile. */
const inflight = new Map<string, Promise<ComputedResource>>();
/** Per store and collection: the concurrency limit of this thread. */
const limiters = new WeakMap<ComputeStore, Map<string, Limiter>>();

function limiterOf(store: ComputeStore, collection: AnyCollection): Limiter {
  let byName = limiters.get(store);
  if (!byName) limiters.set(store, (byName = new Map()));
  let limiter = byName.get(collection.name);
  if (!limiter || limiter.limit !== collection.spec.concurrency) {
    limiter = new Limiter(collection.spec.concurrency);
    byName.set(collection.name, limiter);
  }
  return limiter;
}

/** How many computes are in flight in this thread (tests check nothing leaks). */
export function inflightCount(): number {
  return inflight.size;
}

/** Waits for every compute of `store` now in flight in this thread (used before closing it). */
export async function settleInflight(store: ComputeStore): Promise<void> {
  const prefix = store.location + '\u0000';
  const mine = [...inflight].filter(([k]) => k.startsWith(prefix)).map(([, p]) => p);
  await Promise.allSettled(mine);
}

/** A row's resource if it is finished with the collection's code version. */
function usable<R>(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: PreparedKey,
  row: ComputeRow | undefined,
): ComputedResource<R> | undefined {
  if (row !== undefined && row.status !== 'pending' && row.codeVersion === collection.spec.codeVersion)
    return rowToResource<R>(engine.root, row, prepared.args);
  return undefined;
}

/** The remembered resource if it is finished with the collection's code version (one point read). */
export async function rememberedResource<R>(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: PreparedKey,
): Promise<ComputedResource<R> | undefined> {
  return usable<R>(engine, collection, prepared, await engine.store.get(prepared.key));
}

/** Batches of keys read per store call by `rememberedResources` (progress is told per call). */
const READ_AHEAD_BATCHES = 4;

/**
 * `rememberedResource` for many keys, in their order, with one store read per `GET_MANY_BATCH`
 * keys (`getMany`): a cached `fetchMany` over PostgreSQL costs a round trip per batch, not per key.
 * `onBatch` is told how many of the batch just read were remembered.
 */
export async function rememberedResources<R>(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: readonly PreparedKey[],
  onBatch?: (remembered: number) => void,
): Promise<(ComputedResource<R> | undefined)[]> {
  const out: (ComputedResource<R> | undefined)[] = [];
  // Several batches per store call: an adapter over a network may run them at once.
  const step = GET_MANY_BATCH * READ_AHEAD_BATCHES;
  for (let start = 0; start < prepared.length; start += step) {
    const slice = prepared.slice(start, start + step);
    const rows = await engine.store.getMany(slice.map((p) => p.key));
    let remembered = 0;
    slice.forEach((p, i) => {
      const resource = usable<R>(engine, collection, p, rows[i]);
      if (resource) remembered++;
      out.push(resource);
    });
    onBatch?.(remembered);
  }
  return out;
}

/**
 * Fetches one resource: the remembered row when it is finished with the same code version (one
 * point read), otherwise a compute that exactly one caller in all processes runs while the others
 * wait for its outcome.
 */
export async function fetchPrepared<R>(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: PreparedKey,
  recompute = false,
): Promise<ComputedResource<R>> {
  const { key } = prepared;
  if (!recompute) {
    const remembered = await rememberedResource<R>(engine, collection, prepared);
    if (remembered) return remembered;
  }
  const id = `${engine.store.location}\u0000${key.collection}\u0000${key.id}\u0000${key.argsHash}`;
  let running = inflight.get(id);
  if (running === undefined) {
    running = computeKey(engine, collection, prepared, recompute).finally(() => inflight.delete(id));
    inflight.set(id, running);
  }
  return running as Promise<ComputedResource<R>>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** First poll after ~1 ms, doubling up to this (with jitter), so waiting costs no busy loop. */
const MAX_POLL_MS = 200;

async function computeKey(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: PreparedKey,
  recompute: boolean,
): Promise<ComputedResource> {
  const { store } = engine;
  const { spec } = collection;
  const limiter = limiterOf(store, collection);
  // After waiting once, a finished row is fresh enough even for a recompute: someone just made it.
  let force = recompute;
  for (;;) {
    const wait = limiter.acquire();
    if (wait) await wait;
    let outcome: ClaimOutcome;
    try {
      outcome = await store.claim({
        key: prepared.key,
        args: prepared.argsJson,
        codeVersion: spec.codeVersion,
        holder: newHolder(),
        nowMs: Date.now(),
        leaseMs: spec.leaseMs,
        force,
        isLive: isHolderLive,
      });
      if (outcome.kind === 'claimed') return await runClaimed(engine, collection, prepared, outcome);
    } finally {
      limiter.release();
    }
    if (outcome.kind === 'done') return rowToResource(engine.root, outcome.row, prepared.args);
    force = false;
    let delay = 1;
    for (;;) {
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, MAX_POLL_MS);
      const row = await store.get(prepared.key);
      if (row === undefined || row.status !== 'pending' || !isHolderLive(row, Date.now())) break;
    }
  }
}

/** The remembered form of anything thrown. */
export function errorInfo(err: unknown): ComputeErrorInfo {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name,
      message: err.message,
      ...(err.stack !== undefined ? { stack: err.stack } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${String(err)}` };
}

/** The result as JSON text, or the error that makes it unusable. */
function serialise(value: unknown): { json: string } | { error: ComputeErrorInfo } {
  if (value === undefined) return { json: 'null' };
  try {
    const problem = findJsonProblem(value, 'result');
    if (problem === undefined) return { json: JSON.stringify(value) };
    const err = new InvalidResultError(`the result is not JSON data: ${problem.path} is ${problem.problem}`, {
      path: problem.path,
      problem: problem.problem,
    });
    return { error: errorInfo(err) };
  } catch (err) {
    return { error: errorInfo(err) }; // a throwing getter, for one
  }
}

async function runClaimed(
  engine: ComputeEngine,
  collection: AnyCollection,
  prepared: PreparedKey,
  claimed: Extract<ClaimOutcome, { kind: 'claimed' }>,
): Promise<ComputedResource> {
  const { store, root } = engine;
  const { spec } = collection;
  const { key } = prepared;
  const claim = { key, token: claimed.row.token! };
  holdClaim(store, claim, spec.leaseMs);
  try {
    // A recompute or takeover starts from an empty folder (a killed holder's row has no `dir` yet).
    if (claimed.previous) rmSync(join(root, outputDirOf(key)), { recursive: true, force: true });
    let attempts = claimed.row.attempts;
    const handle = createComputeContext(root, key, attempts);
    let delay = spec.retryDelayMs;
    let retriesLeft = spec.retries;
    let outcome: { json: string } | { error: ComputeErrorInfo };
    for (;;) {
      try {
        outcome = serialise(await collection.fn(key.id, prepared.args, handle.ctx));
        break;
      } catch (err) {
        outcome = { error: errorInfo(err) };
        logQuietly(handle.ctx.log.error, err);
        if (retriesLeft === 0) break;
      }
      retriesLeft--;
      if (delay > 0) await sleep(delay);
      delay *= spec.retryFactor;
      if (!(await store.retry(claim, Date.now() + spec.leaseMs))) break; // taken over meanwhile
      handle.setAttempt(++attempts);
    }
    const endedMs = Date.now();
    const dir = handle.createdDir();
    const stored =
      'json' in outcome
        ? { status: 'complete' as const, result: outcome.json }
        : { status: 'error' as const, error: outcome.error };
    // False when another holder took the key over (this one looked dead): its outcome will stand,
    // and this caller still gets what it computed.
    await store.finish(claim, stored, endedMs, dir);
    return rowToResource(
      root,
      {
        ...claimed.row,
        status: stored.status,
        result: 'json' in outcome ? outcome.json : null,
        error: 'error' in outcome ? outcome.error : null,
        endedMs,
        leaseUntilMs: null,
        attempts,
        dir,
      },
      prepared.args,
    );
  } finally {
    dropClaim(claim.token);
  }
}

/** Writes a failed attempt to the resource's log; a log that cannot be written must not mask the error. */
function logQuietly(write: (...message: unknown[]) => void, err: unknown): void {
  try {
    write(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } catch {
    // The error itself is recorded in the store.
  }
}
