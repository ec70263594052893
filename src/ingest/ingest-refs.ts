import { isStrataError } from '../errors/index.js';
import { buildMap } from '../repo/merkle/build-map.js';
import type { MapEdit } from '../repo/merkle/edit-map.js';
import { iterateMap } from '../repo/merkle/read-map.js';
import { encodeCommit, encodeRootTree, type RootTree } from '../repo/objects/commit-object.js';
import { readCommit, readCommitTree } from '../repo/objects/read-objects.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectWriter } from '../store/object-store.js';
import type { ObjectId } from '../util/hash.js';

/**
 * What an ingest job has written so far lives in the catalog as refs, so every machine sees it and
 * gc and fsck treat it like any commit: `refs/ingest/<job>/tasks/<task>` points at a small commit
 * object (no parents) whose tree section `ingest` names the chunk map the task wrote (`trees`,
 * walked down to every chunk) and the chunks it found all fill (`removed`). While these refs
 * exist gc keeps the chunks; cancelling a job deletes them (the chunks go at the next gc unless
 * another job or commit holds equal ones). `refs/ingest/<job>/result` records how the job ended:
 * the commit it made on the target branch, or a commit holding the reason it failed.
 */
export const INGEST_REF_PREFIX = 'refs/ingest/';
const SECTION = 'ingest';

export function taskRef(jobId: string, taskKey: string): string {
  return `${INGEST_REF_PREFIX}${jobId}/tasks/${taskKey}`;
}

export function resultRef(jobId: string): string {
  return `${INGEST_REF_PREFIX}${jobId}/result`;
}

const AUTHOR = 'strata ingest';

/**
 * The task's record: a commit object (made durable through `writer`, which the caller commits)
 * that is the same bytes whichever worker ran the task, so a task run twice records one object.
 */
export async function addTaskRecord(
  writer: ObjectWriter,
  record: { jobId: string; taskKey: string; edits: readonly MapEdit[]; time: string },
): Promise<ObjectId> {
  const present = record.edits.filter((e) => e.value).map((e) => ({ key: e.key, value: e.value! }));
  const map = buildMap(present);
  for (const node of map.nodes) await writer.add(node.bytes);
  const tree: RootTree = {
    resources: {},
    [SECTION]: {
      job: record.jobId,
      task: record.taskKey,
      trees: [map.root],
      removed: record.edits.filter((e) => !e.value).map((e) => e.key),
    },
  };
  const treeId = await writer.add(encodeRootTree(tree));
  return writer.add(
    encodeCommit({
      tree: treeId,
      parents: [],
      message: `ingest job ${record.jobId}: task ${record.taskKey}`,
      author: AUTHOR,
      time: record.time,
      tags: [],
    }),
  );
}

/** Points the task's ref at its record; a ref already there (the task ran twice) is kept. */
export async function publishTaskRecord(
  repo: Repository,
  jobId: string,
  taskKey: string,
  id: ObjectId,
): Promise<void> {
  try {
    await repo.catalog.updateRef(taskRef(jobId, taskKey), id, null);
  } catch (err) {
    if (!(isStrataError(err) && err.code === 'E_CONFLICT')) throw err;
  }
}

/** Every chunk edit the job's finished tasks recorded, sorted by key. */
export async function readJobEdits(
  repo: Repository,
  jobId: string,
): Promise<{ edits: MapEdit[]; tasks: number }> {
  const edits: MapEdit[] = [];
  const refs = await repo.catalog.listRefs(`${INGEST_REF_PREFIX}${jobId}/tasks/`);
  for (const ref of refs) {
    if (!ref.target) continue;
    const section = (await readCommitTree(repo, ref.target))[SECTION] as {
      trees: ObjectId[];
      removed: string[];
    };
    for await (const e of iterateMap(repo.nodes, section.trees[0]!))
      edits.push({ key: e.key, value: e.value });
    for (const key of section.removed) edits.push({ key });
  }
  edits.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Tasks cover disjoint chunks; a key twice would be a planning bug, kept once.
  const unique = edits.filter((e, i) => i === 0 || e.key !== edits[i - 1]!.key);
  return { edits: unique, tasks: refs.length };
}

/** Deletes the job's task records (its chunks then belong to no job). */
export async function forgetTaskRecords(repo: Repository, jobId: string): Promise<number> {
  const refs = await repo.catalog.listRefs(`${INGEST_REF_PREFIX}${jobId}/tasks/`);
  for (const ref of refs) await repo.catalog.deleteRef(ref.name).catch(() => undefined);
  return refs.length;
}

/** How a job ended, as its result ref says (undefined: not recorded yet). */
export type IngestResult = { readonly commit: ObjectId } | { readonly error: string };

export async function readResult(repo: Repository, jobId: string): Promise<IngestResult | undefined> {
  const ref = await repo.catalog.getRef(resultRef(jobId));
  if (!ref?.target) return undefined;
  const tree = await readCommitTree(repo, ref.target);
  const failure = (tree[SECTION] as { error?: string } | undefined)?.error;
  if (failure !== undefined) return { error: failure };
  await readCommit(repo, ref.target);
  return { commit: ref.target };
}

/** Records how a job ended; the first record wins (returns it). */
export async function recordResult(
  repo: Repository,
  jobId: string,
  result: IngestResult,
): Promise<IngestResult> {
  let target: ObjectId;
  if ('commit' in result) target = result.commit;
  else {
    const writer = repo.store.createWriter();
    const treeId = await writer.add(
      encodeRootTree({ resources: {}, [SECTION]: { job: jobId, error: result.error } }),
    );
    target = await writer.add(
      encodeCommit({
        tree: treeId,
        parents: [],
        message: `ingest job ${jobId} failed: ${result.error}`,
        author: AUTHOR,
        time: new Date().toISOString(),
        tags: [],
      }),
    );
    await writer.commit();
  }
  try {
    await repo.catalog.updateRef(resultRef(jobId), target, null);
    return result;
  } catch (err) {
    if (isStrataError(err) && err.code === 'E_CONFLICT') return (await readResult(repo, jobId))!;
    throw err;
  }
}
