import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createStep, type RefSpec, type Repository, type RunningStep } from '../../api/index.js';
import { writeFileDurable } from '../../util/durable-fs.js';
import { folderSaveHandler } from './save-handler.js';

/** The file beside `results.json` holding the metrics of every epoch, one JSON object per line. */
export const EPOCHS_FILE = 'epochs.jsonl';

/** Options of `lineageCallback`. */
export interface LineageCallbackOptions {
  /** The results folder (a path inside a results resource): `results.json` and `epochs.jsonl` go here. */
  readonly results: string;
  /** The folder (a path inside a resource) the trained model is saved into: an output of the step. */
  readonly model: string;
  /** Step name; default: the script's file name, as for `createStep`. */
  readonly name?: string;
  /** The data the model trains on (paths or resource refs), pinned to their content when training begins. */
  readonly inputs?: readonly RefSpec[];
  readonly code?: readonly RefSpec[];
  /** Parameters of your own (e.g. the learning rate), recorded beside those fit() is given. */
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly description?: string;
  /** Relative paths are resolved from here (default: the current directory). */
  readonly cwd?: string;
}

type Logs = Record<string, number | tf.Tensor> | undefined;

/** Numbers only: tfjs may hand scalar tensors in logs; results hold plain JSON numbers. */
async function numbers(logs: Logs): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(logs ?? {})) {
    out[name] = typeof value === 'number' ? value : (await value.data())[0]!;
  }
  return out;
}

/**
 * A `model.fit` callback that makes the training run a lineage step of `repo`: when training
 * begins it pins the inputs and records fit()'s parameters (epochs, batch size, samples, optimizer)
 * with yours; after each epoch it appends the epoch's metrics to `epochs.jsonl` in the results
 * folder; when training ends it saves the model (`model.json`, `weights.bin`) into the `model`
 * folder, writes the final metrics as `results.json` and records the step as complete, the model
 * and results folders as its outputs. `strata commit` then files the results under the snapshot,
 * and `report history` shows the metrics.
 *
 * tfjs has no callback for a failed fit(): when fit() throws, call `callback.fail(err)` to record
 * the step as failed (its outputs unknown); otherwise the step is simply not recorded.
 *
 * @example
 * ```ts
 * await model.fit(xs, ys, { epochs: 5, callbacks: [lineageCallback(repo, { results: 'results', model: 'models/m' })] });
 * ```
 */
export class LineageCallback extends tf.Callback {
  private step: RunningStep | undefined;
  private readonly epochs: Record<string, number>[] = [];
  private readonly resultsFolder: string;
  private readonly modelFolder: string;

  constructor(
    private readonly repo: Repository,
    private readonly options: LineageCallbackOptions,
  ) {
    super();
    const cwd = options.cwd ?? process.cwd();
    this.resultsFolder = resolve(cwd, options.results);
    this.modelFolder = resolve(cwd, options.model);
  }

  /** The step while training runs (undefined before it begins and after it finishes). */
  get runningStep(): RunningStep | undefined {
    return this.step;
  }

  override async onTrainBegin(): Promise<void> {
    const model = this.model as tf.LayersModel;
    const optimizer = model.optimizer;
    const fitParams = Object.fromEntries(
      Object.entries(this.params ?? {}).filter(([, v]) => v !== undefined && v !== null),
    );
    const builder = createStep(this.repo, {
      ...(this.options.name !== undefined ? { name: this.options.name } : {}),
      inputs: this.options.inputs ?? [],
      code: this.options.code ?? [],
      outputs: [this.modelFolder],
      results: this.resultsFolder,
      ...(this.options.description !== undefined ? { description: this.options.description } : {}),
      cwd: this.options.cwd ?? process.cwd(),
    })
      .parameters(fitParams)
      .parameters({
        ...(optimizer
          ? { optimizer: optimizer.getClassName(), optimizer_config: optimizer.getConfig() }
          : {}),
        loss: lossName(model),
      })
      .parameters(this.options.parameters ?? {});
    this.epochs.length = 0;
    this.step = await builder.begin();
    // A previous run's epochs must not mix with this one's.
    writeFileDurable(resolve(this.resultsFolder, EPOCHS_FILE), '');
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const metrics = { epoch, ...(await numbers(logs)) };
    this.epochs.push(metrics);
    writeFileDurable(
      resolve(this.resultsFolder, EPOCHS_FILE),
      this.epochs.map((e) => JSON.stringify(e)).join('\n') + '\n',
    );
  }

  override async onTrainEnd(): Promise<void> {
    const step = this.step;
    if (!step) return;
    this.step = undefined;
    try {
      await (this.model as tf.LayersModel).save(folderSaveHandler(this.modelFolder));
      // The final metrics are the last epoch's; `epochs` is a parameter already.
      const { epoch: _epoch, ...last } = this.epochs.at(-1) ?? { epoch: 0 };
      step.writeResults(last);
    } catch (err) {
      await step.fail(err).catch(() => undefined);
      throw err;
    }
    await step.complete();
  }

  /** Records the step as failed (outputs unknown): call it when fit() throws. */
  async fail(err: unknown): Promise<void> {
    const step = this.step;
    this.step = undefined;
    if (step) await step.fail(err);
  }
}

function lossName(model: tf.LayersModel): unknown {
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (typeof loss === 'string') return loss;
  if (Array.isArray(loss)) return loss.map((l) => (typeof l === 'string' ? l : 'custom'));
  return loss === undefined ? null : 'custom';
}

/** One line of user code: `callbacks: [lineageCallback(repo, { results: 'results', model: 'models/m' })]`. */
export function lineageCallback(repo: Repository, options: LineageCallbackOptions): LineageCallback {
  return new LineageCallback(repo, options);
}
