import { CorruptObjectError, NotFoundError } from '../errors/index.js';
import type { SectionValue } from '../repo/commit/create-commit.js';
import type { RootTree } from '../repo/objects/commit-object.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readHead, resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import type { VolumeSchema } from './volume-schema.js';

/** A volume's state in a commit: its schema and the root of its chunk map (chunk key → chunk). */
export interface VolumeRecord {
  readonly schema: VolumeSchema;
  readonly index: ObjectId;
  /** Stored chunks (chunks never written read as the fill value). */
  readonly chunks: number;
}

/** The root-tree section name. */
export const VOLUMES_SECTION = 'volumes';

/**
 * The section value for a set of volumes. `trees` names maps whose leaves are file entries of
 * stored objects, so gc and fsck reach every chunk by walking the maps: a commit changing k of n
 * chunks writes O(k log n) objects, never a list of all n.
 */
export function volumesSection(records: Readonly<Record<string, VolumeRecord>>): SectionValue {
  const names = Object.keys(records).sort();
  return {
    volumes: Object.fromEntries(names.map((n) => [n, records[n]!])),
    trees: names.map((n) => records[n]!.index),
  };
}

/** The volumes recorded in a section value (none when it is undefined). */
export function readVolumesSection(value: unknown, where: string): Record<string, VolumeRecord> {
  if (value === undefined || value === null) return {};
  const section = value as { volumes?: unknown };
  if (typeof section !== 'object' || typeof section.volumes !== 'object' || section.volumes === null) {
    throw new CorruptObjectError(`the volumes section of ${where} is malformed`, { where });
  }
  return section.volumes as Record<string, VolumeRecord>;
}

/** The volumes recorded in a root tree. */
export function readVolumes(tree: RootTree, where: string): Record<string, VolumeRecord> {
  return readVolumesSection((tree as Record<string, unknown>)[VOLUMES_SECTION], where);
}

/** The commit a revision names (null: HEAD of an unborn branch). */
export async function commitOf(repo: Repository, revision: string): Promise<ObjectId | null> {
  if (revision === 'HEAD') {
    const head = await readHead(repo);
    if (head.commit === null) return null;
  }
  return (await resolveRevision(repo, revision)).commit;
}

/** The volumes at a revision (default HEAD). */
export async function volumesAt(repo: Repository, revision = 'HEAD'): Promise<Record<string, VolumeRecord>> {
  const commit = await commitOf(repo, revision);
  return readVolumes(await readCommitTree(repo, commit), `revision ${revision}`);
}

/** One volume at a revision; `NotFoundError` when there is none of that name. */
export async function volumeAt(repo: Repository, name: string, revision = 'HEAD'): Promise<VolumeRecord> {
  const record = (await volumesAt(repo, revision))[name];
  if (!record) throw new NotFoundError(`no volume '${name}' at ${revision}`, { column: name, revision });
  return record;
}
