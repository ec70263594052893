import { branchLockName } from '../catalog/catalog.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { commitTree } from '../repo/commit/commit-tree.js';
import { withLocks } from '../repo/commit/locks.js';
import { buildMap } from '../repo/merkle/build-map.js';
import { editMap, type MapEdit } from '../repo/merkle/edit-map.js';
import { createNodeSource, iterateMap, iterateMapChanges, type NodeSource } from '../repo/merkle/read-map.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readBranch, readHead } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { readVolumes, volumesSection, VOLUMES_SECTION, type VolumeRecord } from './volume-record.js';
import { sameVolumeSchema, type VolumeSchema } from './volume-schema.js';

/** Chunk edits to a volume, made against a known state of it, to commit on a branch. */
export interface VolumeChanges {
  readonly branch: string;
  readonly schema: VolumeSchema;
  /** The chunk map the edits were made against (null: the volume did not exist then). */
  readonly base: ObjectId | null;
  /** Sorted by key, one per key: a chunk entry, or no value to drop the chunk (reads as fill). */
  readonly edits: readonly MapEdit[];
  readonly message: string;
  readonly author?: string;
}

/** What `commitVolumeChanges` made. */
export interface VolumeCommit {
  readonly commit: ObjectId;
  readonly record: VolumeRecord;
  /** True when the branch had moved since `base` and the edits were applied on its tip. */
  readonly rebased: boolean;
}

/** Conflicts listed in the error (the count is exact). */
const SHOWN = 10;

/** Keys changed from `base` (null: empty) to `head`, among `wanted`. */
async function overlapping(
  nodes: NodeSource,
  base: ObjectId | null,
  head: ObjectId,
  wanted: ReadonlySet<string>,
): Promise<string[]> {
  const out: string[] = [];
  if (base === null) {
    for await (const e of iterateMap(nodes, head)) if (wanted.has(e.key)) out.push(e.key);
    return out;
  }
  for await (const batch of iterateMapChanges(nodes, base, head))
    for (const c of batch) if (wanted.has(c.key)) out.push(c.key);
  return out;
}

/**
 * Commits chunk edits to one volume on `branch` as one commit, under the branch's writer lock; the
 * rest of the tree (other sections, other volumes) is the branch tip's. When the branch moved
 * since the edits were made, they are applied on top of its tip unless the tip changed the same
 * chunks or the volume's schema: that is a `ConflictError` naming the chunks, and nothing is
 * written. A volume missing on the branch is created with `schema`.
 */
export async function commitVolumeChanges(repo: Repository, changes: VolumeChanges): Promise<VolumeCommit> {
  for (let i = 1; i < changes.edits.length; i++) {
    if (!(changes.edits[i - 1]!.key < changes.edits[i]!.key))
      throw new InvalidArgumentError('volume chunk edits must be sorted, one per key', {});
  }
  const { branch, schema } = changes;
  const name = schema.name;
  return withLocks(repo, [branchLockName(branch)], async (held) => {
    const head = (await readBranch(repo, branch)) ?? null;
    if (head === null && (await readHead(repo)).branch !== branch) {
      throw new NotFoundError(`no branch '${branch}'`, { branch });
    }
    const volumes = readVolumes(await readCommitTree(repo, head), `commit ${head}`);
    const current = volumes[name];
    const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 12 });
    let rebased = false;
    let built;
    if (current) {
      if (!sameVolumeSchema(current.schema, schema)) {
        throw new ConflictError(
          `column '${name}' on branch '${branch}' has another schema than these changes were made for; nothing was committed`,
          { column: name, branch },
        );
      }
      if (current.index !== changes.base) {
        rebased = true;
        const wanted = new Set(changes.edits.map((e) => e.key));
        const clash = await overlapping(nodes, changes.base, current.index, wanted);
        if (clash.length > 0) {
          throw new ConflictError(
            `column '${name}' on branch '${branch}' changed ${clash.length} of the same chunks since these changes started (${clash.slice(0, SHOWN).join(', ')}${clash.length > SHOWN ? ', …' : ''}); nothing was committed`,
            { column: name, branch, chunks: clash.slice(0, SHOWN), count: clash.length },
          );
        }
      }
      built = await editMap(nodes, current.index, changes.edits);
    } else {
      if (changes.base !== null) {
        throw new ConflictError(
          `column '${name}' was removed from branch '${branch}' since these changes started; nothing was committed`,
          { column: name, branch },
        );
      }
      built = buildMap(changes.edits.filter((e) => e.value).map((e) => ({ key: e.key, value: e.value! })));
    }
    const record: VolumeRecord = { schema, index: built.root, chunks: built.count };
    await held.assertStillHeld();
    const commit = await commitTree(repo, {
      branch,
      message: changes.message,
      author: changes.author,
      sections: { [VOLUMES_SECTION]: volumesSection({ ...volumes, [name]: record }) },
      parents: head ? [head] : [],
      objects: built.nodes.map((n) => n.bytes),
    });
    return { commit, record, rebased };
  });
}

/** The branch a volume write goes to: the one given, else HEAD's (a detached HEAD is refused). */
export async function targetBranch(repo: Repository, branch?: string): Promise<string> {
  if (branch) return branch;
  const head = await readHead(repo);
  if (!head.branch)
    throw new InvalidArgumentError('HEAD is detached: name a branch to write the volume to', {});
  return head.branch;
}
