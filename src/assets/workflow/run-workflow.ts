import { InvalidArgumentError, isStrataError } from '../../errors/index.js';

/** The steps a workflow may run, in any order, any number of times. */
export const WORKFLOW_STEPS = ['delete', 'update', 'create', 'export'] as const;
export type WorkflowStep = (typeof WORKFLOW_STEPS)[number];

/** One step's outcome. */
export interface StepReport {
  readonly step: WorkflowStep;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

/** What `workflow` did: the shape of `strata assets workflow --json`. */
export interface WorkflowResult {
  readonly ok: boolean;
  readonly steps: readonly StepReport[];
}

/** A step's work: its JSON result, and whether it counts as a success (export may fail softly). */
export type StepRunner = () => Promise<{ ok: boolean; result: unknown }>;

/** Parses `--steps a,b,c`; an unknown step is refused with the list of known ones. */
export function parseSteps(list: string): WorkflowStep[] {
  const steps = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (steps.length === 0) throw new InvalidArgumentError('--steps names no step', { steps: list });
  for (const step of steps) {
    if (!(WORKFLOW_STEPS as readonly string[]).includes(step)) {
      throw new InvalidArgumentError(
        `unknown workflow step '${step}'; expected ${WORKFLOW_STEPS.join(', ')}`,
        {
          step,
          expected: WORKFLOW_STEPS,
        },
      );
    }
  }
  return steps as WorkflowStep[];
}

/**
 * Runs the steps in order and stops at the first that fails: a Strata error (bad config, nothing
 * staged, …) or a soft failure (an exporter or webhook that failed). Later steps are not run, so
 * `delete` never follows a failed `export`. Bugs (non-Strata errors) propagate.
 */
export async function runWorkflow(
  steps: readonly WorkflowStep[],
  runners: Readonly<Record<WorkflowStep, StepRunner>>,
  onStep?: (step: WorkflowStep, index: number) => void,
): Promise<WorkflowResult> {
  const reports: StepReport[] = [];
  for (const [index, step] of steps.entries()) {
    onStep?.(step, index);
    try {
      const { ok, result } = await runners[step]();
      reports.push({ step, ok, result });
      if (!ok) return { ok: false, steps: reports };
    } catch (err) {
      if (!isStrataError(err)) throw err;
      reports.push({ step, ok: false, error: { code: err.code, message: err.message } });
      return { ok: false, steps: reports };
    }
  }
  return { ok: true, steps: reports };
}
