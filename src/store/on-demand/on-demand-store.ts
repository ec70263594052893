import type { ObjectId } from '../../util/hash.js';
import type {
  GetManyOptions,
  LeftoverReport,
  ObjectStore,
  ObjectWriter,
  WriterOptions,
} from '../object-store.js';

/**
 * Brings objects absent from a partial clone into its local store: fetched from the remote in one
 * batch, each verified against its id before it is stored. Throws when the remote cannot give them.
 */
export type FetchMissing = (ids: readonly ObjectId[], into: ObjectStore) => Promise<void>;

/**
 * The object store of a partial clone: the local store, plus on-demand fetching of what the clone
 * left out. A read of an absent object fetches it from the remote first; the misses of one batch
 * call (`getMany`, `prefetch`) and all misses made in the same turn of the event loop travel in
 * one `fetchMissing` call, never one request per object. `has`/`hasMany` answer for the local
 * store only (what is here), so negotiation and fsck see the clone as it is.
 */
export class OnDemandObjectStore implements ObjectStore {
  readonly kind: string;
  private pending: { ids: Set<ObjectId>; done: Promise<void> } | undefined;

  constructor(
    /** The clone's own store: what it holds. */
    readonly local: ObjectStore,
    private readonly fetchMissing: FetchMissing,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {
    this.kind = local.kind;
  }

  has(id: ObjectId): Promise<boolean> {
    return this.local.has(id);
  }

  hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    return this.local.hasMany(ids);
  }

  /** Fetches every one of `ids` that is not here, in one batch. */
  async ensure(ids: readonly ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    const here = await this.local.hasMany(unique);
    const absent = unique.filter((id) => !here.has(id));
    if (absent.length > 0) await this.fetchMissing(absent, this.local);
  }

  /** One object: misses of the same event-loop turn are gathered into one fetch. */
  private async ensureOne(id: ObjectId): Promise<void> {
    if (await this.local.has(id)) return;
    if (!this.pending) {
      const ids = new Set<ObjectId>();
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.pending = undefined;
        return this.ensure([...ids]);
      });
      this.pending = { ids, done };
    }
    this.pending.ids.add(id);
    await this.pending.done;
  }

  async get(id: ObjectId): Promise<Buffer> {
    await this.ensureOne(id);
    return this.local.get(id);
  }

  async getMany(ids: readonly ObjectId[], options?: GetManyOptions): Promise<Map<ObjectId, Buffer>> {
    await this.ensure(ids);
    return this.local.getMany(ids, options);
  }

  async prefetch(ids: readonly ObjectId[]): Promise<void> {
    await this.ensure(ids);
  }

  async size(id: ObjectId): Promise<number> {
    await this.ensureOne(id);
    return this.local.size(id);
  }

  async readToFile(id: ObjectId, path: string, options?: { mode?: number }): Promise<void> {
    await this.ensureOne(id);
    return this.local.readToFile(id, path, options);
  }

  async openReadStream(id: ObjectId, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream> {
    await this.ensureOne(id);
    if (this.local.openReadStream) return this.local.openReadStream(id, range);
    const { Readable } = await import('node:stream');
    const bytes = await this.local.get(id);
    return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
  }

  /** Verifies what is here: an absent object is not fetched to be verified (fsck counts it). */
  verify(id: ObjectId): Promise<void> {
    return this.local.verify(id);
  }

  createWriter(options?: WriterOptions): ObjectWriter {
    return this.local.createWriter(options);
  }

  list(): AsyncIterable<ObjectId> {
    return this.local.list();
  }

  deleteMany(ids: readonly ObjectId[]): Promise<void> {
    return this.local.deleteMany(ids);
  }

  removeLeftovers(options: { readonly graceMs: number }): Promise<LeftoverReport> {
    return this.local.removeLeftovers(options);
  }

  async close(): Promise<void> {
    try {
      await this.onClose();
    } finally {
      await this.local.close();
    }
  }
}

/** The store that holds what is here: a partial clone's local store, else `store` itself. */
export function localObjects(store: ObjectStore): ObjectStore {
  return store instanceof OnDemandObjectStore ? store.local : store;
}
