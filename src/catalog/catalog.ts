import type { ConfigStore } from './ports/config.js';
import type { LockTable } from './ports/locks.js';
import type { CatalogPackIndex } from './ports/pack-index.js';
import type { RefStore } from './ports/refs.js';
import type { ResourceRegistry } from './ports/resources.js';
import type { StatCache } from './ports/stat-cache.js';
import type {
  CurrentLineageStore,
  LocalParamStore,
  StagedSectionStore,
  WorkingFolderIdentity,
} from './ports/working-folder.js';

export type { ConfigStore } from './ports/config.js';
export {
  branchLockName,
  DEFAULT_LOCK_LEASE_MS,
  GC_LOCK,
  WORKTREE_LOCK,
  type AcquireLockOptions,
  type LockGrant,
  type LockHolder,
  type LockRecord,
  type LockTable,
} from './ports/locks.js';
export type { CatalogPackIndex, PackIndexEntry } from './ports/pack-index.js';
export type { RefRecord, RefStore } from './ports/refs.js';
export type { ResourceRecord, ResourceRegistry } from './ports/resources.js';
export type { ScanState, StatCache, StatCacheEntry } from './ports/stat-cache.js';
export {
  DETACHED_HEAD,
  type CurrentLineageStore,
  type LocalParamStore,
  type StagedSection,
  type StagedSectionStore,
  type WorkingFolderIdentity,
  type WriteOptions,
} from './ports/working-folder.js';

/**
 * Everything mutable about a repository, as one object for callers that need several parts: the
 * small ports in `ports/` (refs, locks, stat cache, resources, config, working-folder state) plus
 * the pack index. Code that needs one part should take that port, not this. Adapters: the SQLite
 * catalog (embedded default) and the PostgreSQL one (shared), both built on `KyselyCatalog` and
 * both passing every port's conformance suite (`runCatalogConformance`).
 */
export interface Catalog
  extends
    RefStore,
    LockTable,
    StatCache,
    ResourceRegistry,
    ConfigStore,
    StagedSectionStore,
    CurrentLineageStore,
    LocalParamStore,
    WorkingFolderIdentity {
  readonly dialect: string;
  /** The object store's pack index, kept transactionally here. */
  readonly packIndex: CatalogPackIndex;
  /** Frees the connection; calling it again does nothing, any other call afterwards rejects. */
  close(): Promise<void>;
}
