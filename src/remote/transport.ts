import type { ObjectStore } from '../store/object-store.js';
import type { ObjectId } from '../util/hash.js';

/** A ref as a remote holds it: `refs/heads/main`, `refs/tags/v1`. */
export interface RemoteRef {
  readonly name: string;
  readonly target: ObjectId;
}

/** What a remote says about itself before a transfer. */
export interface RemoteInfo {
  /** The branch its HEAD follows (what a clone checks out), or null. */
  readonly head: string | null;
  /** True for a remote without a working folder (an S3 prefix, or a repository created by a push). */
  readonly bare: boolean;
}

/**
 * What the transfer engine needs of the other side's objects: a subset of `ObjectStore`, so the
 * `path` transport hands over the remote repository's own store, and `s3/` and `http/` implement
 * it over their wire in batches (one request per `hasMany` or `getMany` batch, one streamed
 * upload per writer, never one request per object).
 */
export type RemoteObjects = Pick<
  ObjectStore,
  'hasMany' | 'getMany' | 'size' | 'sizeMany' | 'readToFile' | 'createWriter'
> & {
  /**
   * The objects `ids`, in order, each verified against its id as it arrives and handed over one at
   * a time: a remote behind a network link sends a whole pack in one exchange instead of one per
   * `getMany` batch. Optional.
   */
  streamMany?(ids: readonly ObjectId[]): AsyncIterable<readonly [ObjectId, Buffer]>;
};

/**
 * The transport port: how Strata reaches another repository. Adapters: `path/` (a repository on
 * disk), `s3/` (a bare remote in an S3 prefix) and `http/` (a `strata serve`). The transfer engine
 * (`transfer/`) works on `objects` only through `RemoteObjects`, so negotiation, packing and verification are the same for every adapter.
 *
 * The one atomic step of a push is `updateRef`, a compare-and-swap the engine calls only after every
 * object the new target needs is durable in `objects`.
 */
export interface Transport {
  /** The remote's location as the user gave it (never holds a secret). */
  readonly url: string;
  /** The remote's object store: read when fetching, written when pushing. */
  readonly objects: RemoteObjects;
  info(): Promise<RemoteInfo>;
  /**
   * Refuses, before anything is negotiated or sent, a push this remote would refuse for who is
   * asking (an HTTP token without write scope, a read-only server). Optional: a transport whose
   * writes are refused only by the filesystem or S3 finds out on its first write.
   */
  checkPushAllowed?(): Promise<void>;
  /** Branches and tags, sorted by name. */
  listRefs(): Promise<RemoteRef[]>;
  /**
   * Sets `name` to `target` only if it points at `expected` (null: must not exist); throws
   * `ConflictError` when another writer moved it first.
   */
  updateRef(name: string, target: ObjectId, expected: ObjectId | null): Promise<void>;
  close(): Promise<void>;
}
