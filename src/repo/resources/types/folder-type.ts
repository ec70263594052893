import { join } from 'node:path';
import { checkFolderRealPath } from '../real-path.js';
import { checkResourcePath } from '../resource-path.js';
import type { ResourceType } from './resource-type.js';

/** A folder inside the repository (the foundation's only type): contents go into the store. */
export const folderType: ResourceType = {
  type: 'folder',
  checkPath(repoRoot, path, cwd) {
    const checked = checkResourcePath(repoRoot, path, cwd);
    checkFolderRealPath(repoRoot, checked);
    return checked;
  },
  locate: (repoRoot, path) => join(repoRoot, path),
  open: checkFolderRealPath,
  contentMode: () => 'stored',
  skip: [],
};
