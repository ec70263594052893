import type { Kysely } from 'kysely';
import type { CatalogPackIndex, PackIndexEntry } from './ports/pack-index.js';
import type { CatalogDialectAdapter } from './dialect-adapter.js';
import type { CatalogSchema } from './schema.js';
import { chunks } from './chunks.js';

/** The pack index as catalog rows: one batched query per lookup, one statement per batch of adds. */
export class KyselyPackIndex implements CatalogPackIndex {
  constructor(
    /** Throws once the catalog is closed. */
    private readonly connection: () => Kysely<CatalogSchema>,
    private readonly adapter: CatalogDialectAdapter,
  ) {}

  async lookup(ids: readonly string[]): Promise<Map<string, Omit<PackIndexEntry, 'id'>>> {
    const fast = this.adapter.bulk?.lookupPacks(ids);
    if (fast) return fast;
    const found = new Map<string, Omit<PackIndexEntry, 'id'>>();
    for (const batch of chunks([...new Set(ids)], this.adapter.maxParameters)) {
      const rows = await this.connection()
        .selectFrom('pack_index')
        .selectAll()
        .where('id', 'in', batch)
        .execute();
      for (const r of rows)
        found.set(r.id, { pack: r.pack, offset: Number(r.offset), length: Number(r.length) });
    }
    return found;
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const fast = this.adapter.bulk?.hasPacks?.(ids);
    if (fast) return fast;
    const found = new Set<string>();
    for (const batch of chunks([...new Set(ids)], this.adapter.maxParameters)) {
      const rows = await this.connection()
        .selectFrom('pack_index')
        .select('id')
        .where('id', 'in', batch)
        .execute();
      for (const r of rows) found.add(r.id);
    }
    return found;
  }

  async add(iterable: Iterable<PackIndexEntry>): Promise<void> {
    if (Array.isArray(iterable) && iterable.length === 0) return;
    // The bulk path writes entries as they come (a writer of 10^6 objects makes them one by one).
    if (this.adapter.bulk?.addPacks(iterable)) return;
    const entries = [...iterable];
    if (entries.length === 0) return;
    await this.connection()
      .transaction()
      .execute(async (trx) => {
        for (const batch of chunks(entries, Math.floor(this.adapter.maxParameters / 4))) {
          await trx
            .insertInto('pack_index')
            .values(batch.map((e) => ({ id: e.id, pack: e.pack, offset: e.offset, length: e.length })))
            // An id already indexed keeps its first location: same bytes, so either copy is right.
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
        }
      });
  }

  async remove(ids: readonly string[]): Promise<void> {
    await this.connection()
      .transaction()
      .execute(async (trx) => {
        for (const batch of chunks(ids, this.adapter.maxParameters)) {
          await trx.deleteFrom('pack_index').where('id', 'in', batch).execute();
        }
      });
  }

  async *entries(): AsyncIterable<PackIndexEntry> {
    // Keyset pagination keeps memory bounded on catalogs with millions of objects.
    let after = '';
    for (;;) {
      const rows = await this.connection()
        .selectFrom('pack_index')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(10_000)
        .execute();
      for (const r of rows)
        yield { id: r.id, pack: r.pack, offset: Number(r.offset), length: Number(r.length) };
      if (rows.length < 10_000) return;
      after = rows[rows.length - 1]!.id;
    }
  }
}
