import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ResourceRecord } from '../../catalog/catalog.js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import { STRATA_DIR, type Repository } from '../repository.js';

/** The roles a resource can play. Results are additive; the others are restored with snapshots. */
export const RESOURCE_ROLES = ['source-data', 'intermediate-data', 'code', 'results'] as const;
export type ResourceRole = (typeof RESOURCE_ROLES)[number];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkRole(role: string): ResourceRole {
  if (!(RESOURCE_ROLES as readonly string[]).includes(role)) {
    throw new InvalidArgumentError(`unknown role '${role}'; expected one of ${RESOURCE_ROLES.join(', ')}`, {
      role,
      expected: RESOURCE_ROLES,
    });
  }
  return role as ResourceRole;
}

export function checkResourceName(name: string): string {
  if (!NAME.test(name)) {
    throw new InvalidArgumentError(
      `invalid resource name '${name}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { name },
    );
  }
  return name;
}

/**
 * Checks a resource path given relative to `cwd` and returns it relative to the repository root
 * with `/` separators. Refuses absolute paths, `..` segments, the root itself, `.strata`, and
 * anything outside the repository: a resource must be a folder the repository owns.
 */
export function checkResourcePath(repoRoot: string, path: string, cwd = process.cwd()): string {
  if (path.trim() === '') throw new InvalidArgumentError('resource path is empty', { path });
  if (isAbsolute(path)) {
    throw new InvalidArgumentError(
      `resource path '${path}' is absolute; give a path inside the repository, relative to it`,
      { path },
    );
  }
  if (path.split(/[\\/]/).includes('..')) {
    throw new InvalidArgumentError(`resource path '${path}' contains '..'`, { path });
  }
  const rel = relative(repoRoot, resolve(cwd, path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidArgumentError(`resource path '${path}' is outside the repository or is its root`, {
      path,
      root: repoRoot,
    });
  }
  const posix = rel.split(sep).join('/');
  if (posix === STRATA_DIR || posix.startsWith(STRATA_DIR + '/')) {
    throw new InvalidArgumentError(`resource path '${path}' is inside ${STRATA_DIR}/`, { path });
  }
  return posix;
}

/** Options of `addResource`. */
export interface AddResourceOptions {
  /** Path relative to `cwd` (default: the current directory). */
  readonly path: string;
  readonly role: string;
  /** Default: the folder's name. */
  readonly name?: string;
  readonly cwd?: string;
  /** Create the folder if it does not exist (init --create-resources does). */
  readonly create?: boolean;
}

/** Registers a folder of the repository as a resource. Overlapping resources are refused. */
export async function addResource(repo: Repository, options: AddResourceOptions): Promise<ResourceRecord> {
  const role = checkRole(options.role);
  const path = checkResourcePath(repo.root, options.path, options.cwd);
  const name = checkResourceName(options.name ?? basename(path));
  const abs = join(repo.root, path);
  if (!existsSync(abs)) {
    if (!options.create)
      throw new NotFoundError(`folder '${options.path}' does not exist`, { what: 'folder', path });
    mkdirSync(abs, { recursive: true });
  } else if (!statSync(abs).isDirectory()) {
    throw new InvalidArgumentError(`'${options.path}' is not a folder`, { path });
  }
  for (const existing of await repo.catalog.listResources()) {
    if (existing.name === name)
      throw new AlreadyExistsError(`resource '${name}' exists already`, { what: 'resource', name });
    if (overlaps(existing.path, path)) {
      throw new InvalidArgumentError(`'${path}' overlaps resource '${existing.name}' at '${existing.path}'`, {
        path,
        other: existing.name,
      });
    }
  }
  const record: ResourceRecord = {
    name,
    path,
    role,
    type: 'folder',
    options: {},
    createdAt: new Date().toISOString(),
  };
  await repo.catalog.addResource(record);
  return record;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
}

export async function removeResource(repo: Repository, name: string): Promise<ResourceRecord> {
  const found = (await repo.catalog.listResources()).find((r) => r.name === name);
  if (!found) throw new NotFoundError(`no resource named '${name}'`, { what: 'resource', name });
  await repo.catalog.removeResource(name);
  return found;
}

export async function listResources(repo: Repository): Promise<ResourceRecord[]> {
  return repo.catalog.listResources();
}
