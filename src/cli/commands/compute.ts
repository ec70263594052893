import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { ComputedResource, ComputeFunction, ComputeProject } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, dim, green, printJson, red, say, yellow } from '../output.js';
import { createProgress } from '../progress.js';

type Api = typeof import('../../api/index.js');

/** Runs `work` with the compute project of the repository around the working folder. */
async function withCompute<T>(
  global: GlobalOptions,
  work: (project: ComputeProject, api: Api) => Promise<T>,
): Promise<T> {
  const api = await import('../../api/index.js');
  return withRepository(global, async (repo) => {
    const project = await api.openComputeProject(repo);
    try {
      return await work(project, api);
    } finally {
      await project.close();
    }
  });
}

function parseArgs(api: Api, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new api.InvalidArgumentError(`--args is not valid JSON: ${(err as Error).message}`, { args: text });
  }
}

/**
 * The one resource an (id, --args) pair names (see the library's `pickComputedResource`).
 */
async function pickResource(
  project: ComputeProject,
  api: Api,
  collection: string,
  id: string,
  argsText: string | undefined,
): Promise<ComputedResource> {
  return api.pickComputedResource(project, collection, id, { args: parseArgs(api, argsText) });
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function paintStatus(r: ComputedResource, width = 9): string {
  const text = r.stale ? 'stale' : r.status;
  const padded = text.padEnd(width);
  if (r.status === 'complete') return green(padded);
  if (r.status === 'error') return red(padded);
  return yellow(padded);
}

const argsLabel = (r: ComputedResource) =>
  JSON.stringify(r.args) === '{}' ? '' : dim(` ${JSON.stringify(r.args)}`);

export function registerComputeCommands(program: Command, global: () => GlobalOptions): void {
  const compute = program
    .command('compute')
    .description(
      'inspect and manage computed resources (compute once, remember status, result, log and error)',
    );

  compute
    .command('stats [collection]')
    .description('count resources per status, for one collection or all')
    .option('--json', 'print as JSON')
    .action(async (collection: string | undefined, opts: { json?: boolean }) => {
      await withCompute(global(), async (project) => {
        const stats = await project.stats(collection);
        if (opts.json) return printJson({ collections: stats });
        const names = Object.keys(stats);
        if (names.length === 0) return say('no computed resources yet');
        say(
          dim(
            `${'collection'.padEnd(24)} ${'total'.padStart(8)} ${'complete'.padStart(9)} ${'error'.padStart(7)} ${'pending'.padStart(8)} ${'stale'.padStart(6)}`,
          ),
        );
        for (const name of names) {
          const c = stats[name]!;
          say(
            `${cyan(name.padEnd(24))} ${String(c.total).padStart(8)} ${green(String(c.complete).padStart(9))} ` +
              `${(c.error ? red : dim)(String(c.error).padStart(7))} ${String(c.pending).padStart(8)} ${(c.stale ? yellow : dim)(String(c.stale).padStart(6))}`,
          );
        }
      });
    });

  compute
    .command('list <collection>')
    .description('list the resources of a collection, sorted by id')
    .option('-s, --status <status>', 'only this status: pending, complete or error')
    .option('--json', 'print as JSON')
    .action(async (collection: string, opts: { status?: string; json?: boolean }) => {
      await withCompute(global(), async (project, api) => {
        const { resources } = await api.listComputedResources(project, collection, { status: opts.status });
        const shown = resources.length;
        const rows: Record<string, unknown>[] = [];
        for (const r of resources) {
          if (opts.json) {
            const { result: _result, ...brief } = api.computedResourceJson(r, { withDir: true });
            rows.push(brief);
          } else
            say(
              `${paintStatus(r)} ${r.id}${argsLabel(r)} ${dim(`attempts ${r.attempts}, ${iso(r.endedAt ?? r.startedAt) ?? ''}`)}`,
            );
        }
        if (opts.json) printJson(rows);
        else if (shown === 0)
          say(`no resources in '${collection}'${opts.status ? ` with status ${opts.status}` : ''}`);
      });
    });

  compute
    .command('show <collection> <id>')
    .description('one resource: status, times, attempts, result or error, output folder')
    .option('--args <json>', 'its args, when the id was computed with several')
    .option('--json', 'print as JSON')
    .action(async (collection: string, id: string, opts: { args?: string; json?: boolean }) => {
      await withCompute(global(), async (project, api) => {
        const r = await pickResource(project, api, collection, id, opts.args);
        if (opts.json) return printJson(api.computedResourceJson(r, { withDir: true }));
        say(`${cyan(r.collection)} ${r.id}${argsLabel(r)}`);
        say(`status:       ${paintStatus(r, 0)}`);
        say(`args hash:    ${r.argsHash}`);
        say(`code version: ${r.codeVersion}`);
        say(`attempts:     ${r.attempts}`);
        say(`started:      ${iso(r.startedAt) ?? '-'}`);
        say(`ended:        ${iso(r.endedAt) ?? '-'}`);
        if (r.dir) say(`folder:       ${r.dir}`);
        if (r.status === 'complete') say(`result:       ${JSON.stringify(r.result)}`);
        if (r.error) say(`error:        ${red(`${r.error.name}: ${r.error.message}`)}`);
      });
    });

  compute
    .command('log <collection> <id>')
    .description("print a resource's log")
    .option('--args <json>', 'its args, when the id was computed with several')
    .action(async (collection: string, id: string, opts: { args?: string }) => {
      await withCompute(global(), async (project, api) => {
        const r = await pickResource(project, api, collection, id, opts.args);
        process.stdout.write(await project.fetchLog(collection, id, { args: r.args }));
      });
    });

  compute
    .command('error <collection> <id>')
    .description("print a resource's remembered error with its stack")
    .option('--args <json>', 'its args, when the id was computed with several')
    .option('--json', 'print as JSON')
    .action(async (collection: string, id: string, opts: { args?: string; json?: boolean }) => {
      await withCompute(global(), async (project, api) => {
        const r = await pickResource(project, api, collection, id, opts.args);
        if (!r.error) {
          throw new api.NotFoundError(`'${id}' in '${collection}' has no error (status: ${r.status})`, {
            what: 'error',
            collection,
            id,
            status: r.status,
          });
        }
        if (opts.json) printJson(r.error);
        else say(r.error.stack ?? `${r.error.name}: ${r.error.message}`);
      });
    });

  compute
    .command('clear <collection>')
    .description('forget the resources of a collection (or those of one status) and delete their folders')
    .option('-s, --status <status>', 'only this status: pending, complete or error')
    .option('--json', 'print as JSON')
    .action(async (collection: string, opts: { status?: string; json?: boolean }) => {
      await withCompute(global(), async (project) => {
        const removed = await project.clear(collection, { status: opts.status });
        if (opts.json) printJson({ removed });
        else say(`removed ${removed} resource${removed === 1 ? '' : 's'} from '${collection}'`);
      });
    });

  compute
    .command('run <collection> [ids...]')
    .description('compute (or fetch remembered) resources with a function exported by an ES module')
    .requiredOption('-m, --module <file>', 'the ES module that exports the function')
    .option('-e, --export <name>', 'the export holding the function (default: the collection name)')
    .option('--code-version <version>', 'the code version (changing it recomputes)', '0')
    .option('--args <json>', 'args for every id (default {})')
    .option('--ids-from <file>', 'read more ids from a file, one per line')
    .option('-t, --threads <n>', 'worker threads (default: one per CPU; 0 runs in this process)')
    .option('--recompute', 'compute again even if remembered')
    .option('--json', 'print as JSON')
    .action(
      async (
        collection: string,
        ids: string[],
        opts: {
          module: string;
          export?: string;
          codeVersion: string;
          args?: string;
          idsFrom?: string;
          threads?: string;
          recompute?: boolean;
          json?: boolean;
        },
      ) => {
        await withCompute(global(), async (project, api) => {
          const args = parseArgs(api, opts.args);
          const all = [...ids];
          if (opts.idsFrom) {
            const text = readFileSync(resolve(global().cwd, opts.idsFrom), 'utf8');
            all.push(...text.split(/\r?\n/).filter((line) => line !== ''));
          }
          const threads = opts.threads === undefined ? undefined : Number(opts.threads);
          const file = resolve(global().cwd, opts.module);
          const name = opts.export ?? collection;
          const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
          const fn = mod[name];
          if (typeof fn !== 'function')
            throw new api.InvalidArgumentError(`${opts.module} has no function export '${name}'`, {
              module: file,
              export: name,
            });
          const defined = project.collection(collection, fn as ComputeFunction<unknown, unknown>, {
            module: file,
            export: name,
            codeVersion: opts.codeVersion,
          });
          const progress = await createProgress('computing');
          const started = Date.now();
          let results: ComputedResource[];
          try {
            results = await project.fetchMany(
              defined,
              all.map((id) => ({ id, args })),
              { threads, recompute: opts.recompute, onProgress: progress.update },
            );
          } finally {
            progress.stop();
          }
          const count = (status: string) => results.filter((r) => r.status === status).length;
          const summary = {
            total: results.length,
            complete: count('complete'),
            error: count('error'),
            seconds: (Date.now() - started) / 1000,
          };
          // Like make: the run reports every result, and exits 1 when any resource failed.
          if (summary.error > 0) process.exitCode = 1;
          if (opts.json) return printJson(summary);
          for (const r of results)
            if (r.status === 'error') say(`${red('error')} ${r.id}: ${r.error?.message}`);
          say(
            `${summary.total} resources in '${collection}': ${green(`${summary.complete} complete`)}, ${summary.error ? red(`${summary.error} error`) : '0 error'} (${summary.seconds.toFixed(2)} s)`,
          );
        });
      },
    );
}
