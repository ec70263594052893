import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptObjectError, isStrataError } from '../errors/index.js';
import { withLocks } from '../repo/commit/locks.js';
import type { Repository } from '../repo/repository.js';
import { writeFileDurable } from '../util/durable-fs.js';
import type { ResourceRef } from './resource-ref.js';

/** A ref pinned to the content hash it had when the step read (or wrote) it. */
export interface PinnedRef extends ResourceRef {
  /** Content hash; `null` for an output whose state is unknown (its step failed). */
  readonly hash: string | null;
}

/**
 * `complete`: the step ran to the end and its outputs are pinned; `failed`: it threw, its outputs
 * are unknown; `imported`: it ran in another repository (see `importLineage`).
 */
export type StepStatus = 'complete' | 'failed' | 'imported';

/** JSON data a step was run with. */
export type StepParameters = Readonly<Record<string, unknown>>;

/** One step of lineage: what ran, with which parameters, what it read and what it wrote. */
export interface StepRecord {
  readonly name: string;
  readonly status: StepStatus;
  readonly parameters: StepParameters;
  readonly inputs: readonly PinnedRef[];
  readonly code: readonly PinnedRef[];
  readonly outputs: readonly PinnedRef[];
  /** ISO 8601, UTC. */
  readonly startTime: string;
  readonly durationSeconds: number;
  readonly description?: string;
  /** The command line of a `strata run` step. */
  readonly command?: readonly string[];
  /** The repository an imported step came from. */
  readonly origin?: string;
  /** The error message of a failed step. */
  readonly error?: string;
}

/** The whole lineage: one record per step name, sorted by name. */
export interface LineageState {
  readonly steps: readonly StepRecord[];
}

/** Where the current lineage is kept: mutable state beside the catalog, written crash-safely. */
export function currentLineagePath(repo: Repository): string {
  return join(repo.strataDir, 'lineage', 'current.json');
}

const CURRENT_TYPE = 'strata/current-lineage@1';

/** Parses lineage JSON (the current file, a snapshot's object, an export) into a state. */
export function parseLineage(text: string, where: string): LineageState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptObjectError(`${where} is not valid JSON`, { where });
  }
  const steps = (value as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps) || steps.some((s) => typeof (s as { name?: unknown })?.name !== 'string')) {
    throw new CorruptObjectError(`${where} is not lineage data (no steps)`, { where });
  }
  return { steps: steps as StepRecord[] };
}

/** The current lineage (empty when no step was recorded yet). */
export function readCurrentLineage(repo: Repository): LineageState {
  let text: string;
  try {
    text = readFileSync(currentLineagePath(repo), 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { steps: [] };
    throw err;
  }
  return parseLineage(text, currentLineagePath(repo));
}

/** Replaces the current lineage: temp file, fsync, rename, so a crash leaves the old or the new. */
export function writeCurrentLineage(repo: Repository, state: LineageState): void {
  const steps = [...state.steps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  writeFileDurable(currentLineagePath(repo), JSON.stringify({ type: CURRENT_TYPE, steps }, null, 2) + '\n');
}

/** The catalog lock that serialises read-modify-write of the current lineage. */
export const LINEAGE_LOCK = 'lineage';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `update` on the current lineage holding the lineage lock, and writes what it returns. Other
 * processes recording steps at the same time wait their turn (up to `waitMs`); a stale lock left
 * by a dead process is reported at once.
 */
export async function updateCurrentLineage(
  repo: Repository,
  update: (state: LineageState) => LineageState | Promise<LineageState>,
  options: { waitMs?: number } = {},
): Promise<LineageState> {
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await withLocks(repo, [LINEAGE_LOCK], async () => {
        const next = await update(readCurrentLineage(repo));
        writeCurrentLineage(repo, next);
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
