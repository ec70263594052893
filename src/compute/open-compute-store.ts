import { join } from 'node:path';
import type { ComputeStore } from './store/compute-store.js';
import { openSqliteComputeStore } from './store/sqlite/sqlite-compute-store.js';

/** The compute store's file inside `.strata/`: apart from `catalog.db` (see README, "Computed resources"). */
export const COMPUTE_DB = 'compute.db';

/** Where a repository keeps its compute state. */
export function computeStorePath(strataDir: string): string {
  return join(strataDir, COMPUTE_DB);
}

/** Opens the compute store at `location`: the one place that picks the adapter (SQLite for now). */
export async function openComputeStore(location: string): Promise<ComputeStore> {
  return openSqliteComputeStore({ path: location });
}
