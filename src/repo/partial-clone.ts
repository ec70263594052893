import { InvalidArgumentError } from '../errors/index.js';
import type { ObjectId } from '../util/hash.js';
import type { Repository } from './repository.js';

/**
 * What a partial clone left out, recorded in the catalog so every later command knows: which
 * remote holds the rest, which contents were cloned, which working folders were never populated
 * and where a shallow history stops.
 */
export interface PartialClone {
  /** The remote that holds what is absent here (fetched from on demand). */
  readonly remote: string;
  /** False: a `--no-data` clone (no file contents, chunks or column data at all). */
  readonly data: boolean;
  /** Contents of these resources only (`--only`). */
  readonly only?: readonly string[];
  /** Contents of these resources left out (`--skip`). */
  readonly skip?: readonly string[];
  /** `--depth N`: commits kept per branch tip. */
  readonly depth?: number;
  /** Commits whose parents are absent by design (the edge of a shallow history). */
  readonly shallow?: readonly ObjectId[];
  /**
   * Resources whose working folder the clone did not populate: their (empty) folder stands for
   * HEAD's content until `strata restore RESOURCE` writes it.
   */
  readonly unpopulated?: readonly string[];
}

/** Catalog config key of the partial-clone record (absent: a full repository). */
export const PARTIAL_KEY = 'strata.partial';

/** The partial-clone record, or undefined for a full repository. */
export async function readPartialClone(repo: Pick<Repository, 'catalog'>): Promise<PartialClone | undefined> {
  const text = await repo.catalog.getConfig(PARTIAL_KEY);
  if (!text) return undefined;
  return JSON.parse(text) as PartialClone;
}

export async function writePartialClone(
  repo: Pick<Repository, 'catalog'>,
  record: PartialClone,
): Promise<void> {
  await repo.catalog.setConfig(PARTIAL_KEY, JSON.stringify(record));
}

/** True when `resource`'s contents were meant to be cloned by `record`'s filter. */
export function contentsCloned(record: PartialClone, resource: string): boolean {
  return record.data && (!record.only || record.only.includes(resource)) && !record.skip?.includes(resource);
}

/**
 * Checks a clone's filter flags: `--only` and `--skip` exclude each other and `--no-data`, and
 * name resources; `--depth` is a positive integer.
 */
export function checkPartialFlags(flags: {
  noData?: boolean;
  only?: readonly string[];
  skip?: readonly string[];
  depth?: number;
}): void {
  const { only, skip, noData, depth } = flags;
  if (only && skip)
    throw new InvalidArgumentError(
      '--only and --skip exclude each other: name the resources to clone (--only) or those to leave out (--skip)',
      {},
    );
  if (noData && (only || skip))
    throw new InvalidArgumentError(
      `--no-data clones no contents at all: drop it, or drop ${only ? '--only' : '--skip'}`,
      {},
    );
  for (const name of [...(only ?? []), ...(skip ?? [])])
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
      throw new InvalidArgumentError(`'${name}' is not a resource name (--only/--skip take r1,r2)`, { name });
  if ((only && only.length === 0) || (skip && skip.length === 0))
    throw new InvalidArgumentError('--only/--skip need at least one resource name', {});
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1))
    throw new InvalidArgumentError(`--depth takes a whole number of commits >= 1, not '${depth}'`, { depth });
}

/** True when `commit` is at the edge of a shallow history: its parents are absent by design. */
export function isShallowEdge(record: PartialClone | undefined, commit: ObjectId): boolean {
  return record?.shallow?.includes(commit) ?? false;
}
