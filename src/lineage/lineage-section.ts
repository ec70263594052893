import { canonicalJson } from '../util/canonical-json.js';
import type { SectionProvider } from '../repo/commit/section-provider.js';
import { readHead, resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import {
  LINEAGE_SECTION,
  readCommitLineage,
  readCurrentLineage,
  updateCurrentLineage,
  type LineageState,
} from './lineage-state.js';

export { LINEAGE_SECTION };

const SNAPSHOT_TYPE = 'strata/lineage@1';

/** The lineage section of a commit: how many steps, and the one object holding them. */
export type LineageSection = {
  readonly version: 1;
  readonly steps: number;
  readonly refs: readonly [string];
};

/**
 * The current lineage when it differs from the one HEAD's commit saved (what the next snapshot
 * records), or undefined when the snapshot would record no lineage change.
 */
export async function pendingLineage(repo: Repository): Promise<LineageState | undefined> {
  const head = await readHead(repo);
  const current = await readCurrentLineage(repo);
  const saved = await readCommitLineage(repo, head.commit);
  return canonicalJson(sortSteps(current)) === canonicalJson(sortSteps(saved)) ? undefined : current;
}

const sortSteps = (state: LineageState) =>
  [...state.steps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * How many steps differ between the current lineage and the one HEAD's commit saved (added,
 * removed or re-recorded): what `status` reports and the next snapshot commits.
 */
export async function lineageStepsChanged(repo: Repository): Promise<number> {
  const head = await readHead(repo);
  const current = new Map((await readCurrentLineage(repo)).steps.map((s) => [s.name, canonicalJson(s)]));
  const saved = new Map(
    (await readCommitLineage(repo, head.commit)).steps.map((s) => [s.name, canonicalJson(s)]),
  );
  let changed = 0;
  for (const [name, step] of current) if (saved.get(name) !== step) changed++;
  for (const name of saved.keys()) if (!current.has(name)) changed++;
  return changed;
}

/**
 * Saves the current lineage with a snapshot when it differs from the one HEAD's commit saved:
 * `prepare` stores it as one object (durable before it returns) and returns
 * `{ version: 1, steps, refs: [objectId] }`, so fsck and gc reach it. An unchanged lineage adds
 * nothing (the parent's section carries over), so lineage alone never makes a snapshot that
 * `status` did not announce.
 */
export const lineageSectionProvider: SectionProvider = {
  section: LINEAGE_SECTION,
  async prepare({ repo }) {
    const pending = await pendingLineage(repo);
    if (pending === undefined) return undefined;
    const steps = sortSteps(pending);
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
  return readCommitLineage(repo, (await resolveRevision(repo, revision)).commit);
}

/**
 * Makes a snapshot's lineage the current one of the branch HEAD follows (what a restore of that
 * snapshot does, as in the seed). Returns the number of steps.
 */
export async function restoreLineage(repo: Repository, revision: string): Promise<number> {
  const state = await readSnapshotLineage(repo, revision);
  await updateCurrentLineage(repo, () => state);
  return state.steps.length;
}
