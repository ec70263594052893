import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRepository, openBackends } from '../../backends/open-backends.js';
import { NotARepositoryError, RemoteUnreachableError, StrataError } from '../../errors/index.js';
import { readRepositoryConfig } from '../../repo/repository-config.js';
import { Repository, STRATA_DIR } from '../../repo/repository.js';
import type { ObjectId } from '../../util/hash.js';
import type { RemoteInfo, RemoteRef, Transport } from '../transport.js';

/** Catalog config key marking a repository without a working folder (made by a push or `clone --bare`). */
export const BARE_KEY = 'strata.bare';

/**
 * The `path` transport: another Strata repository on this machine (or a mounted share). It opens
 * that repository's own backends, so the remote's catalog (refs, pack index) and object store are
 * written exactly as its own commands would write them, and `updateRef` is the catalog's
 * compare-and-swap.
 */
export class PathTransport implements Transport {
  private constructor(
    readonly url: string,
    private readonly repo: Repository,
  ) {}

  get objects() {
    return this.repo.store;
  }

  /**
   * Opens the repository at `path`. With `create`, a path that does not exist (in a folder that
   * does) becomes a new bare repository: what a first push (DWS `publish`) needs.
   */
  static async open(path: string, options: { create?: boolean } = {}): Promise<PathTransport> {
    const configPath = join(path, STRATA_DIR, 'config.json');
    if (!existsSync(path)) {
      if (options.create && existsSync(dirname(path))) return PathTransport.createBare(path);
      throw new RemoteUnreachableError(`remote ${path} does not exist`, { remote: path });
    }
    if (!existsSync(configPath)) {
      if (options.create && isEmptyFolder(path)) return PathTransport.createBare(path);
      throw new NotARepositoryError(
        `remote ${path} is not a Strata repository (no ${STRATA_DIR}/config.json)`,
        {
          path,
          remote: path,
        },
      );
    }
    try {
      const config = readRepositoryConfig(configPath);
      const { catalog, store } = await openBackends(path, config);
      return new PathTransport(path, new Repository(path, config, catalog, store));
    } catch (err) {
      throw namingRemote(err, path);
    }
  }

  private static async createBare(path: string): Promise<PathTransport> {
    const { repo } = await createRepository(path);
    await repo.catalog.setConfig(BARE_KEY, 'true');
    return new PathTransport(path, repo);
  }

  async info(): Promise<RemoteInfo> {
    const head = await this.repo.catalog.getRef('HEAD');
    const symbolic = head?.symbolic;
    return {
      head: symbolic?.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : null,
      bare: (await this.repo.catalog.getConfig(BARE_KEY)) === 'true',
    };
  }

  async listRefs(): Promise<RemoteRef[]> {
    const refs = [
      ...(await this.repo.catalog.listRefs('refs/heads/')),
      ...(await this.repo.catalog.listRefs('refs/tags/')),
    ];
    return refs
      .filter((r): r is typeof r & { target: string } => typeof r.target === 'string')
      .map((r) => ({ name: r.name, target: r.target }));
  }

  updateRef(name: string, target: ObjectId, expected: ObjectId | null): Promise<void> {
    return this.repo.catalog.updateRef(name, target, expected);
  }

  close(): Promise<void> {
    return this.repo.close();
  }
}

function isEmptyFolder(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/** Errors opening the remote (a newer format, a newer catalog schema) say which remote. */
function namingRemote(err: unknown, path: string): unknown {
  if (err instanceof StrataError && !err.message.includes(path)) {
    err.message = `remote ${path}: ${err.message}`;
  }
  return err;
}
