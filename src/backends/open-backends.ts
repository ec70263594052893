import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ASSET_STORE } from '../assets/asset-store-port.js';
import type { Catalog } from '../catalog/catalog.js';
import { COMPUTE_STORE } from '../compute/compute-store-port.js';
import { openSqliteCatalog } from '../catalog/sqlite/sqlite-catalog.js';
import { AlreadyExistsError, ConfigError } from '../errors/index.js';
import { adoptLegacyWorkingFolderFiles } from '../repo/maintenance/adopt-legacy-state.js';
import { DEFAULT_CONFIG, readRepositoryConfig, type RepositoryConfig } from '../repo/repository-config.js';
import { findRepositoryRoot, Repository, STRATA_DIR } from '../repo/repository.js';
import { FsObjectStore } from '../store/fs/fs-object-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { writeFileDurable } from '../util/durable-fs.js';
import { describeBackends } from './backend-urls.js';
import { onDemandStore } from './on-demand-source.js';
import { readPartialClone } from '../repo/partial-clone.js';
import { withPassword } from './credentials.js';
import { assetStoreOpener } from './open-asset-store.js';
import { computeStoreOpener } from './open-compute-store.js';
import { registerTokenStore } from './token-stores.js';
import { workingFolderCatalog } from './working-folder-catalog.js';

/** The catalog and object store of one repository, built from its config. */
export interface Backends {
  readonly catalog: Catalog;
  readonly store: ObjectStore;
}

/** Secrets for this run only (never stored): a password given inside the `--catalog` URL. */
export interface BackendSecrets {
  readonly catalogPassword?: string;
}

/** The local read-through cache of a remote object store (its size limit is the store's default). */
const CACHE_DIR = 'cache';
/** Per-working-folder state of a shared repository: HEAD, stat cache, scan states. */
const LOCAL_DB = 'local.db';

/**
 * The composition root: the one place that picks adapters. Builds the catalog (SQLite in
 * `.strata/catalog.db`, or PostgreSQL) and the object store (files in `.strata/objects`, or S3 with
 * the catalog's pack index and a cache in `.strata/cache/`). Drivers load only when configured.
 */
export async function openBackends(
  root: string,
  config: RepositoryConfig,
  options: { create?: boolean; secrets?: BackendSecrets } = {},
): Promise<Backends> {
  const strataDir = join(root, STRATA_DIR);
  const catalog = await openCatalog(strataDir, config, options);
  try {
    return { catalog, store: await openStore(strataDir, config, catalog, options.create ?? false) };
  } catch (err) {
    await catalog.close();
    throw err;
  }
}

async function openCatalog(
  strataDir: string,
  config: RepositoryConfig,
  options: { create?: boolean; secrets?: BackendSecrets },
): Promise<Catalog> {
  if (config.catalog.type === 'sqlite') {
    const catalog = await openSqliteCatalog({
      path: join(strataDir, 'catalog.db'),
      create: options.create ?? false,
    });
    registerTokenStore(catalog, catalog);
    return catalog;
  }
  const { openPostgresCatalog } = await import('../catalog/postgres/postgres-catalog.js');
  const shared = await openPostgresCatalog({
    connectionString: withPassword(config.catalog.url, options.secrets?.catalogPassword),
    schema: config.catalog.schema,
  });
  try {
    const local = await openSqliteCatalog({
      path: join(strataDir, LOCAL_DB),
      create: options.create ?? false,
    });
    const catalog = workingFolderCatalog(shared, local);
    registerTokenStore(catalog, shared);
    return catalog;
  } catch (err) {
    await shared.close();
    throw err;
  }
}

async function openStore(
  strataDir: string,
  config: RepositoryConfig,
  catalog: Catalog,
  create: boolean,
): Promise<ObjectStore> {
  if (config.store.type === 'fs')
    return new FsObjectStore({ dir: join(strataDir, 'objects'), index: catalog.packIndex });
  const { createS3ObjectStore } = await import('../store/s3/index.js');
  return createS3ObjectStore({
    // Checked up front only when a working folder is made; later commands that the cache serves
    // never load the AWS SDK (seconds on a busy machine), and faults surface on the first request.
    checkBucket: create,
    bucket: config.store.bucket,
    prefix: config.store.prefix,
    endpoint: config.store.endpoint,
    packIndex: catalog.packIndex,
    cacheDir: join(strataDir, CACHE_DIR),
  });
}

/** Opens the repository that contains `from` (default: the current directory). */
export async function openRepository(from = process.cwd()): Promise<Repository> {
  const root = findRepositoryRoot(from);
  const config = readRepositoryConfig(join(root, STRATA_DIR, 'config.json'));
  const backends = await openBackends(root, config);
  let store = backends.store;
  try {
    // A partial clone reads what it left out from its remote, on demand (see `onDemandStore`).
    const partial = await readPartialClone(backends);
    if (partial)
      store = onDemandStore(store, { catalog: backends.catalog, strataDir: join(root, STRATA_DIR) }, partial);
  } catch (err) {
    await backends.store.close();
    await backends.catalog.close();
    throw err;
  }
  const repo = buildRepository(root, config, { catalog: backends.catalog, store });
  try {
    // Uncommitted state that older versions kept in files moves into the catalog, once.
    await adoptLegacyWorkingFolderFiles(repo);
  } catch (err) {
    await repo.close();
    throw err;
  }
  return repo;
}

/**
 * The repository over its backends, with the ports of the capabilities (compute store, asset
 * store) chosen from the same config: lower layers take them from `repo.ports`, never open one.
 */
export function buildRepository(root: string, config: RepositoryConfig, backends: Backends): Repository {
  const repo = new Repository(root, config, backends.catalog, backends.store);
  repo.ports
    .set(COMPUTE_STORE, computeStoreOpener(repo.strataDir, config))
    .set(ASSET_STORE, assetStoreOpener(root, config));
  return repo;
}

/** Options of `initRepository`. */
export interface InitOptions {
  /** The first branch, `main` by default. */
  readonly branch?: string;
  /** The backends; default SQLite catalog and filesystem store (`DEFAULT_CONFIG`). */
  readonly config?: RepositoryConfig;
  readonly secrets?: BackendSecrets;
}

/** What `createRepository` did: made a new repository, or attached a working folder to one. */
export interface CreatedRepository {
  readonly repo: Repository;
  /** True when the shared catalog already held a repository: this folder joined it. */
  readonly attached: boolean;
}

/**
 * Creates `.strata/` in `dir` (created if missing). On a shared catalog that already holds a
 * repository, attaches this folder as a new working folder (HEAD follows `branch`). Refuses a
 * folder that already is a repository. If a backend cannot be reached, `.strata/` is removed
 * again: a folder is a repository only once its config is written, last.
 */
export async function createRepository(dir: string, options: InitOptions = {}): Promise<CreatedRepository> {
  const root = resolve(dir);
  const strataDir = join(root, STRATA_DIR);
  const configPath = join(strataDir, 'config.json');
  if (existsSync(configPath)) {
    throw new AlreadyExistsError(`${root} is a Strata repository already`, {
      what: 'repository',
      path: root,
    });
  }
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new AlreadyExistsError(`${root} exists and is not a folder`, { what: 'path', path: root });
  }
  const config = options.config ?? DEFAULT_CONFIG;
  const madeStrataDir = !existsSync(strataDir);
  mkdirSync(config.store.type === 'fs' ? join(strataDir, 'objects') : strataDir, { recursive: true });
  let backends: Backends;
  try {
    backends = await openBackends(root, config, { create: true, secrets: options.secrets });
  } catch (err) {
    if (madeStrataDir) rmSync(strataDir, { recursive: true, force: true });
    throw err;
  }
  const repo = buildRepository(root, config, backends);
  try {
    const branch = options.branch ?? 'main';
    const attached = config.catalog.type !== 'sqlite' && (await isExistingRepository(repo.catalog));
    await repo.catalog.setSymbolicRef('HEAD', { symbolic: `refs/heads/${branch}` });
    if (attached) await checkSameStore(repo.catalog, config);
    else {
      await repo.catalog.setConfig(REPOSITORY_ID_KEY, randomUUID());
      await repo.catalog.setConfig(STORE_KEY, JSON.stringify(config.store));
    }
    // The config file is written last: until it exists, the folder is not (yet) a repository.
    writeFileDurable(configPath, JSON.stringify(config, null, 2) + '\n');
    return { repo, attached };
  } catch (err) {
    await repo.close();
    if (madeStrataDir) rmSync(strataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Set in the catalog when a repository is created: a shared catalog holding it has a repository. */
const REPOSITORY_ID_KEY = 'strata.repository-id';
/** The object store a shared repository was created with: every working folder must name the same. */
const STORE_KEY = 'strata.store';

async function checkSameStore(catalog: Catalog, config: RepositoryConfig): Promise<void> {
  const recorded = await catalog.getConfig(STORE_KEY);
  if (recorded === undefined || recorded === JSON.stringify(config.store)) return;
  const theirs = JSON.parse(recorded) as RepositoryConfig['store'];
  const describe = (store: RepositoryConfig['store']) => describeBackends({ ...config, store }).store;
  throw new ConfigError(
    `the repository in this catalog keeps its objects in ${describe(theirs)}, not ${describe(config.store)}: ` +
      'name the same --store (and --s3-endpoint) as the other working folders',
    { expected: describe(theirs), given: describe(config.store) },
  );
}

async function isExistingRepository(catalog: Catalog): Promise<boolean> {
  if ((await catalog.getConfig(REPOSITORY_ID_KEY)) !== undefined) return true;
  return (await catalog.listRefs('refs/')).length > 0 || (await catalog.listResources()).length > 0;
}

/** `createRepository` for callers that need only the repository. */
export async function initRepository(dir: string, options: InitOptions = {}): Promise<Repository> {
  return (await createRepository(dir, options)).repo;
}
