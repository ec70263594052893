import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { hashBytes } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { LeftoverReport, ObjectStore, ObjectWriter } from '../object-store.js';
import { assertObjectId, checkHash } from '../object-checks.js';
import { replaceFile } from '../replace-file.js';

/**
 * An `ObjectStore` held in a `Map`, for fast unit tests. It keeps the port's promises: writers
 * buffer until `commit()`, and every read re-verifies the hash, so `corruptForTest` can prove that
 * callers see `HashMismatchError`.
 *
 * @example
 * const store = new MemoryObjectStore();
 * const writer = store.createWriter();
 * const id = await writer.add(Buffer.from('hello'));
 * await writer.commit();
 * (await store.get(id)).toString(); // 'hello'
 */
export class MemoryObjectStore implements ObjectStore {
  readonly kind = 'memory';
  private readonly objects = new Map<ObjectId, Buffer>();

  async has(id: ObjectId): Promise<boolean> {
    return this.objects.has(id);
  }

  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    return new Set(ids.filter((id) => this.objects.has(id)));
  }

  async get(id: ObjectId): Promise<Buffer> {
    const data = this.stored(id);
    checkHash(id, data, 'memory');
    // A copy, so a caller that mutates the result cannot corrupt the store.
    return Buffer.from(data);
  }

  async getMany(ids: readonly ObjectId[]): Promise<Map<ObjectId, Buffer>> {
    const out = new Map<ObjectId, Buffer>();
    for (const id of ids) out.set(id, await this.get(id));
    return out;
  }

  async size(id: ObjectId): Promise<number> {
    return this.stored(id).byteLength;
  }

  async readToFile(id: ObjectId, path: string, options: { mode?: number } = {}): Promise<void> {
    const data = this.stored(id);
    // Verified before anything is written, so a corrupt object never reaches `path`.
    checkHash(id, data, 'memory');
    await replaceFile(path, data, options.mode);
  }

  async verify(id: ObjectId): Promise<void> {
    checkHash(id, this.stored(id), 'memory');
  }

  createWriter(): ObjectWriter {
    return new MemoryObjectWriter(this.objects);
  }

  async *list(): AsyncIterable<ObjectId> {
    yield* [...this.objects.keys()];
  }

  async deleteMany(ids: readonly ObjectId[]): Promise<void> {
    for (const id of ids) this.objects.delete(id);
  }

  /** Nothing is ever left over in memory: writes are never half done. */
  async removeLeftovers(): Promise<LeftoverReport> {
    return { removedTempFiles: 0, removedPacks: 0, reindexedPacks: 0 };
  }

  async close(): Promise<void> {}

  /** Test hook: flips the bits of the first byte of a stored, non-empty object. */
  corruptForTest(id: ObjectId): void {
    const data = this.stored(id);
    if (data.byteLength === 0) throw new InvalidArgumentError('cannot corrupt an empty object', { id });
    data[0] = data[0]! ^ 0xff;
  }

  private stored(id: ObjectId): Buffer {
    assertObjectId(id);
    const data = this.objects.get(id);
    if (!data) throw new NotFoundError(`object ${id} not found`, { what: 'object', id });
    return data;
  }
}

/** Buffers objects and moves them into the store's map at `commit()`. */
class MemoryObjectWriter implements ObjectWriter {
  private readonly pending = new Map<ObjectId, Buffer>();
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(private readonly objects: Map<ObjectId, Buffer>) {}

  async add(data: Uint8Array): Promise<ObjectId> {
    this.assertOpen('add');
    const id = hashBytes(data);
    // Copied: the caller may reuse its buffer once add() returns.
    if (!this.pending.has(id) && !this.objects.has(id)) this.pending.set(id, Buffer.from(data));
    return id;
  }

  async addFile(path: string): Promise<{ id: ObjectId; size: number }> {
    this.assertOpen('addFile');
    const data = await readFile(path);
    return { id: await this.add(data), size: data.byteLength };
  }

  async commit(): Promise<void> {
    this.assertOpen('commit');
    this.state = 'committed';
    for (const [id, data] of this.pending) this.objects.set(id, data);
    this.pending.clear();
  }

  async abort(): Promise<void> {
    this.assertOpen('abort');
    this.state = 'aborted';
    this.pending.clear();
  }

  private assertOpen(call: string): void {
    if (this.state !== 'open') {
      throw new InvalidArgumentError(`cannot ${call}(): the writer is already ${this.state}`, {
        what: 'object writer',
        state: this.state,
      });
    }
  }
}
