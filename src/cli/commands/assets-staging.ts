import type { Command } from 'commander';
import { loadOutsideBundle } from '../../api/load-outside-bundle.js';
import type { Repository } from '../../api/index.js';
import type { GlobalOptions } from '../context.js';
import { dim, green, printJson, red, say, short, yellow } from '../output.js';
import { createProgress } from '../progress.js';

type StagingPipeline = typeof import('../../assets/workflow/staging-pipeline.js');

/** The pipeline, loaded outside the CLI bundle (see loadOutsideBundle). */
function loadStagingPipeline(): Promise<StagingPipeline> {
  return loadOutsideBundle<StagingPipeline>('assets/workflow/staging-pipeline.js');
}

/**
 * The composition root from the same copy of Strata as the pipeline (outside the bundle), so the
 * repository it opens throws the error classes the pipeline checks for (a stale lock, say).
 */
function backendsOutsideBundle(): Promise<typeof import('../../backends/open-backends.js')> {
  return loadOutsideBundle<typeof import('../../backends/open-backends.js')>('backends/open-backends.js');
}

async function repositoryRoot(global: GlobalOptions): Promise<string> {
  const { findRepositoryRoot } = await import('../../api/index.js');
  return findRepositoryRoot(global.cwd);
}

/** One progress bar per label (create, export disk, export s3, update, …). */
async function progressBars(): Promise<{
  update(label: string, done: number, total: number): void;
  stop(): void;
}> {
  const bars = new Map<string, Awaited<ReturnType<typeof createProgress>>>();
  const pending = new Map<string, Promise<Awaited<ReturnType<typeof createProgress>>>>();
  return {
    update(label, done, total) {
      const bar = bars.get(label);
      if (bar) return bar.update(done, total);
      if (!pending.has(label)) {
        const made = createProgress(label);
        pending.set(label, made);
        void made.then((b) => bars.set(label, b));
      }
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

const MB = 1024 * 1024;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function sayCreate(r: Awaited<ReturnType<StagingPipeline['runCreate']>>): void {
  if (r.recovered) {
    say(
      yellow(
        `recovered an interrupted staging (${r.recovered.policy}: ${plural(r.recovered.moved, 'file')} moved back)`,
      ),
    );
  }
  if (r.staged === 0) say('no valid assets: nothing staged, nothing committed');
  else {
    const size = `${(r.bytes / MB).toFixed(1)} MB`;
    const where = r.commit ? `committed ${short(r.commit)}` : 'unchanged since the last staging commit';
    say(`${green('staged')} ${plural(r.staged, 'asset')} (${plural(r.files, 'file')}, ${size}) — ${where}`);
  }
}

function sayExport(r: Awaited<ReturnType<StagingPipeline['runExport']>>): void {
  for (const e of r.exporters) {
    if (e.ok) {
      const what = [e.files ? plural(e.files, 'file') : '', e.metadata ? `${e.metadata} metadata` : '']
        .filter(Boolean)
        .join(', ');
      say(
        `${green('ok')}     export ${e.name}${what ? `: ${what}` : ''}${e.attempts > 1 ? dim(` (${e.attempts} attempts)`) : ''}`,
      );
    } else say(`${red('failed')} ${e.error}`);
  }
  for (const w of r.webhooks) {
    if (w.ok) say(`${green('ok')}     webhook ${w.url} ${dim(`HTTP ${w.status}`)}`);
    else say(`${red('failed')} webhook ${w.url} after ${plural(w.attempts, 'attempt')}: ${w.error}`);
  }
  if (r.webhooksSkipped) say(yellow(`webhooks not called: ${r.webhooksSkipped}`));
  if (r.exporters.length === 0 && r.webhooks.length === 0) say('no exporters or webhooks configured');
}

/**
 * `strata assets create|export|delete|workflow`: the staging half of asset ingest. Registered on
 * the `assets` command by `registerAssetCommands`.
 */
export function registerAssetStagingCommands(assets: Command): void {
  const program = assets.parent!;
  const global = (): GlobalOptions => ({ cwd: program.opts<{ cwd?: string }>().cwd ?? process.cwd() });
  const common = (cmd: Command) =>
    cmd
      .option(
        '--config <file>',
        'asset config (YAML or JSON); default STRATA_* variables or strata-assets.yaml',
      )
      .option('--json', 'print the result as JSON');
  const log = (line: string) => process.stderr.write(`${dim(line)}\n`);

  /** Runs a pipeline verb with progress bars; prints JSON or `print`; exit 1 when not `ok`. */
  const withBars = async <R>(
    opts: { config?: string; json?: boolean },
    run: (
      pipeline: StagingPipeline,
      root: string,
      options: {
        configPath?: string;
        cwd: string;
        onProgress: (label: string, done: number, total: number) => void;
        log: typeof log;
        openRepository: (root: string) => Promise<Repository>;
      },
    ) => Promise<R>,
    print: (result: R) => void,
    ok: (result: R) => boolean = () => true,
  ): Promise<void> => {
    const root = await repositoryRoot(global());
    const pipeline = await loadStagingPipeline();
    const bars = await progressBars();
    try {
      const { openRepository } = await backendsOutsideBundle();
      const options = {
        configPath: opts.config,
        cwd: global().cwd,
        onProgress: bars.update,
        log,
        openRepository,
      };
      const result = await run(pipeline, root, options);
      bars.stop();
      if (opts.json) printJson(result);
      else print(result);
      if (!ok(result)) process.exitCode = 1;
    } finally {
      bars.stop();
    }
  };

  common(
    assets
      .command('create')
      .description(
        "stage the valid assets (copy or move, with metadata) and commit them as the 'assets' resource",
      ),
  ).action((opts: { config?: string; json?: boolean }) =>
    withBars(opts, (pipeline, root, options) => pipeline.runCreate(root, options), sayCreate),
  );

  common(
    assets
      .command('export')
      .description(
        'send the staging to every configured exporter (with retries), then call the webhooks; exit 1 if any fails',
      ),
  ).action((opts: { config?: string; json?: boolean }) =>
    withBars(
      opts,
      (pipeline, root, options) => pipeline.runExport(root, options),
      sayExport,
      (result) => result.ok,
    ),
  );

  common(
    assets
      .command('delete')
      .description('remove the staged content and metadata (the commits that versioned them stay)'),
  ).action(async (opts: { config?: string; json?: boolean }) => {
    const root = await repositoryRoot(global());
    const pipeline = await loadStagingPipeline();
    const { openRepository } = await backendsOutsideBundle();
    const result = await pipeline.runDelete(root, {
      configPath: opts.config,
      cwd: global().cwd,
      log,
      openRepository,
    });
    if (opts.json) printJson(result);
    else
      say(
        result.deleted ? `deleted the staging in ${result.staging}` : `nothing staged in ${result.staging}`,
      );
  });

  common(
    assets
      .command('workflow')
      .description("run steps in order (delete, update, create, export): --steps, else the config's workflow")
      .option('--steps <list>', 'comma-separated steps, e.g. delete,update,create,export'),
  ).action(async (opts: { config?: string; json?: boolean; steps?: string }) => {
    const root = await repositoryRoot(global());
    const pipeline = await loadStagingPipeline();
    const bars = await progressBars();
    try {
      const { openRepository } = await backendsOutsideBundle();
      const result = await pipeline.runAssetWorkflow(root, {
        openRepository,
        configPath: opts.config,
        cwd: global().cwd,
        steps: opts.steps,
        onProgress: bars.update,
        log,
        onStep: (step) => {
          if (!opts.json) say(dim(`— ${step}`));
        },
      });
      bars.stop();
      if (opts.json) printJson(result);
      else {
        for (const s of result.steps) {
          if (s.error) say(`${red('failed')} ${s.step}: ${s.error.message}`);
          else if (s.step === 'create') sayCreate(s.result as Parameters<typeof sayCreate>[0]);
          else if (s.step === 'export') sayExport(s.result as Parameters<typeof sayExport>[0]);
          else if (s.step === 'update') {
            const u = s.result as {
              files: number;
              assets: number;
              valid: number;
              invalid: number;
              errors: number;
            };
            say(
              `updated: ${plural(u.files, 'file')}, ${plural(u.assets, 'asset')} (${u.valid} valid, ${u.invalid} invalid)`,
            );
          } else say(`${green('ok')}     ${s.step}`);
        }
      }
      if (!result.ok) process.exitCode = 1;
    } finally {
      bars.stop();
    }
  });
}
