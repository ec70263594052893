import { sql } from 'kysely';
import { chunks } from './chunks.js';
import type { CatalogDialectAdapter } from './dialect-adapter.js';
import type { Connection } from './kysely-connection.js';
import type { ScanState, StatCache, StatCacheEntry } from './ports/stat-cache.js';

interface StatCacheRow {
  resource: string;
  path: string;
  size: number;
  mtime_ms: number;
  ino: number;
  hash: string;
  recorded_ms: number;
}

function toEntry(r: StatCacheRow): StatCacheEntry {
  return {
    resource: r.resource,
    path: r.path,
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    ino: Number(r.ino),
    hash: r.hash,
    recordedMs: Number(r.recorded_ms),
  };
}

/**
 * The key range holding a folder's files: paths from `F/` up to `F0` (`0` follows `/`), or every
 * path for the top folder. Files of its subfolders fall in the range too and are filtered out.
 */
export function folderRange(folder: string): { from: string; to: string | undefined } {
  return folder === '' ? { from: '', to: undefined } : { from: `${folder}/`, to: `${folder}0` };
}

/** True when `path` is a file directly inside `folder` (`''`: the top). */
export function isDirectlyIn(path: string, folder: string): boolean {
  const slash = path.lastIndexOf('/');
  return folder === '' ? slash === -1 : slash === folder.length && path.startsWith(folder);
}

function encodeFolders(folders: ReadonlyMap<string, string> | undefined): string | null {
  return folders ? JSON.stringify([...folders]) : null;
}

function decodeFolders(text: string | null): ReadonlyMap<string, string> | undefined {
  if (text === null) return undefined;
  try {
    return new Map(JSON.parse(text) as [string, string][]);
  } catch {
    // An unreadable digest list only costs a full scan, which records a good one.
    return undefined;
  }
}

/** The stat cache and scan states as rows, with the adapter's bulk fast paths where it has them. */
export class KyselyStatCache implements StatCache {
  constructor(
    private readonly connection: Connection,
    private readonly adapter: CatalogDialectAdapter,
  ) {}

  async loadStatCache(resource: string): Promise<Map<string, StatCacheEntry>> {
    const fast = this.adapter.bulk?.loadStatCache(resource);
    if (fast) return fast;
    const rows = await this.connection()
      .selectFrom('stat_cache')
      .selectAll()
      .where('resource', '=', resource)
      .execute();
    const map = new Map<string, StatCacheEntry>();
    for (const r of rows) map.set(r.path, toEntry(r));
    return map;
  }

  async loadStatCacheFolders(
    resource: string,
    folders: readonly string[],
  ): Promise<Map<string, StatCacheEntry>> {
    const fast = this.adapter.bulk?.loadStatCacheFolders?.(resource, folders);
    if (fast) return fast;
    const map = new Map<string, StatCacheEntry>();
    for (const folder of new Set(folders)) {
      // LIKE, not a key range: PostgreSQL compares text by the database's collation, not bytes.
      // SQLite's LIKE ignores ASCII case: the extra rows are filtered out below.
      const pattern = `${folder.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
      let query = this.connection().selectFrom('stat_cache').selectAll().where('resource', '=', resource);
      if (folder !== '') query = query.where(sql<boolean>`path like ${pattern} escape '\\'`);
      for (const r of await query.execute()) if (isDirectlyIn(r.path, folder)) map.set(r.path, toEntry(r));
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
    await this.connection()
      .transaction()
      .execute(async (trx) => {
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
    await this.connection()
      .transaction()
      .execute(async (trx) => {
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
    const rows = await this.connection().selectFrom('scan_state').selectAll().execute();
    return new Map(
      rows.map((r) => {
        const folders = decodeFolders(r.folders);
        return [
          r.resource,
          {
            resource: r.resource,
            fingerprint: r.fingerprint,
            mapRoot: r.map_root,
            files: Number(r.files),
            bytes: Number(r.bytes),
            recordedMs: Number(r.recorded_ms),
            ...(folders ? { folders } : {}),
          },
        ];
      }),
    );
  }

  async saveScanStates(states: readonly ScanState[]): Promise<void> {
    if (states.length === 0) return;
    await this.connection()
      .insertInto('scan_state')
      .values(
        states.map((s) => ({
          resource: s.resource,
          fingerprint: s.fingerprint,
          map_root: s.mapRoot,
          files: s.files,
          bytes: s.bytes,
          recorded_ms: s.recordedMs,
          folders: encodeFolders(s.folders),
        })),
      )
      .onConflict((oc) =>
        oc.column('resource').doUpdateSet((eb) => ({
          folders: eb.ref('excluded.folders'),
          fingerprint: eb.ref('excluded.fingerprint'),
          map_root: eb.ref('excluded.map_root'),
          files: eb.ref('excluded.files'),
          bytes: eb.ref('excluded.bytes'),
          recorded_ms: eb.ref('excluded.recorded_ms'),
        })),
      )
      .execute();
  }
}
