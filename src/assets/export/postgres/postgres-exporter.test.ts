import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import pg from 'pg';
import { runExporterConformance } from '../exporter-conformance.js';
import { createPostgresExporter } from './postgres-exporter.js';

const URL = process.env.STRATA_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

runExporterConformance('postgres', async () => {
  const schema = `strata_export_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    exporter: () => createPostgresExporter({ connectionString: URL, schema }),
    downExporter: async () => {
      const secret = 'hunter2-very-secret';
      return {
        exporter: await createPostgresExporter({
          connectionString: `postgres://postgres:${secret}@127.0.0.1:1/test`,
          schema,
          connectTimeoutMs: 1000,
        }),
        secret,
      };
    },
    target: {
      content: () => null,
      records: async (type) => {
        const table = type.startsWith('asset') ? 'asset' : 'file';
        const exists = await query<{ t: string | null }>('select to_regclass($1) as t', [
          `"${schema}".${table}`,
        ]);
        if (!exists[0]?.t) return [];
        const rows = await query<{ metadata: Record<string, unknown> }>(
          `select metadata from "${schema}".${table}`,
        );
        return rows.map((r) => r.metadata);
      },
    },
    cleanup: async () => {
      await query(`drop schema if exists "${schema}" cascade`);
    },
  };
});

it('postgres: one transaction — a batch that fails leaves no rows; a hostile schema is refused', async () => {
  const schema = `strata_export_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    const exporter = await createPostgresExporter({ connectionString: URL, schema, batchSize: 1 });
    const records = [
      { asset_id: 'a1', asset_path: 'x/a1' },
      { asset_id: null, asset_path: 'x/broken' }, // primary key null: the second batch fails
    ];
    const source = {
      layout: undefined as never,
      contentFiles: () => [],
      metadataFiles: () => [],
      records: async () => records,
    };
    await assert.rejects(exporter.export(source, { metadataTypes: ['asset'] }));
    const tables = await query<{ t: string | null }>('select to_regclass($1) as t', [`"${schema}".asset`]);
    assert.equal(tables[0]!.t, null, 'the failed transaction created nothing');
  } finally {
    await query(`drop schema if exists "${schema}" cascade`);
  }
  await assert.rejects(createPostgresExporter({ connectionString: URL, schema: 'x"; drop table y; --' }), {
    code: 'E_INVALID_ARGUMENT',
  });
});
