/**
 * The compute store port: the mutable state of computed resources (status, times, result, error,
 * holder and lease), one row per key `(collection, id, argsHash)`. Adapters: `SqliteComputeStore`
 * (`sqlite/`, `.strata/compute.db`) and `PostgresComputeStore` (`postgres/`); every adapter passes
 * `runComputeStoreConformance`.
 *
 * Methods return `Awaitable<T>`: the SQLite adapter answers synchronously (a cached fetch costs a
 * few microseconds, and a promise per call would double it), while a networked adapter may return
 * promises. Callers always `await`.
 */

/** A value now or later. */
export type Awaitable<T> = T | Promise<T>;

/** Every status a computed resource can have. `unavailable`: never computed (there is no row). */
export const COMPUTE_STATUSES = ['unavailable', 'pending', 'complete', 'error'] as const;
export type ComputeStatus = (typeof COMPUTE_STATUSES)[number];
/** The statuses a stored row can have. */
export type StoredComputeStatus = Exclude<ComputeStatus, 'unavailable'>;

/** Identifies one computed resource. */
export interface ComputeKey {
  readonly collection: string;
  readonly id: string;
  /** Hash of the canonical JSON of the arguments (see `hashArgs` in src/compute/). */
  readonly argsHash: string;
}

/** An error remembered for a resource, serialisable as JSON. */
export interface ComputeErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The thrown error's `code` when it had a string one (e.g. `E_INVALID_RESULT`). */
  readonly code?: string;
}

/** One stored resource. Times are milliseconds since the epoch. */
export interface ComputeRow extends ComputeKey {
  /** The canonical JSON of the arguments. */
  readonly args: string;
  readonly status: StoredComputeStatus;
  readonly codeVersion: string;
  readonly startedMs: number | null;
  readonly endedMs: number | null;
  /** The result as JSON text (complete rows only). */
  readonly result: string | null;
  readonly error: ComputeErrorInfo | null;
  /** Who computes (pending) or computed it. */
  readonly pid: number | null;
  readonly host: string | null;
  /** Identifies one claim; only its holder can finish or renew it. */
  readonly token: string | null;
  /** A pending row whose lease ended is stale, wherever its holder runs. */
  readonly leaseUntilMs: number | null;
  /** How many times the function was started for this key, retries and takeovers included. */
  readonly attempts: number;
  /** The output folder relative to the repository root, when the function created one. */
  readonly dir: string | null;
}

/** Most keys an adapter reads in one statement of `getMany` (larger inputs take several). */
export const GET_MANY_BATCH = 1000;

/** A key as one string (`getMany` adapters match returned rows to the keys asked with it). */
export function keyString(key: ComputeKey): string {
  return `${key.collection}\u0000${key.id}\u0000${key.argsHash}`;
}

/** Who takes a claim. */
export interface ComputeHolder {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
}

/** What `claim` needs. */
export interface ClaimRequest {
  readonly key: ComputeKey;
  readonly args: string;
  readonly codeVersion: string;
  readonly holder: ComputeHolder;
  readonly nowMs: number;
  readonly leaseMs: number;
  /** Take over a finished row too (a recompute). A live pending row is never taken. */
  readonly force: boolean;
  /** Whether a pending row's holder still works on it. Called inside the claim's transaction. */
  readonly isLive: (row: ComputeRow, nowMs: number) => boolean;
}

/**
 * The outcome of a claim: `claimed` (the caller must compute and then `finish`; `previous` is the
 * row it replaced), `done` (a finished row of the same code version: use it), or `busy` (a live
 * holder computes it: wait).
 */
export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly row: ComputeRow; readonly previous: ComputeRow | undefined }
  | { readonly kind: 'done'; readonly row: ComputeRow }
  | { readonly kind: 'busy'; readonly row: ComputeRow };

/**
 * The claim rule every adapter applies, atomically with the write it leads to:
 * no row → claim; a pending row → busy while its holder is live, else claim (stale takeover);
 * a complete or error row → done if its code version matches and `force` is off, else claim.
 */
export function decideClaim(row: ComputeRow | undefined, request: ClaimRequest): ClaimOutcome['kind'] {
  if (row === undefined) return 'claimed';
  if (row.status === 'pending') return request.isLive(row, request.nowMs) ? 'busy' : 'claimed';
  return !request.force && row.codeVersion === request.codeVersion ? 'done' : 'claimed';
}

/** How a claimed compute ended. */
export type ComputeOutcome =
  | { readonly status: 'complete'; readonly result: string }
  | { readonly status: 'error'; readonly error: ComputeErrorInfo };

/** A claim to renew or finish. */
export interface HeldClaim {
  readonly key: ComputeKey;
  readonly token: string;
}

/** Row counts per collection and status. */
export interface ComputeCountRow {
  readonly collection: string;
  readonly status: StoredComputeStatus;
  readonly count: number;
}

/** A page of rows of one collection, ordered by `(id, argsHash)`. */
export interface ComputeListQuery {
  readonly collection: string;
  readonly status?: StoredComputeStatus;
  /** Only rows of this id (every args hash). */
  readonly id?: string;
  /** Start after this position (keyset paging). */
  readonly after?: { readonly id: string; readonly argsHash: string };
  readonly limit: number;
}

/**
 * The port. Rows only change through `claim` (insert or take over), `finish` and `retry` (only by
 * the token's holder), `renew`, `delete` and `clear`.
 */
export interface ComputeStore {
  /** Where the state lives (a file path for SQLite); equal values mean the same store. */
  readonly location: string;

  get(key: ComputeKey): Awaitable<ComputeRow | undefined>;
  /**
   * The rows of many keys, in the order of `keys` (undefined where a key has none; a key given
   * twice is answered twice). One read per batch of `GET_MANY_BATCH` keys rather than one per key:
   * a cached `fetchMany` over a networked store would otherwise pay a round trip per key.
   */
  getMany(keys: readonly ComputeKey[]): Awaitable<(ComputeRow | undefined)[]>;
  /** Applies `decideClaim` atomically: a claimed row is pending, held by `holder`, attempts + 1. */
  claim(request: ClaimRequest): Awaitable<ClaimOutcome>;
  /**
   * Records the end of a claim. False (and nothing changes) when the claim was lost: the row was
   * taken over, deleted or finished by someone else.
   */
  finish(claim: HeldClaim, outcome: ComputeOutcome, endedMs: number, dir: string | null): Awaitable<boolean>;
  /** Counts one more attempt of a held claim (a retry) and extends its lease. False when lost. */
  retry(claim: HeldClaim, leaseUntilMs: number): Awaitable<boolean>;
  /** Extends the leases of held claims; returns how many were still held. */
  renew(claims: readonly HeldClaim[], leaseUntilMs: number): Awaitable<number>;

  /** Row counts per collection and status (only for `collection` when given). */
  counts(collection?: string): Awaitable<ComputeCountRow[]>;
  /** Every pending row (only of `collection` when given), to tell live from stale holders. */
  pending(collection?: string): Awaitable<ComputeRow[]>;
  list(query: ComputeListQuery): Awaitable<ComputeRow[]>;
  /** Every collection with at least one row, sorted. */
  collections(): Awaitable<string[]>;

  /** Removes one row; returns it. */
  delete(key: ComputeKey): Awaitable<ComputeRow | undefined>;
  /** Removes every row of a collection (of one status when given); returns their keys. */
  clear(collection: string, status?: StoredComputeStatus): Awaitable<ComputeKey[]>;

  /** Frees the connection; calling it again does nothing. */
  close(): Awaitable<void>;
}
