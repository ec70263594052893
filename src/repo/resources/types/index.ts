import { InvalidArgumentError } from '../../../errors/index.js';
import { folderType } from './folder-type.js';
import { gitType } from './git-type.js';
import { localType } from './local-type.js';
import { rcloneType } from './rclone/rclone-type.js';
import { s3Type } from './s3/s3-type.js';
import type { ResourceType } from './resource-type.js';

export type { ContentMode, ResourceExtra, ResourceType } from './resource-type.js';

/** Every resource type, by name. Adding one is one line here. */
export const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  folder: folderType,
  local: localType,
  git: gitType,
  rclone: rcloneType,
  s3: s3Type,
};

/** The type of a resource record or snapshot; an unknown type is refused by name. */
export function resourceType(type: string): ResourceType {
  const found = RESOURCE_TYPES[type];
  if (!found) {
    throw new InvalidArgumentError(
      `unknown resource type '${type}'; expected one of ${Object.keys(RESOURCE_TYPES).join(', ')}`,
      { type },
    );
  }
  return found;
}
