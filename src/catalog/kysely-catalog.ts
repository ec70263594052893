import { sql, type Kysely } from 'kysely';
import { AlreadyExistsError, ConflictError } from '../errors/index.js';
import type {
  AcquireLockOptions,
  Catalog,
  CatalogPackIndex,
  LockGrant,
  LockHolder,
  LockRecord,
  RefRecord,
  ResourceRecord,
  ScanState,
  StatCacheEntry,
} from './catalog.js';
import { chunks } from './chunks.js';
import type { CatalogDialectAdapter } from './dialect-adapter.js';
import * as locks from './kysely-locks.js';
import { KyselyPackIndex } from './kysely-pack-index.js';
import type { CatalogSchema } from './schema.js';

export type { CatalogDialectAdapter } from './dialect-adapter.js';

function now(): string {
  return new Date().toISOString();
}

/**
 * Code-unit order, the same on every backend: PostgreSQL's `ORDER BY` follows the database's
 * collation (`en_US` puts `a` before `B`), SQLite's does not.
 */
function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The Catalog implemented once over Kysely; adapters supply the connection and the dialect quirks. */
export class KyselyCatalog implements Catalog {
  readonly dialect: string;
  readonly packIndex: CatalogPackIndex;
  readonly #db: Kysely<CatalogSchema>;
  private closing: Promise<void> | undefined;

  constructor(
    db: Kysely<CatalogSchema>,
    private readonly adapter: CatalogDialectAdapter,
  ) {
    this.#db = db;
    this.dialect = adapter.dialect;
    this.packIndex = new KyselyPackIndex(() => this.db, adapter);
  }

  /**
   * The Kysely instance, for adapter-specific queries and tests. Throws once `close` was called:
   * the connection may live on for other catalogs sharing it, this object must not use it.
   */
  get db(): Kysely<CatalogSchema> {
    if (this.closing) throw new Error(`the ${this.dialect} catalog is closed`);
    return this.#db;
  }

  async getRef(name: string): Promise<RefRecord | undefined> {
    return this.db
      .selectFrom('refs')
      .select(['name', 'target', 'symbolic'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async listRefs(prefix = ''): Promise<RefRecord[]> {
    let query = this.db.selectFrom('refs').select(['name', 'target', 'symbolic']);
    // substr avoids LIKE, whose `_` and `%` would need escaping in ref names. Both backends count
    // characters (code points), not UTF-16 units.
    if (prefix) query = query.where(sql<string>`substr(name, 1, ${[...prefix].length})`, '=', prefix);
    const rows = await query.execute();
    return rows.sort(byKey((r) => r.name));
  }

  async updateRef(name: string, target: string, expected: string | null): Promise<void> {
    if (expected === null) {
      const result = await this.db
        .insertInto('refs')
        .values({ name, target, symbolic: null, updated_at: now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
        throw new ConflictError(`ref ${name} exists already`, { ref: name, expected });
      }
      return;
    }
    const result = await this.db
      .updateTable('refs')
      .set({ target, updated_at: now() })
      .where('name', '=', name)
      .where('target', '=', expected)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw new ConflictError(`ref ${name} moved while this operation ran; try again`, {
        ref: name,
        expected,
      });
    }
  }

  async setSymbolicRef(name: string, value: { symbolic: string } | { target: string }): Promise<void> {
    const row = {
      name,
      symbolic: 'symbolic' in value ? value.symbolic : null,
      target: 'target' in value ? value.target : null,
      updated_at: now(),
    };
    await this.db
      .insertInto('refs')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ symbolic: row.symbolic, target: row.target, updated_at: row.updated_at }),
      )
      .execute();
  }

  async deleteRef(name: string, expected?: string): Promise<void> {
    let query = this.db.deleteFrom('refs').where('name', '=', name);
    if (expected !== undefined) query = query.where('target', '=', expected);
    const result = await query.executeTakeFirst();
    if (expected !== undefined && Number(result.numDeletedRows) !== 1) {
      throw new ConflictError(`ref ${name} moved while this operation ran; try again`, {
        ref: name,
        expected,
      });
    }
  }

  async loadStatCache(resource: string): Promise<Map<string, StatCacheEntry>> {
    const fast = this.adapter.bulk?.loadStatCache(resource);
    if (fast) return fast;
    const rows = await this.db
      .selectFrom('stat_cache')
      .selectAll()
      .where('resource', '=', resource)
      .execute();
    const map = new Map<string, StatCacheEntry>();
    for (const r of rows) {
      map.set(r.path, {
        resource: r.resource,
        path: r.path,
        size: Number(r.size),
        mtimeMs: Number(r.mtime_ms),
        ino: Number(r.ino),
        hash: r.hash,
        recordedMs: Number(r.recorded_ms),
      });
    }
    return map;
  }

  async updateStatCache(
    upsert: readonly StatCacheEntry[],
    remove: readonly { resource: string; path: string }[] = [],
  ): Promise<void> {
    if (upsert.length === 0 && remove.length === 0) return;
    if (this.adapter.bulk?.updateStatCache(upsert, remove)) return;
    // The last entry for a path wins; PostgreSQL refuses to upsert one row twice in a statement.
    const latest = new Map(upsert.map((e) => [`${e.resource}\0${e.path}`, e]));
    await this.db.transaction().execute(async (trx) => {
      for (const batch of chunks(remove, Math.floor(this.adapter.maxParameters / 2))) {
        await trx
          .deleteFrom('stat_cache')
          .where((eb) =>
            eb.or(batch.map((r) => eb.and([eb('resource', '=', r.resource), eb('path', '=', r.path)]))),
          )
          .execute();
      }
      for (const batch of chunks([...latest.values()], Math.floor(this.adapter.maxParameters / 7))) {
        await trx
          .insertInto('stat_cache')
          .values(
            batch.map((e) => ({
              resource: e.resource,
              path: e.path,
              size: e.size,
              mtime_ms: e.mtimeMs,
              ino: e.ino,
              hash: e.hash,
              recorded_ms: e.recordedMs,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['resource', 'path']).doUpdateSet((eb) => ({
              size: eb.ref('excluded.size'),
              mtime_ms: eb.ref('excluded.mtime_ms'),
              ino: eb.ref('excluded.ino'),
              hash: eb.ref('excluded.hash'),
              recorded_ms: eb.ref('excluded.recorded_ms'),
            })),
          )
          .execute();
      }
    });
  }

  async clearStatCache(resource?: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      let query = trx.deleteFrom('stat_cache');
      let scans = trx.deleteFrom('scan_state');
      if (resource !== undefined) {
        query = query.where('resource', '=', resource);
        scans = scans.where('resource', '=', resource);
      }
      await query.execute();
      await scans.execute();
    });
  }

  async loadScanStates(): Promise<Map<string, ScanState>> {
    const rows = await this.db.selectFrom('scan_state').selectAll().execute();
    return new Map(
      rows.map((r) => [
        r.resource,
        {
          resource: r.resource,
          fingerprint: r.fingerprint,
          mapRoot: r.map_root,
          files: Number(r.files),
          bytes: Number(r.bytes),
          recordedMs: Number(r.recorded_ms),
        },
      ]),
    );
  }

  async saveScanStates(states: readonly ScanState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db
      .insertInto('scan_state')
      .values(
        states.map((s) => ({
          resource: s.resource,
          fingerprint: s.fingerprint,
          map_root: s.mapRoot,
          files: s.files,
          bytes: s.bytes,
          recorded_ms: s.recordedMs,
        })),
      )
      .onConflict((oc) =>
        oc.column('resource').doUpdateSet((eb) => ({
          fingerprint: eb.ref('excluded.fingerprint'),
          map_root: eb.ref('excluded.map_root'),
          files: eb.ref('excluded.files'),
          bytes: eb.ref('excluded.bytes'),
          recorded_ms: eb.ref('excluded.recorded_ms'),
        })),
      )
      .execute();
  }

  acquireLocks(
    names: readonly string[],
    holder: LockHolder,
    options?: AcquireLockOptions,
  ): Promise<LockGrant> {
    return locks.acquireLocks(this.db, this.adapter, names, holder, options);
  }

  renewLocks(names: readonly string[], token: string, leaseMs?: number): Promise<boolean> {
    return locks.renewLocks(this.db, this.adapter, names, token, leaseMs);
  }

  releaseLocks(
    names: readonly string[],
    holder: Pick<LockHolder, 'pid' | 'host'> & { readonly token?: string },
  ): Promise<void> {
    return locks.releaseLocks(this.db, names, holder);
  }

  forceReleaseLock(name: string, options?: { ifLeaseExpired?: boolean }): Promise<LockRecord | undefined> {
    return locks.forceReleaseLock(this.db, this.adapter, name, options);
  }

  async listLocks(): Promise<LockRecord[]> {
    return (await locks.listLocks(this.db, this.adapter)).sort(byKey((l) => l.name));
  }

  async addResource(resource: ResourceRecord): Promise<void> {
    const result = await this.db
      .insertInto('resources')
      .values({
        name: resource.name,
        path: resource.path,
        role: resource.role,
        type: resource.type,
        options: JSON.stringify(resource.options),
        created_at: resource.createdAt,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      throw new AlreadyExistsError(`resource ${resource.name} exists already`, { resource: resource.name });
    }
  }

  async removeResource(name: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('resources').where('name', '=', name).execute();
      await trx.deleteFrom('stat_cache').where('resource', '=', name).execute();
      await trx.deleteFrom('scan_state').where('resource', '=', name).execute();
    });
  }

  async setResourceOptions(name: string, options: ResourceRecord['options']): Promise<boolean> {
    const result = await this.db
      .updateTable('resources')
      .set({ options: JSON.stringify(options) })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listResources(): Promise<ResourceRecord[]> {
    const rows = await this.db.selectFrom('resources').selectAll().execute();
    const resources = rows.map((r) => ({
      name: r.name,
      path: r.path,
      role: r.role,
      type: r.type,
      options: JSON.parse(r.options) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
    return resources.sort(byKey((r) => r.name));
  }

  async getConfig(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('config').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setConfig(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('config')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async listConfig(): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('config').selectAll().execute();
    return Object.fromEntries(rows.sort(byKey((r) => r.key)).map((r) => [r.key, r.value]));
  }

  async close(): Promise<void> {
    this.closing ??= this.adapter.destroy();
    await this.closing;
  }
}
