import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { openSqliteCatalog } from '../catalog/sqlite/sqlite-catalog.js';
import { AlreadyExistsError, NotARepositoryError } from '../errors/index.js';
import { FsObjectStore } from '../store/fs/fs-object-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { writeFileDurable } from '../util/durable-fs.js';
import { createNodeSource, type NodeSource } from './merkle/read-map.js';
import { DEFAULT_CONFIG, readRepositoryConfig, type RepositoryConfig } from './repository-config.js';

/** The folder that makes a directory a Strata repository. */
export const STRATA_DIR = '.strata';

/** Who is acting: recorded in locks (commits take their author from `resolveAuthor`). */
export interface Actor {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly author: string;
}

export function currentActor(command = process.argv.slice(2).join(' ') || 'library'): Actor {
  const author = process.env.STRATA_AUTHOR ?? osUserName();
  return { pid: process.pid, host: hostname(), command: `strata ${command}`.trim(), author };
}

/** The operating-system user: `$USER`, `$LOGNAME`, or the account name. */
export function osUserName(): string {
  return process.env.USER ?? process.env.LOGNAME ?? safeUserName();
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/**
 * An open repository: its root folder, catalog (mutable state) and object store (versioned
 * content). Operations live in their own modules and take a Repository as first argument.
 */
export class Repository {
  readonly nodes: NodeSource;

  constructor(
    readonly root: string,
    readonly config: RepositoryConfig,
    readonly catalog: Catalog,
    readonly store: ObjectStore,
  ) {
    this.nodes = createNodeSource((id) => store.get(id));
  }

  get strataDir(): string {
    return join(this.root, STRATA_DIR);
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.catalog.close();
  }
}

/** The nearest folder at or above `from` holding `.strata/config.json`. */
export function findRepositoryRoot(from: string): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, STRATA_DIR, 'config.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new NotARepositoryError(`not a Strata repository (or any parent up to /): ${resolve(from)}`, {
        path: resolve(from),
      });
    }
    dir = parent;
  }
}

async function openBackends(root: string, config: RepositoryConfig, create = false): Promise<Repository> {
  const strataDir = join(root, STRATA_DIR);
  // The PostgreSQL driver loads only when configured: it costs startup time on every command.
  const catalog =
    config.catalog.type === 'postgres'
      ? await (
          await import('../catalog/postgres/postgres-catalog.js')
        ).openPostgresCatalog({ connectionString: config.catalog.url, schema: config.catalog.schema })
      : await openSqliteCatalog({ path: join(strataDir, 'catalog.db'), create });
  const store = new FsObjectStore({ dir: join(strataDir, 'objects'), index: catalog.packIndex });
  return new Repository(root, config, catalog, store);
}

/** Opens the repository that contains `from` (default: the current directory). */
export async function openRepository(from = process.cwd()): Promise<Repository> {
  const root = findRepositoryRoot(from);
  return openBackends(root, readRepositoryConfig(join(root, STRATA_DIR, 'config.json')));
}

/** Options of `initRepository`. */
export interface InitOptions {
  /** The first branch, `main` by default. */
  readonly branch?: string;
  readonly config?: RepositoryConfig;
}

/**
 * Creates `.strata/` in `dir` (created if missing). HEAD follows the unborn first branch until the
 * first commit. Refuses a folder that already is, or is inside, a repository's `.strata`.
 */
export async function initRepository(dir: string, options: InitOptions = {}): Promise<Repository> {
  const root = resolve(dir);
  const configPath = join(root, STRATA_DIR, 'config.json');
  if (existsSync(configPath)) {
    throw new AlreadyExistsError(`${root} is a Strata repository already`, {
      what: 'repository',
      path: root,
    });
  }
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new AlreadyExistsError(`${root} exists and is not a folder`, { what: 'path', path: root });
  }
  mkdirSync(join(root, STRATA_DIR, 'objects'), { recursive: true });
  const config = options.config ?? DEFAULT_CONFIG;
  const repo = await openBackends(root, config, true);
  await repo.catalog.setSymbolicRef('HEAD', { symbolic: `refs/heads/${options.branch ?? 'main'}` });
  // The config file is written last: until it exists, the folder is not (yet) a repository.
  writeFileDurable(configPath, JSON.stringify(config, null, 2) + '\n');
  return repo;
}
