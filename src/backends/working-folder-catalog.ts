import type { Catalog, RefRecord } from '../catalog/catalog.js';
import { ConflictError } from '../errors/index.js';

/** What belongs to one working folder, not to the shared repository. */
const LOCAL_METHODS = new Set<PropertyKey>([
  'loadStatCache',
  'loadStatCacheFolders',
  'updateStatCache',
  'clearStatCache',
  'loadScanStates',
  'saveScanStates',
  // Staged work, current lineage and parameters live in the shared catalog under this id.
  'workingFolderId',
]);
const HEAD = 'HEAD';
/**
 * The commit this working folder's files were last checked out or committed at (a local ref): on
 * a shared repository the branch it follows may have moved on since, from another working folder.
 */
export const WORKING_BASE = 'WORKING_BASE';
const BRANCH_PREFIX = 'refs/heads/';

/**
 * A shared catalog seen from one working folder: HEAD (which branch this folder follows), the stat
 * cache and the scan states live in `local` (a SQLite catalog inside `.strata/`), everything else
 * (branches, locks, resources, pack index, config, and the working-folder state rows keyed by the
 * local `workingFolderId`) in `shared`. Two working folders of one shared
 * repository thus never move each other's HEAD or trust each other's file stats.
 */
export function workingFolderCatalog(shared: Catalog, local: Catalog): Catalog {
  const followed = async () => (await local.getRef(HEAD))?.symbolic ?? null;
  const setBase = async (commit: string | null | undefined) => {
    if (commit) await local.setSymbolicRef(WORKING_BASE, { target: commit });
    else if (await local.getRef(WORKING_BASE)) await local.deleteRef(WORKING_BASE);
  };
  /**
   * Moves a branch; the one this folder follows only from the commit its files are at, so a
   * folder left behind by another folder's commit can never record its files over that commit.
   */
  const updateBranch = async (name: string, target: string, expected: string | null) => {
    const mine = name === (await followed());
    if (mine) {
      const base = (await local.getRef(WORKING_BASE))?.target ?? null;
      if (base !== null && expected !== null && base !== expected) throw behind(name, base, expected);
    }
    await shared.updateRef(name, target, expected);
    if (mine) await setBase(target);
  };
  const overrides: Partial<Catalog> = {
    getRef: (name) => (name === HEAD ? local.getRef(name) : shared.getRef(name)),
    async listRefs(prefix?: string): Promise<RefRecord[]> {
      const refs = (await shared.listRefs(prefix)).filter((ref) => ref.name !== HEAD);
      if (prefix === undefined || HEAD.startsWith(prefix)) refs.push(...(await local.listRefs(HEAD)));
      return refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async updateRef(name, target, expected) {
      if (name !== HEAD) return updateBranch(name, target, expected);
      await local.updateRef(name, target, expected);
      await setBase(target);
    },
    async setSymbolicRef(name, value) {
      if (name !== HEAD) return shared.setSymbolicRef(name, value);
      // HEAD is set after a checkout wrote the files (or at init): the folder is now at that commit.
      const base = 'target' in value ? value.target : (await shared.getRef(value.symbolic))?.target;
      await local.setSymbolicRef(name, value);
      await setBase(base);
    },
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

function behind(ref: string, base: string, tip: string): ConflictError {
  const branch = ref.startsWith(BRANCH_PREFIX) ? ref.slice(BRANCH_PREFIX.length) : ref;
  return new ConflictError(
    `this working folder is behind '${branch}': another working folder committed ${tip.slice(0, 12)} ` +
      `since this one was at ${base.slice(0, 12)}, so nothing was committed and your changes are still here; ` +
      `to catch up, keep them on a branch of their own ('strata checkout -b NAME ${base.slice(0, 12)}', ` +
      `'strata commit'), then 'strata checkout ${branch}' and 'strata merge NAME'`,
    { branch, base, tip },
  );
}
