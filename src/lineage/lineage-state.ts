import { isStrataError } from '../errors/index.js';
import { withLocks } from '../repo/commit/locks.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readBranch, readHead } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { isObjectId } from '../util/hash.js';
import {
  createCatalogLineageStore,
  lineageKeyOf,
  type LineageKey,
  type LineageStore,
} from './lineage-store.js';
import { parseLineage, type LineageState, type StepRecord } from './lineage-types.js';

export { parseLineage } from './lineage-types.js';
export type { LineageState, PinnedRef, StepParameters, StepRecord, StepStatus } from './lineage-types.js';
export type { LineageKey } from './lineage-store.js';

/** The root-tree key of the lineage section. */
export const LINEAGE_SECTION = 'lineage';

/** The store of every branch's current lineage in this working folder (catalog rows). */
export function lineageStore(repo: Repository): LineageStore {
  return createCatalogLineageStore(repo.catalog);
}

/** The lineage saved with a commit (empty when none, or for `null`, an unborn branch). */
export async function readCommitLineage(repo: Repository, commit: ObjectId | null): Promise<LineageState> {
  if (commit === null) return { steps: [] };
  const tree = await readCommitTree(repo, commit);
  const section = tree[LINEAGE_SECTION] as { refs?: unknown } | undefined;
  const id = Array.isArray(section?.refs) ? section.refs[0] : undefined;
  if (typeof id !== 'string' || !isObjectId(id)) return { steps: [] };
  return parseLineage((await repo.store.get(id)).toString('utf8'), `lineage object ${id}`);
}

/** The key of the lineage that HEAD selects now (its branch, or the detached state). */
export async function currentLineageKey(repo: Repository): Promise<LineageKey> {
  return lineageKeyOf(await readHead(repo));
}

/**
 * The current lineage of a branch (default: the one HEAD follows, or the detached HEAD). A branch
 * that never recorded a step of its own starts from the lineage saved in its head commit, so a
 * fresh branch or checkout shows the lineage its data came with.
 */
export async function readCurrentLineage(
  repo: Repository,
  options: { readonly key?: LineageKey } = {},
): Promise<LineageState> {
  const head = await readHead(repo);
  const key = options.key ?? lineageKeyOf(head);
  const stored = await lineageStore(repo).read(key);
  if (stored !== undefined) return stored;
  const commit = 'branch' in key ? ((await readBranch(repo, key.branch)) ?? null) : head.commit;
  return readCommitLineage(repo, commit);
}

/** Replaces the current lineage of a branch (default: HEAD's) in this working folder, atomically. */
export async function writeCurrentLineage(
  repo: Repository,
  state: LineageState,
  options: { readonly key?: LineageKey } = {},
): Promise<void> {
  await lineageStore(repo).write(options.key ?? (await currentLineageKey(repo)), state);
}

/** The catalog lock that serialises read-modify-write of the current lineage. */
export const LINEAGE_LOCK = 'lineage';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `update` on the current lineage (of `key`, default HEAD's branch) holding the lineage lock,
 * and writes what it returns. Other processes recording steps at the same time wait their turn
 * (up to `waitMs`); a stale lock left by a dead process is reported at once.
 */
export async function updateCurrentLineage(
  repo: Repository,
  update: (state: LineageState) => LineageState | Promise<LineageState>,
  options: { waitMs?: number; key?: LineageKey } = {},
): Promise<LineageState> {
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await withLocks(repo, [LINEAGE_LOCK], async () => {
        const key = options.key ?? (await currentLineageKey(repo));
        const next = await update(await readCurrentLineage(repo, { key }));
        await lineageStore(repo).write(key, next);
        return next;
      });
    } catch (err) {
      const retry = isStrataError(err) && err.code === 'E_LOCKED' && err.data.stale !== true;
      if (!retry || Date.now() > deadline) throw err;
      await sleep(delay);
    }
  }
}

/** Replaces the step of the same name (or adds it). */
export function withStep(state: LineageState, step: StepRecord): LineageState {
  return { steps: [...state.steps.filter((s) => s.name !== step.name), step] };
}

/** Forgets a step (e.g. one renamed since); returns false when there was none of that name. */
export async function forgetStep(repo: Repository, name: string): Promise<boolean> {
  let found = false;
  await updateCurrentLineage(repo, (state) => {
    found = state.steps.some((s) => s.name === name);
    return { steps: state.steps.filter((s) => s.name !== name) };
  });
  return found;
}
