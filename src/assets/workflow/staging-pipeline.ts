/**
 * The staging half of the ingest pipeline for the CLI (create, export, delete, workflow): loaded
 * lazily by URL, like the update pipeline, so its modules and drivers load only when used.
 */
import path from 'node:path';
import type { Repository } from '../../repo/repository.js';
import { ASSET_STORE } from '../asset-store-port.js';
import { exportStaging, type ExportResult } from '../export/export-staging.js';
import { createStaging, type CreateResult } from '../staging/create-staging.js';
import { deleteStaging, type DeleteResult } from '../staging/delete-staging.js';
import { ingressRoot, loadAssetConfig, runUpdate, type LoadedAssetConfig } from '../update/pipeline.js';
import {
  parseSteps,
  runWorkflow,
  type StepRunner,
  type WorkflowResult,
  type WorkflowStep,
} from './run-workflow.js';

export type { CreateResult, DeleteResult, ExportResult, WorkflowResult };
export { parseSteps };

/** Where the asset config is, and how to report. */
type ConfigOptions = Omit<StagingCommandOptions, 'openRepository'>;

/** Options every staging command shares. */
export interface StagingCommandOptions {
  /** Opens the repository at a root (the composition root's `openRepository`: this layer picks no backend). */
  readonly openRepository: (root: string) => Promise<Repository>;
  /** `--config FILE`, relative to `cwd`. */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (label: string, done: number, total: number) => void;
  /** Warnings and retry lines (redacted). */
  readonly log?: (line: string) => void;
  /** Stops the command at its next check (see createStaging, exportStaging, runUpdate). */
  readonly signal?: AbortSignal;
}

function load(repositoryRoot: string, options: ConfigOptions): LoadedAssetConfig {
  return loadAssetConfig(repositoryRoot, options.configPath, options.env, options.cwd);
}

/** The staging folder: relative to the repository root, like the ingress folder. */
export function stagingRoot(repositoryRoot: string, loaded: LoadedAssetConfig): string {
  return path.resolve(repositoryRoot, loaded.config.staging_directory);
}

async function withRepo<T>(
  root: string,
  options: StagingCommandOptions,
  work: (repo: Repository) => Promise<T>,
): Promise<T> {
  const repo = await options.openRepository(root);
  try {
    return await work(repo);
  } finally {
    await repo.close();
  }
}

async function create(
  repo: Repository,
  loaded: LoadedAssetConfig,
  options: StagingCommandOptions,
): Promise<CreateResult> {
  return createStaging(repo, {
    ingressRoot: ingressRoot(repo.root, loaded.config),
    stagingRoot: stagingRoot(repo.root, loaded),
    writeMode: loaded.config.write_mode,
    // `workers` in the config: copy threads (copy mode) or moves in flight (move mode).
    concurrency: loaded.config.workers,
    onProgress: (done, total) => options.onProgress?.(`create (${loaded.config.write_mode})`, done, total),
    signal: options.signal,
  });
}

function exportIt(root: string, loaded: LoadedAssetConfig, options: ConfigOptions): Promise<ExportResult> {
  return exportStaging({
    stagingRoot: stagingRoot(root, loaded),
    config: loaded.config,
    baseDir: root,
    log: options.log,
    onProgress: options.onProgress,
    signal: options.signal,
  });
}

/** `strata assets create`. */
export async function runCreate(
  repositoryRoot: string,
  options: StagingCommandOptions,
): Promise<CreateResult> {
  const loaded = load(repositoryRoot, options);
  return withRepo(repositoryRoot, options, (repo) => create(repo, loaded, options));
}

/** `strata assets delete`. */
export async function runDelete(
  repositoryRoot: string,
  options: StagingCommandOptions,
): Promise<DeleteResult> {
  const loaded = load(repositoryRoot, options);
  return withRepo(repositoryRoot, options, (repo) => deleteStaging(repo, stagingRoot(repo.root, loaded)));
}

/** `strata assets export`: exporters, then webhooks; failures are in the result, not thrown. */
export async function runExport(repositoryRoot: string, options: ConfigOptions = {}): Promise<ExportResult> {
  return exportIt(repositoryRoot, load(repositoryRoot, options), options);
}

/** `strata assets workflow [--steps a,b,c]`: the given steps, else the config's `workflow`. */
export async function runAssetWorkflow(
  repositoryRoot: string,
  options: StagingCommandOptions & { readonly steps?: string; readonly onStep?: (step: string) => void },
): Promise<WorkflowResult> {
  const loaded = load(repositoryRoot, options);
  const steps: WorkflowStep[] =
    options.steps !== undefined ? parseSteps(options.steps) : [...loaded.config.workflow];
  return withRepo(repositoryRoot, options, (repo) => {
    const runners: Record<WorkflowStep, StepRunner> = {
      delete: async () => ({ ok: true, result: await deleteStaging(repo, stagingRoot(repo.root, loaded)) }),
      update: async () => {
        const report = await runUpdate(repo.root, repo.ports.get(ASSET_STORE), {
          configPath: options.configPath,
          cwd: options.cwd,
          env: options.env,
          onProgress: (done, total) => options.onProgress?.('update', done, total),
          signal: options.signal,
        });
        const { errors, ...counts } = report;
        return { ok: true, result: { ...counts, errors: errors.length } };
      },
      create: async () => ({ ok: true, result: await create(repo, loaded, options) }),
      export: async () => {
        const result = await exportIt(repo.root, loaded, options);
        return { ok: result.ok, result };
      },
    };
    // Aborted, no further step starts (the abort reason is no Strata error: it ends the workflow).
    return runWorkflow(steps, runners, (step) => {
      options.signal?.throwIfAborted();
      options.onStep?.(step);
    });
  });
}
