import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import * as api from '../api/index.js';
import type { ColumnImportBody, ComputeRunBody, MergeBody, WorkflowBody } from '../protocol/jobs.js';
import type { ServerConfig } from './server-config.js';

type Json = api.JobRecord['config'];

/** What a job body is given: its request (as stored with the job), a stop signal, a progress sink. */
export interface JobBodyContext {
  readonly config: Json;
  readonly signal: AbortSignal;
  progress(done: number, total: number): void;
}

/** One kind of job: a library call; its JSON-able report becomes the job's result. */
export type JobBody = (context: JobBodyContext) => Promise<Json | void>;

/**
 * A job whose library call returned a failure report (an exporter failed, a workflow step
 * failed): the job ends `failed` with this message; the report stays with the job's result.
 */
export class JobOutcomeError extends api.StrataError {
  constructor(
    message: string,
    readonly report: unknown,
  ) {
    super('E_JOB_FAILED', message, {}, true);
  }
}

const toJson = (value: unknown): Json => JSON.parse(JSON.stringify(value ?? null)) as Json;

/**
 * A path a request names inside the served repository: relative, no `..`, not under `.strata/`,
 * and still inside the repository once symlinks are resolved (a link cannot lead outside).
 */
export function repositoryPath(root: string, requested: string): string {
  const parts = requested.split(/[\\/]/);
  if (isAbsolute(requested) || /^[A-Za-z]:/.test(requested) || parts.includes('..') || parts[0] === '.strata')
    throw new api.InvalidArgumentError(
      `path must be relative to the repository, without '..': ${requested}`,
      {
        path: requested,
      },
    );
  const realRoot = realpathSync(root);
  let real: string;
  try {
    real = realpathSync(resolve(root, requested));
  } catch {
    throw new api.NotFoundError(`no file or folder ${requested} in the repository`, {
      what: 'path',
      path: requested,
    });
  }
  const inside = relative(realRoot, real);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside))
    throw new api.InvalidArgumentError(`path leads outside the repository: ${requested}`, {
      path: requested,
    });
  return real;
}

/**
 * The server's long operations by kind. Each checks its stop signal where the library can stop
 * without leaving anything half-committed (see each library call's `signal`).
 */
export function jobKinds(repo: api.Repository, config: ServerConfig): Record<string, JobBody> {
  const root = repo.root;
  const staging = (signal: AbortSignal, progress: JobBodyContext['progress']) => ({
    openRepository: (at: string) => api.openRepository(at),
    cwd: root,
    signal,
    // One job, one progress: the stage's own label is not kept.
    onProgress: (_label: string, done: number, total: number) => progress(done, total),
  });
  return {
    'assets.update': async ({ signal, progress }) => {
      const pipeline = await api.loadAssetPipeline();
      // Cancelling stops the update before it writes the tables: they stay as they were.
      const report = await pipeline.runUpdate(root, repo.ports.get(api.ASSET_STORE), {
        onProgress: progress,
        signal,
      });
      return toJson(report);
    },
    'assets.create': async ({ signal, progress }) =>
      toJson(await (await api.loadStagingPipeline()).runCreate(root, staging(signal, progress))),
    'assets.delete': async ({ signal }) => {
      signal.throwIfAborted();
      const pipeline = await api.loadStagingPipeline();
      return toJson(
        await pipeline.runDelete(root, { openRepository: (at) => api.openRepository(at), cwd: root }),
      );
    },
    'assets.export': async ({ signal, progress }) => {
      const result = await (await api.loadStagingPipeline()).runExport(root, staging(signal, progress));
      if (!result.ok) throw new JobOutcomeError('an exporter or webhook failed', result);
      return toJson(result);
    },
    'assets.workflow': async ({ config: body, signal, progress }) => {
      const { steps } = body as WorkflowBody;
      const pipeline = await api.loadStagingPipeline();
      const result = await pipeline.runAssetWorkflow(root, {
        ...staging(signal, progress),
        steps: steps?.join(','),
      });
      const failed = result.steps.find((step) => !step.ok);
      if (failed)
        throw new JobOutcomeError(
          `step ${failed.step} failed${failed.error ? `: ${failed.error.message}` : ''}`,
          result,
        );
      return toJson(result);
    },
    'columns.import': async ({ config: body, signal, progress }) => {
      const { column, path, create, start } = body as ColumnImportBody & { column: string };
      const file = repositoryPath(root, path);
      const checkout = await api.openCheckout(repo, { write: true });
      try {
        // Throwing after a batch rolls the whole import back: nothing of it is staged.
        const result = await api.importIntoColumn(checkout, column, file, {
          create,
          start,
          onProgress: progress,
          onBatch: () => signal.throwIfAborted(),
        });
        return toJson(result);
      } finally {
        await checkout.close();
      }
    },
    merge: async ({ config: body, signal }) => {
      const { revision, strategy, message } = body as MergeBody;
      const result = await api.mergeRevision(repo, revision, { strategy, message, signal });
      // A refused merge changed nothing: the job fails with the conflicts, as the CLI exits 1.
      if (result.result === 'conflict')
        throw new api.ConflictError(`merge of '${revision}' refused: ${result.conflicts.length} conflicts`, {
          revision,
          conflicts: toJson(result.conflicts.slice(0, 100)),
        });
      return toJson(result);
    },
    'compute.run': async ({ config: body, signal, progress }) => {
      const { collection, ids, args, recompute } = body as ComputeRunBody & { collection: string };
      const served = config.collections.get(collection);
      if (!served)
        throw new api.NotFoundError(`the server computes no collection '${collection}'`, { collection });
      const project = await api.openComputeProject(repo);
      try {
        const defined = project.collection(collection, served.fn, {
          module: served.module,
          export: served.export,
          codeVersion: served.codeVersion,
        });
        const started = Date.now();
        const results = await project.fetchMany(
          defined,
          ids.map((id) => ({ id, args })),
          { threads: served.threads, recompute, onProgress: progress, signal },
        );
        const count = (status: string) => results.filter((r) => r.status === status).length;
        return toJson({
          total: results.length,
          complete: count('complete'),
          error: count('error'),
          seconds: (Date.now() - started) / 1000,
        });
      } finally {
        await project.close();
      }
    },
  };
}
