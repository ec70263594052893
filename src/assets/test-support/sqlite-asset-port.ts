import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from '../../repo/repository.js';
import { ASSET_STORE } from '../asset-store-port.js';
import { ASSET_DB } from '../model.js';
import { openSqliteAssetStore } from '../store/sqlite/sqlite-asset-store.js';

/**
 * The asset port of an embedded repository (`.strata/assets.db`), for tests of this layer that
 * build a repository without the composition root (which sits above them).
 */
export function withSqliteAssetPort<R extends Repository>(repo: R): R {
  const path = join(repo.root, ASSET_DB);
  repo.ports.set(ASSET_STORE, {
    dialect: 'SQLite',
    open: () => openSqliteAssetStore({ path }),
    updated: () => Promise.resolve(existsSync(path)),
  });
  return repo;
}
