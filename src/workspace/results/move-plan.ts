import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Repository } from '../../repo/repository.js';
import { isProcessAlive } from '../../repo/commit/locks.js';
import { readCommitTree } from '../../repo/objects/read-objects.js';
import { readHead } from '../../repo/refs/refs.js';
import { fsyncDir, writeFileDurable } from '../../util/durable-fs.js';

/** One file to move from the top of a results resource into the snapshot's folder. */
export interface PlannedMove {
  /** Absolute paths. */
  readonly from: string;
  readonly to: string;
}

/**
 * A results move, written durably to `.strata/workspace/results-move.json` before the first file
 * moves and removed once the commit is visible: after a crash, the next snapshot or status either
 * finds the commit (and only deletes the plan) or moves every file back (rolls back).
 */
export interface MovePlan {
  readonly version: 1;
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** A token also stored in the commit's `results` section: it tells whether the commit was made. */
  readonly token: string;
  readonly branch: string | null;
  readonly head: string | null;
  /** The snapshot folder, relative to each results resource. */
  readonly folder: string;
  /** Absolute snapshot folders, one per results resource. */
  readonly folders: readonly string[];
  readonly moves: readonly PlannedMove[];
  /** Files written beside the results (lineage.json), removed on rollback. */
  readonly written: readonly string[];
}

/** Where the plan of a results move in progress is kept. */
export const planPath = (repo: Repository) => join(repo.strataDir, 'workspace', 'results-move.json');

/** Writes the plan durably (temp file, fsync, rename) before the first file moves. */
export function writePlan(repo: Repository, plan: MovePlan): void {
  writeFileDurable(planPath(repo), JSON.stringify(plan));
}

/** The plan left by a snapshot that has not finished, if any. */
export function readPlan(repo: Repository): MovePlan | undefined {
  try {
    return JSON.parse(readFileSync(planPath(repo), 'utf8')) as MovePlan;
  } catch {
    return undefined;
  }
}

/** Removes the plan once its commit is visible (or its move undone). */
export function removePlan(repo: Repository): void {
  try {
    unlinkSync(planPath(repo));
    fsyncDir(dirname(planPath(repo)));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
}

/** Test hook: `STRATA_TEST_CRASH_AFTER_MOVES=N` kills the process (SIGKILL) after N moves. */
const crashAfter = (): number => Number(process.env.STRATA_TEST_CRASH_AFTER_MOVES ?? NaN);

/** Moves every planned file (renames within one filesystem), then prunes emptied folders. */
export function executeMoves(plan: MovePlan, roots: readonly string[]): void {
  const made = new Set<string>();
  const crash = crashAfter();
  let done = 0;
  for (const m of plan.moves) {
    const dir = dirname(m.to);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    renameSync(m.from, m.to);
    if (++done === crash) process.kill(process.pid, 'SIGKILL');
  }
  for (const dir of new Set(plan.moves.map((m) => dirname(m.from)))) pruneEmpty(dir, roots);
  for (const dir of made) fsyncDir(dir);
}

/** Puts every moved file back where it was and removes what the snapshot wrote. */
export function rollbackMoves(plan: MovePlan, roots: readonly string[]): void {
  for (const path of plan.written) {
    try {
      unlinkSync(path);
    } catch {
      // never written
    }
  }
  for (const m of plan.moves) {
    if (existsSync(m.to) && !existsSync(m.from)) {
      mkdirSync(dirname(m.from), { recursive: true });
      renameSync(m.to, m.from);
    }
  }
  for (const dir of new Set(plan.moves.map((m) => dirname(m.to)))) pruneEmpty(dir, roots);
}

/** Removes empty folders from `dir` upwards, never a resource's own folder. */
function pruneEmpty(dir: string, roots: readonly string[]): void {
  let current = dir;
  while (!roots.includes(current) && roots.some((r) => current.startsWith(r + '/'))) {
    try {
      if (readdirSync(current).length > 0) return;
      rmdirSync(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

/** What recovery did with a plan left by a snapshot that did not finish. */
export type RecoveryOutcome = 'none' | 'running' | 'completed' | 'rolled-back';

/**
 * Finishes a results move left behind by a killed snapshot: if its commit is visible (the token is
 * in HEAD's or its branch's `results` section) the plan is only removed; otherwise every file goes
 * back. A plan of a snapshot still running on this host is left alone.
 */
export async function recoverResultsMove(repo: Repository): Promise<RecoveryOutcome> {
  const plan = readPlan(repo);
  if (!plan) return 'none';
  if (plan.host === hostname() && plan.pid !== process.pid && isProcessAlive(plan.pid)) return 'running';
  const tips = new Set<string>();
  const head = await readHead(repo);
  if (head.commit) tips.add(head.commit);
  if (plan.branch) {
    const ref = await repo.catalog.getRef(`refs/heads/${plan.branch}`);
    if (ref?.target) tips.add(ref.target);
  }
  let committed = false;
  for (const tip of tips) {
    if (tip === plan.head) continue;
    const tree = await readCommitTree(repo, tip);
    if ((tree.results as { token?: string } | undefined)?.token === plan.token) committed = true;
  }
  if (!committed) rollbackMoves(plan, resourceRoots(plan));
  removePlan(repo);
  return committed ? 'completed' : 'rolled-back';
}

/** The results resources' folders: the plan's snapshot folders minus the relative folder. */
export function resourceRoots(plan: MovePlan): string[] {
  return plan.folders.map((f) => f.slice(0, f.length - plan.folder.length - 1));
}
