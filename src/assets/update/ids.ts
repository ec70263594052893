import { hashSmall } from '../../util/hash.js';

/** The stable id of a file: its path (relative to the ingress root) and its content hash. */
export function fileIdOf(path: string, contentHash: string | null): string {
  return hashSmall(`strata-file-1\0${path}\0${contentHash ?? 'unreadable'}`);
}

/** The stable id of an asset: its path and its files' ids (in any order). */
export function assetIdOf(assetPath: string, fileIds: readonly string[]): string {
  return hashSmall(`strata-asset-1\0${assetPath}\0${[...fileIds].sort().join('\0')}`);
}
