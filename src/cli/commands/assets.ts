import type { Command } from 'commander';
import { loadOutsideBundle } from '../../api/load-outside-bundle.js';
import type { FieldName, NamingGrammar } from '../../assets/naming/grammar.js';
import type { Repository } from '../../api/index.js';
import type { GlobalOptions } from '../context.js';
import { green, printJson, red, say, yellow } from '../output.js';
import { createProgress } from '../progress.js';
import { registerAssetStagingCommands } from './assets-staging.js';

type Pipeline = typeof import('../../assets/update/pipeline.js');

/** The pipeline, loaded outside the CLI bundle (see loadOutsideBundle). */
export function loadPipeline(): Promise<Pipeline> {
  return loadOutsideBundle<Pipeline>('assets/update/pipeline.js');
}

/** The flags of `assets search`. */
interface SearchFlags {
  groupBy: string;
  timeout?: string;
  maxRows?: string;
  maxBytes?: string;
  config?: string;
  json?: boolean;
}

/** Runs `work` with the repository around the working folder (assets commands all run inside one). */
async function withRepository<T>(global: GlobalOptions, work: (repo: Repository) => Promise<T>): Promise<T> {
  const { openRepository } = await import('../../api/index.js');
  const repo = await openRepository(global.cwd);
  try {
    return await work(repo);
  } finally {
    await repo.close();
  }
}

/** `strata assets ...`: the asset-ingest commands. */
export function registerAssetCommands(program: Command): void {
  const global = (): GlobalOptions => ({ cwd: program.opts<{ cwd?: string }>().cwd ?? process.cwd() });
  const assets = program
    .command('assets')
    .description('asset ingest: parse names, update the file and asset tables, search them, graph them');
  registerAssetStagingCommands(assets);

  assets
    .command('parse <names...>')
    .description('check file or folder names against the naming convention; exit 1 if any fails')
    .option(
      '--fields <list>',
      'the exact fields the names must have, in order, e.g. project,specification,descriptor,extension',
    )
    .option('--config <file>', "asset config: without --fields, names must have their specification's fields")
    .option('--json', 'print as JSON')
    .action(async (names: string[], opts: { fields?: string; config?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const fields = opts.fields
        ? api.checkFieldList(opts.fields.split(',').map((f) => f.trim()))
        : undefined;
      let context: { grammar: NamingGrammar; fieldsOf: Map<string, readonly FieldName[]> } | undefined;
      if (!fields) {
        let root: string | undefined;
        try {
          root = api.findRepositoryRoot(global().cwd);
        } catch {
          root = undefined; // outside a repository: only --config or the environment name a config
        }
        if (opts.config || root || api.environmentAssetConfig() !== null)
          context = await (await loadPipeline()).parseContext(root, opts.config, global().cwd);
      }
      const results = names.map((name) => {
        const parsed = api.parseName(name, context?.grammar);
        const specFields =
          parsed.metadata.specification !== undefined
            ? context?.fieldsOf.get(parsed.metadata.specification)
            : undefined;
        const order =
          parsed.violations.length === 0
            ? api.checkFieldOrder(name, parsed, fields ?? specFields)
            : undefined;
        const errors = [...parsed.violations, ...(order ? [order] : [])];
        return errors.length === 0
          ? { name, ok: true as const, fields: parsed.metadata }
          : {
              name,
              ok: false as const,
              errors: errors.map((e) => ({ field: e.field, offset: e.offset, message: e.message })),
            };
      });
      if (opts.json) printJson(results);
      else {
        for (const r of results) {
          if (r.ok) say(`${green('ok')}      ${r.name}  ${JSON.stringify(r.fields)}`);
          else for (const e of r.errors) say(`${red('invalid')} ${r.name}  ${e.message}`);
        }
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  assets
    .command('update')
    .description('scan the ingress folder and update the file and asset tables (.strata/assets.db)')
    .option(
      '--config <file>',
      'asset config (YAML or JSON); default STRATA_* variables or strata-assets.yaml',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const repo = await api.openRepository(global().cwd);
      const progress = await createProgress('reading files');
      let report;
      try {
        report = await api.updateAssets(repo, {
          configPath: opts.config,
          cwd: global().cwd,
          onProgress: progress.update,
        });
      } finally {
        progress.stop();
        await repo.close();
      }
      const { files, assets: count, valid, invalid, errors } = report;
      if (opts.json) return printJson({ files, assets: count, valid, invalid, errors });
      say(
        `${files} files, ${count} assets: ${green(`${valid} valid`)}, ${(invalid ? red : green)(`${invalid} invalid`)}` +
          ` (${report.reread} read, ${report.removed} removed)`,
      );
      for (const e of errors.slice(0, 50)) say(`${red('error')} ${e.path}  ${e.message}`);
      if (errors.length > 50) say(yellow(`... and ${errors.length - 50} more (see --json or assets search)`));
    });

  assets
    .command('search <sql>')
    .description(
      'run one read-only SQL statement over the table `data` (one row per file, or per asset), within a time, row and byte limit',
    )
    .option('--group-by <what>', 'file (each file with its asset columns) or asset', 'file')
    .option(
      '--timeout <seconds>',
      'stop the search after this many seconds (default 10, or search.timeout_seconds)',
    )
    .option('--max-rows <n>', 'refuse a result of more rows (default 100000, or search.max_rows)')
    .option(
      '--max-bytes <n>',
      'refuse a result of more bytes (default 67108864 = 64 MiB, or search.max_bytes)',
    )
    .option('--config <file>', 'asset config whose `search` limits apply (default: as for update)')
    .option('--json', 'print as JSON')
    .action(async (sql: string, opts: SearchFlags) => {
      const pipeline = await loadPipeline();
      const { InvalidArgumentError, ASSET_STORE } = await import('../../api/index.js');
      if (opts.groupBy !== 'file' && opts.groupBy !== 'asset') {
        throw new InvalidArgumentError(`--group-by must be file or asset, not '${opts.groupBy}'`, {
          groupBy: opts.groupBy,
        });
      }
      const grouping = opts.groupBy;
      const number = (flag: string, value: string | undefined, whole: boolean): number | undefined => {
        if (value === undefined) return undefined;
        const n = Number(value);
        if (value.trim() === '' || !(n > 0) || !Number.isFinite(n) || (whole && !Number.isInteger(n)))
          throw new InvalidArgumentError(
            `${flag} must be a positive ${whole ? 'whole ' : ''}number, not '${value}'`,
            {
              [flag]: value,
            },
          );
        return n;
      };
      const rows = await withRepository(global(), (repo) =>
        pipeline.runSearch(repo.root, repo.ports.get(ASSET_STORE), sql, {
          grouping,
          timeoutSeconds: number('--timeout', opts.timeout, false),
          maxRows: number('--max-rows', opts.maxRows, true),
          maxBytes: number('--max-bytes', opts.maxBytes, true),
          configPath: opts.config,
          cwd: global().cwd,
        }),
      );
      if (opts.json) return printJson(rows);
      for (const row of rows) say(JSON.stringify(row));
      if (rows.length === 0) say('no rows');
    });

  assets
    .command('graph')
    .description('the tree of folders and assets with validity (valid, invalid, other)')
    .option('--format <format>', 'json or dot', 'json')
    .action(async (opts: { format: string }) => {
      const pipeline = await loadPipeline();
      const format = pipeline.checkGraphFormat(opts.format);
      const { ASSET_STORE } = await import('../../api/index.js');
      const tree = await withRepository(global(), (repo) => pipeline.runGraph(repo.ports.get(ASSET_STORE)));
      if (format === 'dot') process.stdout.write(pipeline.graphToDot(tree));
      else printJson(tree);
    });
}
