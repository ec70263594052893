import { join } from 'node:path';
import type { Repository } from '../../repo/repository.js';
import { COMPUTE_STORE } from '../compute-store-port.js';
import type { ComputeStore } from '../store/compute-store.js';
import { openSqliteComputeStore } from '../store/sqlite/sqlite-compute-store.js';

/**
 * The compute port of an embedded repository, for tests of this layer that build a repository
 * without the composition root (which sits above them): `.strata/compute.db`. This module is
 * also what the worker threads of those tests import to reopen the store.
 */
export function withSqliteComputePort<R extends Repository>(repo: R): R {
  const location = join(repo.strataDir, 'compute.db');
  repo.ports.set(COMPUTE_STORE, {
    open: () => openComputeStore(location),
    workerModule: import.meta.url,
  });
  return repo;
}

export function openComputeStore(location: string): Promise<ComputeStore> {
  return openSqliteComputeStore({ path: location });
}
