import { CorruptObjectError } from '../errors/index.js';
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
