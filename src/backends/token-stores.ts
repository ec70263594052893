import type { Catalog } from '../catalog/catalog.js';
import type { KyselyCatalog } from '../catalog/kysely-catalog.js';
import { KyselyTokenStore, type TokenStore } from '../catalog/tokens/token-store.js';

/**
 * The token store of each catalog the composition root built: tokens live in the shared catalog
 * (a PostgreSQL repository's working folders all see the same tokens). Kept beside `Catalog`, not
 * in it, so the big interface does not grow a member only the server uses.
 */
const stores = new WeakMap<Catalog, TokenStore>();

export function registerTokenStore(catalog: Catalog, shared: KyselyCatalog): void {
  stores.set(catalog, new KyselyTokenStore(() => shared.db));
}

/** The bearer-token store of a repository's catalog. */
export function tokenStoreOf(catalog: Catalog): TokenStore {
  const store = stores.get(catalog);
  if (!store) throw new Error('this catalog was not opened by openBackends: it has no token store');
  return store;
}
