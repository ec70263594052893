import type { Kysely } from 'kysely';
import type { Catalog } from './catalog.js';
import type { CatalogDialectAdapter } from './dialect-adapter.js';
import { KyselyConfigStore } from './kysely-config.js';
import { KyselyLockTable } from './kysely-locks.js';
import { KyselyPackIndex } from './kysely-pack-index.js';
import { KyselyRefStore } from './kysely-refs.js';
import { KyselyResourceRegistry } from './kysely-resources.js';
import { KyselyStatCache } from './kysely-stat-cache.js';
import {
  KyselyCurrentLineages,
  KyselyLocalParams,
  KyselyStagedSections,
  KyselyWorkingFolderIdentity,
} from './kysely-working-folder.js';
import type { CatalogSchema } from './schema.js';

export type { CatalogDialectAdapter } from './dialect-adapter.js';

/**
 * The Catalog composed of one Kysely implementation per port (`kysely-*.ts`), each written once for
 * every SQL backend; adapters supply the connection and the dialect quirks. The ports are also
 * reachable on their own (`refs`, `locks`, ...), for code that should depend on one part only.
 */
export class KyselyCatalog implements Catalog {
  readonly dialect: string;
  readonly refs: KyselyRefStore;
  readonly locks: KyselyLockTable;
  readonly statCache: KyselyStatCache;
  readonly packIndex: KyselyPackIndex;
  readonly resources: KyselyResourceRegistry;
  readonly config: KyselyConfigStore;
  readonly staged: KyselyStagedSections;
  readonly lineages: KyselyCurrentLineages;
  readonly localParams: KyselyLocalParams;
  readonly identity: KyselyWorkingFolderIdentity;
  readonly #db: Kysely<CatalogSchema>;
  private closing: Promise<void> | undefined;

  constructor(
    db: Kysely<CatalogSchema>,
    private readonly adapter: CatalogDialectAdapter,
  ) {
    this.#db = db;
    this.dialect = adapter.dialect;
    const connection = () => this.db;
    this.refs = new KyselyRefStore(connection);
    this.locks = new KyselyLockTable(connection, adapter);
    this.statCache = new KyselyStatCache(connection, adapter);
    this.packIndex = new KyselyPackIndex(connection, adapter);
    this.resources = new KyselyResourceRegistry(connection);
    this.config = new KyselyConfigStore(connection);
    this.staged = new KyselyStagedSections(connection);
    this.lineages = new KyselyCurrentLineages(connection);
    this.localParams = new KyselyLocalParams(connection);
    this.identity = new KyselyWorkingFolderIdentity(connection);
  }

  /**
   * The Kysely instance, for adapter-specific queries and tests. Throws once `close` was called:
   * the connection may live on for other catalogs sharing it, this object must not use it.
   */
  get db(): Kysely<CatalogSchema> {
    if (this.closing) throw new Error(`the ${this.dialect} catalog is closed`);
    return this.#db;
  }

  // Refs.
  getRef: Catalog['getRef'] = (...a) => this.refs.getRef(...a);
  listRefs: Catalog['listRefs'] = (...a) => this.refs.listRefs(...a);
  updateRef: Catalog['updateRef'] = (...a) => this.refs.updateRef(...a);
  setSymbolicRef: Catalog['setSymbolicRef'] = (...a) => this.refs.setSymbolicRef(...a);
  deleteRef: Catalog['deleteRef'] = (...a) => this.refs.deleteRef(...a);

  // Stat cache.
  loadStatCache: Catalog['loadStatCache'] = (...a) => this.statCache.loadStatCache(...a);
  loadStatCacheFolders: Catalog['loadStatCacheFolders'] = (...a) => this.statCache.loadStatCacheFolders(...a);
  updateStatCache: Catalog['updateStatCache'] = (...a) => this.statCache.updateStatCache(...a);
  clearStatCache: Catalog['clearStatCache'] = (...a) => this.statCache.clearStatCache(...a);
  loadScanStates: Catalog['loadScanStates'] = () => this.statCache.loadScanStates();
  saveScanStates: Catalog['saveScanStates'] = (...a) => this.statCache.saveScanStates(...a);

  // Locks.
  acquireLocks: Catalog['acquireLocks'] = (...a) => this.locks.acquireLocks(...a);
  renewLocks: Catalog['renewLocks'] = (...a) => this.locks.renewLocks(...a);
  releaseLocks: Catalog['releaseLocks'] = (...a) => this.locks.releaseLocks(...a);
  forceReleaseLock: Catalog['forceReleaseLock'] = (...a) => this.locks.forceReleaseLock(...a);
  listLocks: Catalog['listLocks'] = () => this.locks.listLocks();

  // Resources.
  addResource: Catalog['addResource'] = (...a) => this.resources.addResource(...a);
  removeResource: Catalog['removeResource'] = (...a) => this.resources.removeResource(...a);
  setResourceOptions: Catalog['setResourceOptions'] = (...a) => this.resources.setResourceOptions(...a);
  listResources: Catalog['listResources'] = () => this.resources.listResources();

  // Config.
  getConfig: Catalog['getConfig'] = (...a) => this.config.getConfig(...a);
  setConfig: Catalog['setConfig'] = (...a) => this.config.setConfig(...a);
  listConfig: Catalog['listConfig'] = () => this.config.listConfig();

  // Working-folder state.
  readStaged: Catalog['readStaged'] = (...a) => this.staged.readStaged(...a);
  writeStaged: Catalog['writeStaged'] = (...a) => this.staged.writeStaged(...a);
  clearStaged: Catalog['clearStaged'] = (...a) => this.staged.clearStaged(...a);
  listStaged: Catalog['listStaged'] = (...a) => this.staged.listStaged(...a);
  readLineage: Catalog['readLineage'] = (...a) => this.lineages.readLineage(...a);
  writeLineage: Catalog['writeLineage'] = (...a) => this.lineages.writeLineage(...a);
  removeLineage: Catalog['removeLineage'] = (...a) => this.lineages.removeLineage(...a);
  readLocalParams: Catalog['readLocalParams'] = (...a) => this.localParams.readLocalParams(...a);
  setLocalParam: Catalog['setLocalParam'] = (...a) => this.localParams.setLocalParam(...a);
  workingFolderId: Catalog['workingFolderId'] = () => this.identity.workingFolderId();

  async close(): Promise<void> {
    this.closing ??= this.adapter.destroy();
    await this.closing;
  }
}
