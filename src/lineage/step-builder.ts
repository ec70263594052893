import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { ResourceRecord, StatCacheEntry } from '../catalog/catalog.js';
import { InvalidArgumentError, isStrataError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { scratchDirectory } from '../repo/scratch.js';
import { checkInputConsistency, checkOutputOverlap, checkOwnOutputs } from './consistency.js';
import { currentLineageKey, readCurrentLineage, type PinnedRef } from './lineage-state.js';
import { hashRef } from './ref-hash.js';
import { checkRef, resolvePathToRef, sameRef, type ResourceRef } from './resource-ref.js';
import { RunningStep } from './running-step.js';

/** An input, output or code ref: a local path (resolved to resource + sub-path) or a resource ref. */
export type RefSpec = string | ResourceRef;

/** Options of `createStep`; each has a chainable builder method too. */
export interface StepOptions {
  /** Default: the running script's file name without extension (`train.js` → `train`). */
  readonly name?: string;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly inputs?: readonly RefSpec[];
  readonly code?: readonly RefSpec[];
  readonly outputs?: readonly RefSpec[];
  /** Makes it a results step: the folder `writeResults` writes `results.json` into (an output). */
  readonly results?: RefSpec;
  readonly description?: string;
  /** The command line (recorded by `strata run`). */
  readonly command?: readonly string[];
  /** Relative paths are resolved from here (default: the current directory). */
  readonly cwd?: string;
}

const STEP_NAME = /^[^\s:\p{Cc}][^:\p{Cc}]{0,127}$/u;

/** Checks a step name: 1-128 printable characters, no `:` (imported steps are `origin:name`). */
export function checkStepName(name: string): string {
  if (!STEP_NAME.test(name) || name.trim() !== name) {
    throw new InvalidArgumentError(
      `invalid step name '${name}': use 1-128 printable characters without ':' or surrounding spaces`,
      { name },
    );
  }
  return name;
}

/** The step name a script implies: its file name without extension. */
export function inferStepName(script = process.argv[1]): string | undefined {
  if (!script) return undefined;
  const base = basename(script, extname(script));
  return base === '' ? undefined : base;
}

function checkParameters(parameters: unknown): Record<string, unknown> {
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new InvalidArgumentError('step parameters must be a plain object of JSON data', { parameters });
  }
  try {
    return JSON.parse(JSON.stringify(parameters)) as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError(`step parameters are not JSON data: ${(err as Error).message}`, {});
  }
}

/**
 * Builds one lineage step: name, parameters, inputs, code, outputs and, for a results step, the
 * results folder. `run(fn)` pins the inputs to the content they have now, checks the consistency
 * rules, runs `fn`, then records the step (complete, outputs pinned) or, if `fn` throws, marks its
 * outputs unknown and rethrows.
 *
 * @example
 * ```ts
 * const accuracy = await createStep(repo, { name: 'train' })
 *   .parameters({ gamma: 0.01 })
 *   .input('data/train.csv')
 *   .code('src/train.js')
 *   .output('models/svm')
 *   .results('results', 'first try')
 *   .run(async (step) => {
 *     const accuracy = await train(0.01);
 *     step.writeResults({ accuracy });
 *     return accuracy;
 *   });
 * ```
 */
export class StepBuilder {
  private stepName: string | undefined;
  private params: Record<string, unknown> = {};
  private readonly inputSpecs: RefSpec[] = [];
  private readonly codeSpecs: RefSpec[] = [];
  private readonly outputSpecs: RefSpec[] = [];
  private resultsSpec: RefSpec | undefined;
  private runDescription: string | undefined;
  private commandLine: readonly string[] | undefined;
  private readonly cwd: string;

  constructor(
    private readonly repo: Repository,
    options: StepOptions = {},
  ) {
    this.cwd = options.cwd ?? process.cwd();
    if (options.name !== undefined) this.name(options.name);
    if (options.parameters) this.parameters(options.parameters);
    for (const i of options.inputs ?? []) this.input(i);
    for (const c of options.code ?? []) this.code(c);
    for (const o of options.outputs ?? []) this.output(o);
    if (options.results !== undefined) this.results(options.results, options.description);
    else this.runDescription = options.description;
    this.commandLine = options.command;
  }

  name(name: string): this {
    this.stepName = checkStepName(name);
    return this;
  }
  /** Merges parameters (JSON data) into the step's. */
  parameters(parameters: Readonly<Record<string, unknown>>): this {
    this.params = { ...this.params, ...checkParameters(parameters) };
    return this;
  }
  input(...specs: RefSpec[]): this {
    this.inputSpecs.push(...specs);
    return this;
  }
  code(...specs: RefSpec[]): this {
    this.codeSpecs.push(...specs);
    return this;
  }
  output(...specs: RefSpec[]): this {
    this.outputSpecs.push(...specs);
    return this;
  }
  /** Makes this a results step writing `results.json` into `folder` (also an output). */
  results(folder: RefSpec, description?: string): this {
    this.resultsSpec = folder;
    this.runDescription = description;
    return this;
  }

  private resolve(
    resources: readonly ResourceRecord[],
    spec: RefSpec,
  ): { ref: ResourceRef; record: ResourceRecord } {
    if (typeof spec === 'string') return resolvePathToRef(this.repo, resources, spec, this.cwd);
    const checked = checkRef(resources, spec);
    return { ref: checked.ref, record: checked.record! };
  }

  private async pin(
    resources: readonly ResourceRecord[],
    specs: readonly RefSpec[],
    caches: Map<string, Map<string, StatCacheEntry>>,
  ): Promise<PinnedRef[]> {
    const pinned: PinnedRef[] = [];
    for (const spec of specs) {
      const { ref, record } = this.resolve(resources, spec);
      if (pinned.some((p) => sameRef(p, ref))) continue;
      pinned.push({ ...ref, hash: await hashRef(this.repo, record, ref, caches) });
    }
    return pinned;
  }

  /**
   * Starts the step: resolves every ref, pins inputs and code to their content hashes now, and
   * checks the consistency rules against the current lineage. Finish it with `complete()` or
   * `fail()`; prefer `run(fn)`, which does that for you.
   */
  async begin(): Promise<RunningStep> {
    const startMs = Date.now();
    const name = this.stepName ?? inferStepName();
    if (name === undefined) {
      throw new InvalidArgumentError(
        'a lineage step needs a name (none could be inferred from the script)',
        {},
      );
    }
    checkStepName(name);
    const resources = await this.repo.catalog.listResources();
    const outputs: { ref: ResourceRef; record: ResourceRecord }[] = [];
    for (const spec of this.outputSpecs) {
      const output = this.resolve(resources, spec);
      if (!outputs.some((o) => sameRef(o.ref, output.ref))) outputs.push(output);
    }
    const results = this.resultsSpec === undefined ? undefined : this.resolve(resources, this.resultsSpec);
    if (results && !outputs.some((o) => sameRef(o.ref, results.ref))) outputs.push(results);
    checkOwnOutputs(
      name,
      outputs.map((o) => o.ref),
    );
    const code = [...this.codeSpecs];
    // A script inside a code resource is the step's code, as the seed's script steps do.
    const script = process.argv[1];
    if (this.stepName === undefined && script && existsSync(script) && code.length === 0) {
      try {
        const { record } = resolvePathToRef(this.repo, resources, resolve(script));
        if (record.role === 'code') code.push({ resource: record.name });
      } catch (err) {
        if (!isStrataError(err) || err.code !== 'E_OUTSIDE_RESOURCES') throw err;
      }
    }
    const caches = new Map<string, Map<string, StatCacheEntry>>();
    const inputs = await this.pin(resources, this.inputSpecs, caches);
    const pinnedCode = await this.pin(resources, code, caches);
    const lineageKey = await currentLineageKey(this.repo);
    const state = await readCurrentLineage(this.repo, { key: lineageKey });
    checkInputConsistency(state, name, inputs);
    checkOutputOverlap(
      state,
      name,
      outputs.map((o) => o.ref),
    );
    return new RunningStep(this.repo, {
      name,
      scratchDirectory: await scratchDirectory(this.repo),
      parameters: { ...this.params },
      inputs,
      code: pinnedCode,
      outputs,
      ...(results ? { results } : {}),
      ...(this.runDescription !== undefined ? { description: this.runDescription } : {}),
      ...(this.commandLine ? { command: this.commandLine } : {}),
      startMs,
      lineageKey,
    });
  }

  /**
   * Begins the step, runs `fn`, and records the outcome: complete when `fn` resolves (its value is
   * returned), failed with outputs unknown when it throws (the error is rethrown).
   */
  async run<T>(fn: (step: RunningStep) => T | Promise<T>): Promise<T> {
    const step = await this.begin();
    let value: T;
    try {
      value = await fn(step);
    } catch (err) {
      // The step's own error is what the caller needs, even if recording the failure fails too.
      await step.fail(err).catch(() => undefined);
      throw err;
    }
    await step.complete();
    return value;
  }
}

/** Starts building a lineage step in `repo` (see `StepBuilder`). */
export function createStep(repo: Repository, options: StepOptions = {}): StepBuilder {
  return new StepBuilder(repo, options);
}
