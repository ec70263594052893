import { StagedColumnsConflictError } from '../errors/index.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { mergeColumnRecords } from './column-merge.js';
import { applyStage, readColumns, type ColumnRecord, type ColumnStage } from './column-record.js';
import { sameSchema } from './schema.js';

/** Conflicts listed in the error (the count is always exact). */
const CONFLICTS_SHOWN = 20;

/**
 * The branch's staged column changes as they apply to `head`. Staging is a change against the
 * commit it was made on (`stage.base`); when another command moved the branch since (a files
 * commit, `assets create`, a commit killed right after its ref update), the staged changes are
 * carried onto the new head by a three-way merge at sample level: base = the staging's commit,
 * ours = the head, theirs = base plus the staged changes. Samples or columns changed on both
 * sides in ways that disagree, a schema change on both sides, or a base that cannot be read is a
 * `StagedColumnsConflictError` whose way out is `strata column reset`. New index nodes are stored
 * (content-addressed); the caller decides whether to persist the returned staging.
 *
 * Returns undefined when nothing is left staged (the head already holds every staged change).
 */
export async function rebaseColumnStage(
  repo: Repository,
  stage: ColumnStage,
  head: ObjectId | null,
  headColumns: Readonly<Record<string, ColumnRecord>>,
): Promise<ColumnStage | undefined> {
  if (stage.base === head) return stage;
  const where = { branch: stage.branch, staged: stage.base, head };
  const resetHint = `drop them with 'strata column reset' and stage them again`;
  let baseColumns: Record<string, ColumnRecord>;
  try {
    baseColumns = readColumns(await readCommitTree(repo, stage.base), `commit ${stage.base}`);
  } catch (err) {
    throw new StagedColumnsConflictError(
      `branch '${stage.branch}' moved, and the commit ${stage.base?.slice(0, 12)} its column changes were staged on cannot be read (${(err as Error).message}); drop them with 'strata column reset'`,
      { ...where, conflicts: [] },
    );
  }
  const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 14 });
  const writer = repo.store.createWriter();
  let merged: Record<string, ColumnRecord>;
  try {
    const result = await mergeColumnRecords(
      nodes,
      writer,
      baseColumns,
      headColumns,
      applyStage(baseColumns, stage),
    );
    if (result.conflicts.length > 0) {
      await writer.abort();
      const shown = result.conflicts.slice(0, CONFLICTS_SHOWN);
      const list = shown.map(
        (c) => `${c.column}${c.key === null ? '' : ` ${JSON.stringify(c.key)}`} (${c.kind})`,
      );
      throw new StagedColumnsConflictError(
        `branch '${stage.branch}' moved to ${head?.slice(0, 12)} after column changes were staged on ${stage.base?.slice(0, 12)}, and ${result.conflicts.length} of them conflict with it: ${list.join(', ')}${result.conflicts.length > shown.length ? ', …' : ''}; ${resetHint}`,
        { ...where, conflicts: shown, conflictCount: result.conflicts.length },
      );
    }
    await writer.commit();
    merged = result.records;
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
  const columns: Record<string, ColumnRecord | null> = {};
  for (const name of new Set([...Object.keys(headColumns), ...Object.keys(merged)])) {
    const now = headColumns[name];
    const next = merged[name];
    if (!next) columns[name] = null;
    else if (!sameRecord(next, now)) columns[name] = next;
  }
  if (Object.keys(columns).length === 0) return undefined;
  return { branch: stage.branch, base: head, columns };
}

function sameRecord(a: ColumnRecord, b: ColumnRecord | undefined): boolean {
  return (
    b !== undefined &&
    a.index === b.index &&
    a.count === b.count &&
    sameSchema(a.schema, b.schema) &&
    a.chunks.length === b.chunks.length &&
    a.chunks.every((id, i) => id === b.chunks[i])
  );
}
