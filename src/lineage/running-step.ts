import { join } from 'node:path';
import type { ResourceRecord, StatCacheEntry } from '../catalog/catalog.js';
import { InvalidArgumentError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { writeFileDurable } from '../util/durable-fs.js';
import { checkInputConsistency, checkOutputOverlap } from './consistency.js';
import {
  updateCurrentLineage,
  withStep,
  type LineageKey,
  type PinnedRef,
  type StepParameters,
  type StepRecord,
} from './lineage-state.js';
import { hashRef } from './ref-hash.js';
import { overlapsRef, refLocation, type ResourceRef } from './resource-ref.js';

/** The file a results step writes into its results folder. */
export const RESULTS_FILE = 'results.json';

/** What `writeResults` writes to `results.json`. */
export interface ResultsFile {
  readonly step: string;
  readonly start_time: string;
  readonly duration_seconds: number;
  readonly parameters: StepParameters;
  readonly description: string | null;
  readonly metrics: Readonly<Record<string, unknown>>;
}

/** Everything `begin` resolved and pinned, handed to a `RunningStep`. */
export interface StepPlan {
  readonly name: string;
  /** This machine's scratch folder, for temporary outputs that are never versioned. */
  readonly scratchDirectory: string;
  readonly parameters: Record<string, unknown>;
  readonly inputs: readonly PinnedRef[];
  readonly code: readonly PinnedRef[];
  readonly outputs: readonly { ref: ResourceRef; record: ResourceRecord }[];
  readonly results?: { ref: ResourceRef; record: ResourceRecord };
  readonly description?: string;
  readonly command?: readonly string[];
  readonly startMs: number;
  /** The branch (or detached HEAD) whose lineage the step is recorded in: the one it began on. */
  readonly lineageKey?: LineageKey;
}

/**
 * A step that has begun: its inputs are pinned and checked. Finish it with `complete()` (outputs
 * hashed, the step recorded as complete) or `fail(err)` (outputs marked unknown). `run(fn)` of the
 * builder does both for you.
 */
export class RunningStep {
  private finished = false;
  private endMs: number | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly plan: StepPlan,
  ) {}

  get name(): string {
    return this.plan.name;
  }
  /**
   * This machine's scratch folder (`strata init --scratch-directory`, default `scratch/`): where the
   * step may put temporary outputs. No resource holds it, so nothing there is ever versioned.
   */
  get scratchDirectory(): string {
    return this.plan.scratchDirectory;
  }
  /** When the step began, ISO 8601 UTC. */
  get startTime(): string {
    return new Date(this.plan.startMs).toISOString();
  }
  get parameters(): StepParameters {
    return this.plan.parameters;
  }
  /** The inputs with the content hashes they had when the step began. */
  get inputs(): readonly PinnedRef[] {
    return this.plan.inputs;
  }

  /** Adds or changes a parameter while the step runs (e.g. one chosen by the step itself). */
  setParameter(name: string, value: unknown): void {
    this.plan.parameters[name] = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  }

  private duration(): number {
    this.endMs ??= Date.now();
    return (this.endMs - this.plan.startMs) / 1000;
  }

  /**
   * Writes `results.json` (step, start time, duration, parameters, description, metrics) into the
   * results folder given to `results()`; returns its path. Only for results steps.
   */
  writeResults(metrics: Readonly<Record<string, unknown>>): string {
    const results = this.plan.results;
    if (!results) {
      throw new InvalidArgumentError(`step '${this.name}' is not a results step: give results(PATH) first`, {
        step: this.name,
      });
    }
    const data: ResultsFile = {
      step: this.name,
      start_time: this.startTime,
      duration_seconds: this.duration(),
      parameters: this.plan.parameters,
      description: this.plan.description ?? null,
      metrics: JSON.parse(JSON.stringify(metrics)) as Record<string, unknown>,
    };
    const path = join(refLocation(this.repo, results.record, results.ref), RESULTS_FILE);
    writeFileDurable(path, JSON.stringify(data, null, 2) + '\n');
    return path;
  }

  private record(status: 'complete' | 'failed', outputs: readonly PinnedRef[], error?: string): StepRecord {
    return {
      name: this.name,
      status,
      parameters: this.plan.parameters,
      inputs: this.plan.inputs,
      code: this.plan.code,
      outputs,
      startTime: this.startTime,
      durationSeconds: this.duration(),
      ...(this.plan.description !== undefined ? { description: this.plan.description } : {}),
      ...(this.plan.command ? { command: this.plan.command } : {}),
      ...(error !== undefined ? { error } : {}),
    };
  }

  private finish(): void {
    if (this.finished) {
      throw new InvalidArgumentError(`step '${this.name}' has finished already`, { step: this.name });
    }
    this.finished = true;
  }

  /**
   * Hashes the outputs and records the step as complete, replacing its previous record. The
   * consistency rules are checked again under the lineage lock (another step may have been
   * recorded meanwhile); a breach then records nothing. A missing output fails the step.
   */
  async complete(): Promise<StepRecord> {
    this.finish();
    let outputs: PinnedRef[];
    try {
      outputs = [];
      const caches = new Map<string, Map<string, StatCacheEntry>>();
      for (const { ref, record } of this.plan.outputs) {
        outputs.push({ ...ref, hash: await hashRef(this.repo, record, ref, caches) });
      }
    } catch (err) {
      await this.recordFailure(err);
      throw err;
    }
    const step = this.record('complete', outputs);
    await updateCurrentLineage(
      this.repo,
      (state) => {
        checkOutputOverlap(state, this.name, outputs);
        checkInputConsistency(state, this.name, this.plan.inputs);
        return withStep(state, step);
      },
      { key: this.plan.lineageKey },
    );
    return step;
  }

  /**
   * Records the step as failed: its outputs are marked unknown (hash `null`) and its previous
   * complete record, if any, is replaced. Nothing is recorded as complete.
   */
  async fail(error?: unknown): Promise<StepRecord> {
    this.finish();
    return this.recordFailure(error);
  }

  private async recordFailure(error: unknown): Promise<StepRecord> {
    const message = error instanceof Error ? error.message : error === undefined ? undefined : String(error);
    const outputs = this.plan.outputs.map(({ ref }) => ({ ...ref, hash: null }));
    const step = this.record('failed', outputs, message);
    await updateCurrentLineage(
      this.repo,
      (state) => {
        const others = state.steps.filter((s) => s.name !== this.name);
        // Never let a failed record break the no-overlap rule: then only the old record goes.
        const clash = others.some((s) => s.outputs.some((o) => outputs.some((out) => overlapsRef(o, out))));
        return clash ? { steps: others } : withStep(state, step);
      },
      { key: this.plan.lineageKey },
    );
    return step;
  }
}
