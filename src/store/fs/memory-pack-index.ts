import type { ObjectId } from '../../util/hash.js';
import type { PackIndex, PackLocation } from '../object-store.js';

/**
 * A `PackIndex` in a `Map`, for tests and throwaway stores. `add` keeps the first location of an
 * id (as `INSERT … ON CONFLICT DO NOTHING` would), so a re-add never moves a good row.
 * `lookupCalls` counts `lookup` calls, so tests can check that writers batch them.
 */
export class MemoryPackIndex implements PackIndex {
  private readonly rows = new Map<ObjectId, PackLocation>();
  lookupCalls = 0;

  async lookup(ids: readonly ObjectId[]): Promise<Map<ObjectId, PackLocation>> {
    this.lookupCalls++;
    const found = new Map<ObjectId, PackLocation>();
    for (const id of ids) {
      const location = this.rows.get(id);
      if (location) found.set(id, location);
    }
    return found;
  }

  async add(entries: Iterable<PackLocation & { id: ObjectId }>): Promise<void> {
    for (const { id, pack, offset, length } of entries) {
      if (!this.rows.has(id)) this.rows.set(id, { pack, offset, length });
    }
  }

  async remove(ids: readonly ObjectId[]): Promise<void> {
    for (const id of ids) this.rows.delete(id);
  }

  async *entries(): AsyncIterable<PackLocation & { id: ObjectId }> {
    // A snapshot, so callers may add or remove rows while they iterate.
    for (const [id, location] of [...this.rows]) yield { id, ...location };
  }
}
