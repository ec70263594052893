import { InvalidArgumentError } from '../../../errors/index.js';
import type { MetadataType } from '../../staging/staging-layout.js';
import type { ExportCounts, ExportOptions, Exporter } from '../exporter.js';
import type { StagedSource } from '../staged-source.js';

/** Options of the PostgreSQL exporter (config: `name: postgres`). */
export interface PostgresExporterOptions {
  readonly connectionString: string;
  /** Schema holding the `asset` and `file` tables (created if missing). */
  readonly schema?: string;
  readonly connectTimeoutMs?: number;
  /** Records per INSERT statement. */
  readonly batchSize?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Which table a metadata type fills: chunk types carry the same records as the per-id files. */
const TABLE_OF: Readonly<Record<MetadataType, 'asset' | 'file'>> = {
  asset: 'asset',
  'asset-chunk': 'asset',
  file: 'file',
  'file-chunk': 'file',
};

/**
 * Exports metadata into two tables, `<schema>.asset (asset_id, asset_path, metadata jsonb,
 * exported_at)` and `<schema>.file (file_id, asset_id, filepath, metadata jsonb, exported_at)`,
 * upserted by id in one transaction: a failed export changes nothing, a repeated one leaves one
 * row per id. Content files are not sent (a database is no place for them).
 */
export async function createPostgresExporter(options: PostgresExporterOptions): Promise<Exporter> {
  // Loaded here, not at the top: the CLI bundle keeps the driver out of every other command.
  const { default: pg } = await import('pg');
  const schema = options.schema ?? 'public';
  if (!IDENTIFIER.test(schema)) {
    throw new InvalidArgumentError(`postgres schema '${schema}' is not a plain identifier`, { schema });
  }
  const q = `"${schema}"`;
  const batchSize = options.batchSize ?? 2000;
  return {
    name: 'postgres',
    async export(source: StagedSource, { metadataTypes, onProgress }: ExportOptions): Promise<ExportCounts> {
      const tables = new Set(metadataTypes.map((t) => TABLE_OF[t]));
      const rows: Record<'asset' | 'file', Map<string, Record<string, unknown>>> = {
        asset: new Map(),
        file: new Map(),
      };
      for (const type of metadataTypes) {
        const table = TABLE_OF[type];
        const idKey = table === 'asset' ? 'asset_id' : 'file_id';
        for (const record of await source.records(type)) rows[table].set(String(record[idKey]), record);
      }
      const client = new pg.Client({
        connectionString: options.connectionString,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      });
      // An idle-connection error must become this export's failure, not an uncaught crash.
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query('begin');
        await client.query(`create schema if not exists ${q}`);
        await client.query(
          `create table if not exists ${q}.asset (asset_id text primary key, asset_path text, metadata jsonb not null, exported_at timestamptz not null)`,
        );
        await client.query(
          `create table if not exists ${q}.file (file_id text primary key, asset_id text, filepath text, metadata jsonb not null, exported_at timestamptz not null)`,
        );
        const total = rows.asset.size + rows.file.size;
        let done = 0;
        for (const table of ['asset', 'file'] as const) {
          if (!tables.has(table)) continue;
          const records = [...rows[table].values()];
          for (let i = 0; i < records.length; i += batchSize) {
            const batch = JSON.stringify(records.slice(i, i + batchSize));
            await client.query(
              table === 'asset'
                ? `insert into ${q}.asset (asset_id, asset_path, metadata, exported_at)
                   select r->>'asset_id', r->>'asset_path', r, now() from jsonb_array_elements($1::jsonb) r
                   on conflict (asset_id) do update set asset_path = excluded.asset_path,
                     metadata = excluded.metadata, exported_at = excluded.exported_at`
                : `insert into ${q}.file (file_id, asset_id, filepath, metadata, exported_at)
                   select r->>'file_id', r->>'asset_id', r->>'filepath', r, now() from jsonb_array_elements($1::jsonb) r
                   on conflict (file_id) do update set asset_id = excluded.asset_id, filepath = excluded.filepath,
                     metadata = excluded.metadata, exported_at = excluded.exported_at`,
              [batch],
            );
            done += Math.min(batchSize, records.length - i);
            onProgress?.(done, total);
          }
        }
        await client.query('commit');
        const metadata = [...tables].reduce((n, t) => n + rows[t].size, 0);
        return { files: 0, bytes: 0, metadata };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    close: async () => undefined,
  };
}
