import type { ResourceType } from './resource-type.js';
import { checkExternalPath, openExternalPath } from './external-path.js';

/**
 * A folder elsewhere on disk (often a large dataset). By default it is part of the repository like
 * an inner folder: snapshots store its files in the object store (content-addressed, deduplicated,
 * unchanged files vouched for by the stat cache), and restore and checkout write them back inside
 * that folder (never through a symlink, never into a read-only one). Registered `referenceOnly`,
 * snapshots record content hashes only; with `noHash` (which implies reference-only) only size and
 * mtime. A restore then lists every file it cannot bring back instead of writing it.
 */
export const localType: ResourceType = {
  type: 'local',
  checkPath: checkExternalPath,
  locate: (_repoRoot, path) => path,
  open: openExternalPath,
  contentMode: (options) =>
    options.noHash === true ? 'stat' : options.referenceOnly === true ? 'hashed' : 'stored',
  skip: [],
};
