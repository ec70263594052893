import type { ResourceType } from './resource-type.js';
import { checkExternalPath, openExternalPath } from './external-path.js';

/**
 * A folder elsewhere on disk (often a large dataset): referenced, not copied. Snapshots record the
 * content hash of every file (or only size and mtime with `noHash`), so status and diff see what
 * changed and a restore can tell whether the folder still matches; its contents are never written.
 */
export const localType: ResourceType = {
  type: 'local',
  checkPath: checkExternalPath,
  locate: (_repoRoot, path) => path,
  open: openExternalPath,
  contentMode: (options) => (options.noHash === true ? 'stat' : 'hashed'),
  skip: [],
};
