import { canonicalJson } from '../util/canonical-json.js';
import type { SectionProvider } from '../repo/commit/section-provider.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { isObjectId } from '../util/hash.js';
import {
  parseLineage,
  readCurrentLineage,
  updateCurrentLineage,
  type LineageState,
} from './lineage-state.js';

/** The root-tree key of the lineage section. */
export const LINEAGE_SECTION = 'lineage';

const SNAPSHOT_TYPE = 'strata/lineage@1';

/** The lineage section of a commit: how many steps, and the one object holding them. */
export type LineageSection = {
  readonly version: 1;
  readonly steps: number;
  readonly refs: readonly [string];
};

/**
 * Saves the current lineage with every snapshot: `prepare` stores it as one object (durable before
 * it returns) and returns `{ version: 1, steps, refs: [objectId] }`, so fsck and gc reach it. With
 * no steps recorded it adds nothing (the parent's section, if any, carries over).
 */
export const lineageSectionProvider: SectionProvider = {
  section: LINEAGE_SECTION,
  async prepare({ repo }) {
    const { steps } = readCurrentLineage(repo);
    if (steps.length === 0) return undefined;
    const writer = repo.store.createWriter();
    try {
      const id = await writer.add(Buffer.from(canonicalJson({ type: SNAPSHOT_TYPE, steps })));
      await writer.commit();
      const section: LineageSection = { version: 1, steps: steps.length, refs: [id] };
      return section;
    } catch (err) {
      await writer.abort().catch(() => undefined);
      throw err;
    }
  },
};

/** The lineage saved with a snapshot (a revision: branch, tag, id, `HEAD~1`...); empty if none. */
export async function readSnapshotLineage(repo: Repository, revision: string): Promise<LineageState> {
  const { commit } = await resolveRevision(repo, revision);
  const tree = await readCommitTree(repo, commit);
  const section = tree[LINEAGE_SECTION] as { refs?: unknown } | undefined;
  const id = Array.isArray(section?.refs) ? section.refs[0] : undefined;
  if (typeof id !== 'string' || !isObjectId(id)) return { steps: [] };
  return parseLineage((await repo.store.get(id)).toString('utf8'), `lineage object ${id}`);
}

/**
 * Makes a snapshot's lineage the current one (what a restore of that snapshot does, as in the
 * seed). Returns the number of steps.
 */
export async function restoreLineage(repo: Repository, revision: string): Promise<number> {
  const state = await readSnapshotLineage(repo, revision);
  await updateCurrentLineage(repo, () => state);
  return state.steps.length;
}
