import { createNodeSource, createReadNodes } from '../repo/merkle/read-map.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readHead, resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { iterateColumnChanges, type ColumnChange } from './column-diff.js';
import { rebaseColumnStage } from './column-stage-rebase.js';
import { applyStage, readColumns, readColumnStage, type ColumnRecord } from './column-record.js';

/** The columns of a revision (null: the empty state before the first commit). */
export async function columnsAt(
  repo: Repository,
  revision: string | null,
): Promise<Record<string, ColumnRecord>> {
  if (revision === null) return {};
  const head = await readHead(repo);
  const commit =
    revision === 'HEAD' && head.commit === null ? null : (await resolveRevision(repo, revision)).commit;
  return readColumns(await readCommitTree(repo, commit), `revision ${revision}`);
}

/** The columns as the current branch will commit them: HEAD plus staged changes. */
export async function stagedColumns(repo: Repository): Promise<Record<string, ColumnRecord>> {
  const head = await readHead(repo);
  const committed = await columnsAt(repo, 'HEAD');
  if (!head.branch) return committed;
  const stage = await readColumnStage(repo, head.branch);
  // A staging made before the branch moved counts as carried onto the head (nothing is written).
  return applyStage(committed, stage && (await rebaseColumnStage(repo, stage, head.commit, committed)));
}

/**
 * Sample-level column differences from revision `from` to `to`, or to the staged columns of the
 * current branch when `to` is omitted (what `strata diff` shows beside the working folders).
 */
export async function diffColumnRevisions(
  repo: Repository,
  from: string | null = 'HEAD',
  to?: string,
): Promise<ColumnChange[]> {
  const out: ColumnChange[] = [];
  for await (const batch of iterateColumnRevisionChanges(repo, from, to)) for (const c of batch) out.push(c);
  return out;
}

/** `diffColumnRevisions` as a stream of batches (what `column status` prints from, in one pass). */
export async function* iterateColumnRevisionChanges(
  repo: Repository,
  from: string | null = 'HEAD',
  to?: string,
): AsyncGenerator<ColumnChange[]> {
  const before = await columnsAt(repo, from);
  const after = to === undefined ? await stagedColumns(repo) : await columnsAt(repo, to);
  yield* iterateColumnChanges(
    createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 14 }),
    before,
    after,
    createReadNodes((ids) => repo.store.getMany(ids)),
  );
}
