import { join } from 'node:path';
import type { ComputeStoreOpener } from '../compute/compute-store-port.js';
import type { ComputeStore } from '../compute/store/compute-store.js';
import { openSqliteComputeStore } from '../compute/store/sqlite/sqlite-compute-store.js';
import type { RepositoryConfig } from '../repo/repository-config.js';
import { compiledModuleUrl } from '../util/compiled-module-url.js';
import { withPassword } from './credentials.js';

/** The compute store's file inside `.strata/`: apart from `catalog.db` (see README, "Computed resources"). */
export const COMPUTE_DB = 'compute.db';

/** Where an embedded repository keeps its compute state. */
export function computeStorePath(strataDir: string): string {
  return join(strataDir, COMPUTE_DB);
}

/**
 * Where a repository keeps its compute state: beside a shared (PostgreSQL) catalog, in the same
 * database and schema, so every working folder sees the same computed resources; otherwise
 * `.strata/compute.db`. The location holds no password (it is also what worker threads reopen).
 */
export function computeStoreLocation(strataDir: string, config: RepositoryConfig): string {
  const { catalog } = config;
  if (catalog.type === 'sqlite') return computeStorePath(strataDir);
  const url = new URL(catalog.url);
  url.password = '';
  if (catalog.schema !== undefined) url.searchParams.set('schema', catalog.schema);
  return url.toString();
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Opens the compute store at `location` (what `computeStoreLocation` returned): a `postgres://`
 * URL opens the PostgreSQL adapter (password from `STRATA_PG_PASSWORD`, or `PGPASSWORD` which the
 * driver reads), anything else is a SQLite file. Worker threads import this module by URL.
 */
export async function openComputeStore(location: string): Promise<ComputeStore> {
  if (!POSTGRES_URL.test(location)) return openSqliteComputeStore({ path: location });
  const url = new URL(location);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const { openPostgresComputeStore } = await import('../compute/store/postgres/postgres-compute-store.js');
  return openPostgresComputeStore({ connectionString: withPassword(url.toString()), schema });
}

/** The compute store port of a repository at `strataDir` with `config`. */
export function computeStoreOpener(strataDir: string, config: RepositoryConfig): ComputeStoreOpener {
  const location = computeStoreLocation(strataDir, config);
  return {
    open: () => openComputeStore(location),
    workerModule: compiledModuleUrl('backends/open-compute-store.js').href,
  };
}
