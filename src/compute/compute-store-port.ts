import { portKey } from '../repo/capability-ports.js';
import type { ComputeStore } from './store/compute-store.js';

/**
 * How the compute capability reaches its store: the composition root (`src/backends/`) picks the
 * adapter from the repository config (SQLite beside an embedded catalog, PostgreSQL beside a
 * shared one) and hands this down; compute never opens a database itself.
 */
export interface ComputeStoreOpener {
  /** Opens a new connection to the repository's compute store (the caller closes it). */
  open(): Promise<ComputeStore>;
  /**
   * The URL of a module exporting `openComputeStore(location)`, for worker threads: they cannot
   * be handed a connection, so each opens its own from the store's `location` (no password in it).
   */
  readonly workerModule: string;
}

/** The compute store port of a repository (`repo.ports.get(COMPUTE_STORE)`). */
export const COMPUTE_STORE = portKey<ComputeStoreOpener>('compute store');

/** What a worker thread's `workerModule` exports. */
export interface ComputeStoreWorkerModule {
  openComputeStore(location: string): Promise<ComputeStore>;
}
