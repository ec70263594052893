import type { Catalog, RefRecord } from '../catalog/catalog.js';

/** What belongs to one working folder, not to the shared repository. */
const LOCAL_METHODS = new Set<PropertyKey>([
  'loadStatCache',
  'updateStatCache',
  'clearStatCache',
  'loadScanStates',
  'saveScanStates',
  // Staged work, current lineage and parameters live in the shared catalog under this id.
  'workingFolderId',
]);
const HEAD = 'HEAD';

/**
 * A shared catalog seen from one working folder: HEAD (which branch this folder follows), the stat
 * cache and the scan states live in `local` (a SQLite catalog inside `.strata/`), everything else
 * (branches, locks, resources, pack index, config, and the working-folder state rows keyed by the
 * local `workingFolderId`) in `shared`. Two working folders of one shared
 * repository thus never move each other's HEAD or trust each other's file stats.
 */
export function workingFolderCatalog(shared: Catalog, local: Catalog): Catalog {
  const overrides: Partial<Catalog> = {
    getRef: (name) => (name === HEAD ? local.getRef(name) : shared.getRef(name)),
    async listRefs(prefix?: string): Promise<RefRecord[]> {
      const refs = (await shared.listRefs(prefix)).filter((ref) => ref.name !== HEAD);
      if (prefix === undefined || HEAD.startsWith(prefix)) refs.push(...(await local.listRefs(HEAD)));
      return refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    updateRef: (name, target, expected) =>
      name === HEAD ? local.updateRef(name, target, expected) : shared.updateRef(name, target, expected),
    setSymbolicRef: (name, value) =>
      name === HEAD ? local.setSymbolicRef(name, value) : shared.setSymbolicRef(name, value),
    deleteRef: (name, expected) =>
      name === HEAD ? local.deleteRef(name, expected) : shared.deleteRef(name, expected),
    async close() {
      try {
        await shared.close();
      } finally {
        await local.close();
      }
    },
  };
  return new Proxy(shared, {
    get(target, key, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, key)) return overrides[key as keyof Catalog];
      const owner = LOCAL_METHODS.has(key) ? local : target;
      const value: unknown = Reflect.get(owner, key, owner === target ? receiver : owner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(owner) : value;
    },
  });
}
