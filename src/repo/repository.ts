import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { NotARepositoryError } from '../errors/index.js';
import type { ObjectStore } from '../store/object-store.js';
import { CapabilityPorts } from './capability-ports.js';
import { createNodeSource, type NodeSource } from './merkle/read-map.js';
import type { RepositoryConfig } from './repository-config.js';

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
 * The backends are chosen and built by the composition root (`src/backends/`), never here.
 */
export class Repository {
  readonly nodes: NodeSource;
  /** The ports of the capabilities (compute store, asset store), set by the composition root. */
  readonly ports = new CapabilityPorts();

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
