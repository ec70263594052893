import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ResourceRecord } from '../catalog/catalog.js';
import { InvalidArgumentError, NotFoundError, OutsideResourcesError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';

/**
 * A place in a resource: the whole resource, or a file or folder inside it (`path`, relative to
 * the resource folder, `/`-separated). Imported lineage names foreign resources `origin:name`.
 */
export interface ResourceRef {
  readonly resource: string;
  readonly path?: string;
}

/** `resource` or `resource/path`: how refs are shown and compared. */
export function formatRef(ref: ResourceRef): string {
  return ref.path ? `${ref.resource}/${ref.path}` : ref.resource;
}

/** True when both refs name the same place. */
export function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.resource === b.resource && (a.path ?? '') === (b.path ?? '');
}

/** True when `outer` is `inner` or contains it (a resource contains every path in it). */
export function coversRef(outer: ResourceRef, inner: ResourceRef): boolean {
  if (outer.resource !== inner.resource) return false;
  const o = outer.path ?? '';
  const i = inner.path ?? '';
  return o === '' || o === i || i.startsWith(o + '/');
}

/** True when one ref is, or contains, the other. */
export function overlapsRef(a: ResourceRef, b: ResourceRef): boolean {
  return coversRef(a, b) || coversRef(b, a);
}

/** The folder of a resource on disk: in-repository folders are relative to the root. */
export function resourceFolder(repo: Repository, record: ResourceRecord): string {
  return isAbsolute(record.path) ? record.path : join(repo.root, record.path);
}

/** The absolute path a ref names in this repository. */
export function refLocation(repo: Repository, record: ResourceRecord, ref: ResourceRef): string {
  const folder = resourceFolder(repo, record);
  return ref.path ? join(folder, ...ref.path.split('/')) : folder;
}

/** Checks a sub-path given in a ref: relative, no `..`, no empty segments; `''` means none. */
function checkSubpath(path: string | undefined, resource: string): string | undefined {
  if (path === undefined) return undefined;
  const trimmed = path
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return undefined;
  const parts = trimmed.split('/');
  if (isAbsolute(path) || parts.some((p) => p === '..' || p === '' || p === '.')) {
    throw new InvalidArgumentError(
      `invalid path '${path}' in resource '${resource}': give a relative path without '.' or '..' segments`,
      { resource, path },
    );
  }
  return trimmed;
}

/**
 * Checks a resource ref against the registered resources: the resource must exist and the path
 * must be relative and stay inside it.
 */
export function checkRef(
  resources: readonly ResourceRecord[],
  ref: ResourceRef,
): { ref: ResourceRef; record?: ResourceRecord } {
  if (typeof ref?.resource !== 'string' || ref.resource === '') {
    throw new InvalidArgumentError('a resource ref needs a resource name', { ref });
  }
  const path = checkSubpath(ref.path, ref.resource);
  const record = resources.find((r) => r.name === ref.resource);
  if (!record) {
    throw new NotFoundError(`no resource named '${ref.resource}'`, { what: 'resource', name: ref.resource });
  }
  return { ref: path === undefined ? { resource: ref.resource } : { resource: ref.resource, path }, record };
}

/**
 * Resolves a local path (absolute or relative to `cwd`) to the resource holding it and the
 * sub-path inside it. A path outside every resource is an `OutsideResourcesError` naming it.
 */
export function resolvePathToRef(
  repo: Repository,
  resources: readonly ResourceRecord[],
  path: string,
  cwd = process.cwd(),
): { ref: ResourceRef; record: ResourceRecord } {
  const abs = resolve(cwd, path);
  let best: { record: ResourceRecord; rel: string } | undefined;
  for (const record of resources) {
    const rel = relative(resourceFolder(repo, record), abs);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    if (!best || rel.length < best.rel.length) best = { record, rel };
  }
  if (!best) {
    throw new OutsideResourcesError(
      `'${path}' is not inside any resource of the repository at ${repo.root}`,
      {
        path,
        abs,
      },
    );
  }
  const sub = best.rel.split(sep).join('/');
  return {
    ref: sub === '' ? { resource: best.record.name } : { resource: best.record.name, path: sub },
    record: best.record,
  };
}
