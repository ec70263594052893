import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UPDATED_META_KEY, type AssetStoreOpener } from '../assets/asset-store-port.js';
import { ASSET_DB } from '../assets/model.js';
import type { AssetStore } from '../assets/store/asset-store.js';
import type { RepositoryConfig } from '../repo/repository-config.js';
import { withPassword } from './credentials.js';

/**
 * The asset store port of a repository: `.strata/assets.db` beside an embedded catalog; beside a
 * shared PostgreSQL catalog, in the same database and schema (its tables are `files`, `assets`
 * and `meta`; searches run as the restricted role `strata_search_<schema>`), so `assets update`
 * on one machine is searchable from every other.
 */
export function assetStoreOpener(root: string, config: RepositoryConfig): AssetStoreOpener {
  const { catalog } = config;
  if (catalog.type === 'sqlite') {
    const path = join(root, ASSET_DB);
    return {
      dialect: 'SQLite',
      async open() {
        const { openSqliteAssetStore } = await import('../assets/store/sqlite/sqlite-asset-store.js');
        return openSqliteAssetStore({ path });
      },
      updated: () => Promise.resolve(existsSync(path)),
    };
  }
  const open = async (): Promise<AssetStore> => {
    const { openPostgresAssetStore } = await import('../assets/store/postgres/postgres-asset-store.js');
    return openPostgresAssetStore({ connectionString: withPassword(catalog.url), schema: catalog.schema });
  };
  return {
    dialect: 'PostgreSQL',
    open,
    async updated() {
      const store = await open();
      try {
        return (await store.meta(UPDATED_META_KEY)) !== undefined;
      } finally {
        await store.close();
      }
    },
  };
}
