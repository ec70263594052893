import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { ResourceRecord } from '../../catalog/catalog.js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import type { Repository } from '../repository.js';
import { overlapsScratch } from '../scratch.js';
import { checkOutBranch } from './types/git-type.js';
import { checkRemote } from './types/rclone/run-rclone.js';
import { resourceType } from './types/index.js';

export { checkResourcePath } from './resource-path.js';

/** The roles a resource can play. Results are additive; the others are restored with snapshots. */
export const RESOURCE_ROLES = ['source-data', 'intermediate-data', 'code', 'results', 'assets'] as const;
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
  /**
   * `folder` (default): a folder inside the repository; `local`: a folder elsewhere on disk
   * (its files stored like an inner folder's unless `referenceOnly`); `git`: a git repository
   * (its HEAD commit is recorded).
   */
  readonly type?: string;
  /** Snapshots record the resource, restores never write it. */
  readonly readOnly?: boolean;
  /**
   * `local` only: snapshots record content hashes but do not store the files, so a restore cannot
   * bring them back (it lists them instead).
   */
  readonly referenceOnly?: boolean;
  /** `local` only: record size and mtime instead of hashing contents; implies `referenceOnly`. */
  readonly noHash?: boolean;
  /** `git` only: the branch to follow; a clean repository is switched to it now. */
  readonly branch?: string;
  /** `rclone` only: the remote (`REMOTE:PATH`) the local copy at `path` follows. */
  readonly remote?: string;
  /** `rclone` only: `copy` (default) adds and overwrites files of the copy, `sync` also deletes. */
  readonly syncMode?: 'copy' | 'sync';
  /** `rclone` only: compare files by size only. */
  readonly sizeOnly?: boolean;
  /** `s3` only: an S3-compatible endpoint (default `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, AWS). */
  readonly endpoint?: string;
}

/** Registers a folder of the repository as a resource. Overlapping resources are refused. */
export async function addResource(repo: Repository, options: AddResourceOptions): Promise<ResourceRecord> {
  const role = checkRole(options.role);
  const type = resourceType(options.type ?? 'folder');
  if (options.noHash && type.type !== 'local') {
    throw new InvalidArgumentError('--no-hash applies to local resources only', { type: type.type });
  }
  if (options.referenceOnly && type.type !== 'local' && type.type !== 's3') {
    throw new InvalidArgumentError('--reference-only applies to local and s3 resources only', {
      type: type.type,
    });
  }
  const rclone = checkRcloneOptions(type.type, options);
  if (options.branch !== undefined && type.type !== 'git') {
    throw new InvalidArgumentError('--branch applies to git resources only', { type: type.type });
  }
  const path = type.checkPath(repo.root, options.path, options.cwd ?? process.cwd());
  const name = checkResourceName(options.name ?? basename(path));
  const abs = type.locate(repo.root, path);
  if (await overlapsScratch(repo, abs)) {
    throw new InvalidArgumentError(
      `'${options.path}' is or holds the scratch directory, which is never versioned; pick another folder`,
      { path },
    );
  }
  if (!existsSync(abs)) {
    // A local copy of files kept elsewhere is made when it is missing, then filled by refresh.
    if (!(options.create && type.type === 'folder') && !type.refresh)
      throw new NotFoundError(`folder '${options.path}' does not exist`, { what: 'folder', path });
    mkdirSync(abs, { recursive: true });
  } else if (!statSync(abs).isDirectory()) {
    throw new InvalidArgumentError(`'${options.path}' is not a folder`, { path });
  }
  const existingResources = await repo.catalog.listResources();
  for (const existing of existingResources) {
    if (existing.name === name)
      throw new AlreadyExistsError(`resource '${name}' exists already`, { what: 'resource', name });
    if (overlaps(existing.path, path)) {
      throw new InvalidArgumentError(`'${path}' overlaps resource '${existing.name}' at '${existing.path}'`, {
        path,
        other: existing.name,
      });
    }
  }
  if (options.branch !== undefined) checkOutBranch(abs, options.branch);
  const record: ResourceRecord = {
    name,
    path,
    role,
    type: type.type,
    options: {
      ...(options.readOnly ? { readOnly: true } : {}),
      // Without hashes there is nothing to store: --no-hash is a kind of reference-only.
      ...(options.referenceOnly || options.noHash ? { referenceOnly: true } : {}),
      ...(options.noHash ? { noHash: true } : {}),
      ...(options.branch !== undefined ? { branch: options.branch } : {}),
      ...rclone,
      ...checkEndpoint(type.type, options.endpoint),
    },
    createdAt: new Date().toISOString(),
  };
  // Filled before it is registered: an unreachable origin leaves no registration behind.
  await type.refresh?.(abs, record);
  await repo.catalog.addResource(record);
  return record;
}

/** The rclone options to record, checked; refused for other types. */
function checkRcloneOptions(type: string, options: AddResourceOptions): Record<string, unknown> {
  const given = options.remote !== undefined || options.syncMode !== undefined || options.sizeOnly;
  if (type !== 'rclone') {
    if (given)
      throw new InvalidArgumentError('--sync-mode and --size-only apply to rclone resources only', { type });
    return {};
  }
  if (options.remote === undefined) {
    throw new InvalidArgumentError(
      'an rclone resource needs a remote: resource add rclone REMOTE:PATH LOCAL_DIR',
      {
        type,
      },
    );
  }
  if (options.syncMode !== undefined && options.syncMode !== 'copy' && options.syncMode !== 'sync') {
    throw new InvalidArgumentError(`--sync-mode is copy or sync, not '${String(options.syncMode)}'`, {
      syncMode: options.syncMode,
    });
  }
  return {
    remote: checkRemote(options.remote),
    ...(options.syncMode === 'sync' ? { syncMode: 'sync' } : {}),
    ...(options.sizeOnly ? { sizeOnly: true } : {}),
  };
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

/** The S3 endpoint to record, checked as a URL; refused for other types. */
function checkEndpoint(type: string, endpoint: string | undefined): Record<string, unknown> {
  if (endpoint === undefined) return {};
  if (type !== 's3') throw new InvalidArgumentError('--endpoint applies to s3 resources only', { type });
  if (!/^https?:\/\/[^\s/@]+(:\d+)?\/?$/.test(endpoint)) {
    throw new InvalidArgumentError(`--endpoint '${endpoint}' is not an http(s)://HOST[:PORT] URL`, {
      endpoint,
    });
  }
  return { endpoint };
}
