import type { ObjectId } from '../util/hash.js';

/**
 * The object store port: immutable, content-addressed bytes. An object's id is the hash of its
 * bytes (see `util/hash.ts`); every read re-verifies it and throws `HashMismatchError` on a
 * mismatch, `NotFoundError` when the id is unknown.
 *
 * Writes go through an `ObjectWriter` so that many small objects share one pack file and one
 * fsync, and nothing becomes readable before it is durable.
 */
export interface ObjectStore {
  /** A short name of the backend, e.g. `fs` or `memory`. */
  readonly kind: string;
  /** True when the object is stored (does not verify its bytes). */
  has(id: ObjectId): Promise<boolean>;
  /** The subset of `ids` that is stored; one round trip for the whole batch. */
  hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>>;
  /** The object's bytes, verified against its id. Use `readToFile` for big objects. */
  get(id: ObjectId): Promise<Buffer>;
  /**
   * Streams the object's bytes `start..end` (inclusive; default the whole object) with bounded
   * memory, for serving downloads, verified on the way: the whole object is hashed while it
   * streams (for a range too, unless this process verified the unchanged file already) and the
   * last piece is held back until the hash matched, so a corrupt object makes the stream error
   * before its end instead of being served complete. Optional: a store without it is read whole
   * with `get`.
   */
  openReadStream?(id: ObjectId, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream>;
  /**
   * A hint that these objects are about to be read one by one (a checkout): a remote store may
   * fetch the small ones in batches into its local cache, so the reads that follow cost no round
   * trip each. Optional; local stores have nothing to gain.
   */
  prefetch?(ids: readonly ObjectId[]): Promise<void>;
  /**
   * Many small objects at once, each verified: one index lookup for the batch instead of one per
   * object (reading a column's index leaves). A missing or corrupt one fails the call.
   * `options.allocate`, when given, is asked for the memory that bytes are read into, so a caller
   * streaming gigabytes can reuse its buffers (a store may ignore it and allocate its own).
   */
  getMany(ids: readonly ObjectId[], options?: GetManyOptions): Promise<Map<ObjectId, Buffer>>;
  /** The object's size in bytes without reading it. */
  size(id: ObjectId): Promise<number>;
  /**
   * Sizes of many objects in one index lookup (serving a remote's `sizes` batch); `NotFoundError`
   * for one that is not stored. Optional: `size` is asked per object otherwise.
   */
  sizeMany?(ids: readonly ObjectId[]): Promise<Map<ObjectId, number>>;
  /**
   * Streams the object into `path` with bounded memory, verifying the hash on the way: a temp file
   * beside `path` is renamed over it only when the hash matched, so a corrupt object never lands.
   */
  readToFile(id: ObjectId, path: string, options?: { mode?: number }): Promise<void>;
  /** Reads the object whole (streamed for big ones) and throws if it is missing or corrupt. */
  verify(id: ObjectId): Promise<void>;
  /** Starts a batch of writes. */
  createWriter(options?: WriterOptions): ObjectWriter;
  /** Every stored object id, in no particular order. */
  list(): AsyncIterable<ObjectId>;
  /** Removes objects (garbage collection only: the caller proves they are unreachable). */
  deleteMany(ids: readonly ObjectId[]): Promise<void>;
  /**
   * Cleans up after writers that were killed (garbage collection only, while no writer runs):
   * removes temp files whose writer is gone (its process is dead, or the file is older than
   * `graceMs`), and makes stored files that no index row points at either indexed again (after
   * verifying them; gc then decides whether they are reachable) or removed when the index already
   * has every object in them (what a gc killed between its index update and its deletes leaves).
   */
  removeLeftovers(options: { readonly graceMs: number }): Promise<LeftoverReport>;
  /** Releases open files and connections. */
  close(): Promise<void>;
}

/** How a writer stores what it is given. */
export interface WriterOptions {
  /**
   * Big objects go into the writer's pack with the small ones (one file and one fsync for the
   * whole batch) instead of a file each: for batches of big objects that are written, kept and
   * dropped together, like the chunks one ingest task writes (a file, fsync and rename per 4 MiB
   * chunk was most of a task's wait). A store without packs ignores it.
   */
  readonly packLargeObjects?: boolean;
}

/** How `getMany` reads. */
export interface GetManyOptions {
  /**
   * Returns a buffer of exactly `bytes` bytes to read into; the objects returned may be views of
   * it. The caller owns it: it may reuse it once it is done with those objects.
   */
  readonly allocate?: (bytes: number) => Buffer;
}

/** A batch of writes: objects added here become readable, all together, at `commit()`. */
export interface ObjectWriter {
  /** Adds a small object held in memory; returns its id. Adding a stored id again is free. */
  add(data: Uint8Array): Promise<ObjectId>;
  /**
   * Adds a small object the caller says hashes to `id`, without hashing it here: only for a
   * writer whose receiving end hashes every object itself and refuses a mismatch (the HTTP pack
   * writer: `strata serve` verifies each frame). Optional; others fall back to `add`.
   */
  addCheckedByReceiver?(id: ObjectId, data: Uint8Array): Promise<void>;
  /**
   * Adds a small object whose bytes this process has just hashed to `id` (a verifying read of
   * another store, a frame checked on arrival), without hashing it again, and keeps `data` as it
   * is (no copy): the caller must not change it afterwards. Optional; others fall back to `add`.
   */
  addVerified?(id: ObjectId, data: Uint8Array): Promise<void>;
  /**
   * Adds a file's content, streamed with bounded memory for big files; returns its id and size.
   * Throws the filesystem error (e.g. ENOENT) if the file cannot be read.
   */
  addFile(path: string): Promise<{ id: ObjectId; size: number }>;
  /** Makes every added object durable and readable. The writer cannot be used afterwards. */
  commit(): Promise<void>;
  /** Drops what was added and not committed. */
  abort(): Promise<void>;
}

/** Where a packed object lives: pack file name, byte offset of its data, and its length. */
export interface PackLocation {
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * The index from object id to pack location that `FsObjectStore` keeps outside the packs. The
 * catalog implements it (so the index is transactional and shared); tests use `MemoryPackIndex`.
 * `S3ObjectStore` uses it the same way and also records its big objects in it (pack `loose`,
 * offset 0), so that knowing what is stored never costs an S3 request.
 */
export interface PackIndex {
  lookup(ids: readonly ObjectId[]): Promise<Map<ObjectId, PackLocation>>;
  /** The ids that `lookup` would find, without their locations (optional; else `lookup` is used). */
  has?(ids: readonly ObjectId[]): Promise<Set<ObjectId>>;
  /** Adds entries in one step (all or none): they may be iterated more than once. */
  add(entries: Iterable<PackLocation & { id: ObjectId }>): Promise<void>;
  remove(ids: readonly ObjectId[]): Promise<void>;
  /** Every indexed id with its location, in no particular order. */
  entries(): AsyncIterable<PackLocation & { id: ObjectId }>;
}

/** What `ObjectStore.removeLeftovers` did. */
export interface LeftoverReport {
  /** Temp files of dead writers that were removed. */
  readonly removedTempFiles: number;
  /** Unindexed stored files deleted because the index already had all they hold. */
  readonly removedPacks: number;
  /** Unindexed stored files whose objects were indexed again. */
  readonly reindexedPacks: number;
}
