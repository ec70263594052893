import { StrataError } from './strata-error.js';

/**
 * A resource's folder reaches, through a symbolic link, somewhere it must not: a folder resource
 * whose path goes through a link (possibly out of the repository), or a folder elsewhere on disk
 * that really is inside the repository. `data.path` is the path given, `data.realPath` where it
 * points.
 */
export class ResourceSymlinkError extends StrataError {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('E_RESOURCE_SYMLINK', message, data, true);
  }
}
