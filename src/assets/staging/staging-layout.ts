import { isAbsolute, join } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';

/** The metadata kinds a staging holds, as exporters name them in `metadata_types`. */
export const METADATA_TYPES = ['asset', 'file', 'asset-chunk', 'file-chunk'] as const;
export type MetadataType = (typeof METADATA_TYPES)[number];

/** Where each part of a staging folder lives. One place, so exporters and tests agree. */
export interface StagingLayout {
  readonly root: string;
  /** Staged files, mirroring their paths under the ingress folder. */
  readonly content: string;
  readonly metadata: string;
  /** `metadata/<type>/`, one folder per metadata type. */
  metadataDir(type: MetadataType): string;
}

/** The layout of the staging folder at `root`. */
export function stagingLayout(root: string): StagingLayout {
  const metadata = join(root, 'metadata');
  return {
    root,
    content: join(root, 'content'),
    metadata,
    metadataDir: (type) => join(metadata, type),
  };
}

/** Prefix of the temporary files staging writes beside their targets; recovery removes them. */
export const STAGING_TEMP_PREFIX = '.strata-staging-tmp-';

/** Anything that might be absolute, climbing, empty or Windows-like; such paths get the full check. */
const SUSPICIOUS = /(^|[\\/])\.\.?([\\/]|$)|[\\/]{2}|^[\\/]|[\\/]$|^[A-Za-z]:|\\/;

/**
 * Checks a path that will be joined under a staging or export folder: relative, `/`-separated, no
 * `..` or empty segment. A hostile name (`../../etc/passwd`) never reaches the filesystem.
 */
export function checkRelativePath(path: string, what = 'path'): string {
  // Fast path for the common, clean case (checked for every file of every staging).
  if (path.length > 0 && !SUSPICIOUS.test(path)) return path;
  const segments = path.split(/[\\/]/);
  if (
    path.length === 0 ||
    isAbsolute(path) ||
    /^[A-Za-z]:/.test(path) ||
    segments.some((s) => s === '..' || s === '' || s === '.')
  ) {
    throw new InvalidArgumentError(
      `${what} '${path}' must be a relative path without '..', '.' or empty parts`,
      {
        what,
        path,
      },
    );
  }
  return path;
}
