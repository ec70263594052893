import { join } from 'node:path';
import { checkResourcePath } from '../resource-path.js';
import type { ResourceType } from './resource-type.js';

/** A folder inside the repository (the foundation's only type): contents go into the store. */
export const folderType: ResourceType = {
  type: 'folder',
  checkPath: (repoRoot, path, cwd) => checkResourcePath(repoRoot, path, cwd),
  locate: (repoRoot, path) => join(repoRoot, path),
  contentMode: () => 'stored',
  skip: [],
};
