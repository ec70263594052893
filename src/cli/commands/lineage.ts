import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { LineageState, PinnedRef, Repository, StepRecord } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, dim, green, printJson, red, say, yellow } from '../output.js';

type Api = typeof import('../../api/index.js');

/** The current lineage, or the one saved with a snapshot. */
async function loadLineage(api: Api, repo: Repository, snapshot: string | undefined): Promise<LineageState> {
  return snapshot === undefined ? api.readCurrentLineage(repo) : api.readSnapshotLineage(repo, snapshot);
}

function refJson(ref: PinnedRef): Record<string, unknown> {
  return { resource: ref.resource, ...(ref.path ? { path: ref.path } : {}), hash: ref.hash };
}

/** The `lineage show --json` shape of a step (snake_case, as every JSON output). */
export function stepJson(step: StepRecord): Record<string, unknown> {
  return {
    name: step.name,
    parameters: step.parameters,
    inputs: step.inputs.map(refJson),
    outputs: step.outputs.map(refJson),
    status: step.status,
    code: step.code.map(refJson),
    start_time: step.startTime,
    duration_seconds: step.durationSeconds,
    ...(step.description !== undefined ? { description: step.description } : {}),
    ...(step.command ? { command: step.command } : {}),
    ...(step.origin ? { origin: step.origin } : {}),
    ...(step.error !== undefined ? { error: step.error } : {}),
  };
}

const refText = (ref: PinnedRef) =>
  `${ref.path ? `${ref.resource}/${ref.path}` : ref.resource}@${ref.hash ? ref.hash.slice(0, 8) : 'unknown'}`;

const paintStatus = (status: string, text: string) =>
  status === 'complete' ? green(text) : status === 'failed' ? red(text) : yellow(text);

/** The lineage as a table: one row per step (also `report lineage`). */
export function printLineageTable(state: LineageState): void {
  if (state.steps.length === 0) {
    say('no lineage recorded; record a step with `strata run` or the createStep API');
    return;
  }
  const rows = state.steps.map((s) => ({
    step: s.name,
    status: s.status,
    params: JSON.stringify(s.parameters),
    inputs: [...s.inputs, ...s.code].map(refText).join(', ') || '-',
    outputs: s.outputs.map(refText).join(', ') || '-',
  }));
  const w = (key: 'step' | 'status' | 'params', label: string) =>
    Math.max(label.length, ...rows.map((r) => r[key].length));
  const [ws, wt, wp] = [w('step', 'step'), w('status', 'status'), w('params', 'parameters')];
  say(dim(`${'step'.padEnd(ws)}  ${'status'.padEnd(wt)}  ${'parameters'.padEnd(wp)}  inputs -> outputs`));
  for (const r of rows) {
    say(
      `${cyan(r.step.padEnd(ws))}  ${paintStatus(r.status, r.status.padEnd(wt))}  ${r.params.padEnd(wp)}  ${r.inputs} ${dim('->')} ${r.outputs}`,
    );
  }
}

/** `strata lineage show|graph|export|import|forget`. */
export function registerLineageCommands(program: Command, global: () => GlobalOptions): void {
  const lineage = program
    .command('lineage')
    .description(
      'show, draw, export and import the lineage of steps (what read what, with which parameters)',
    );

  lineage
    .command('show')
    .description('list the steps of the current lineage, or of a snapshot')
    .option(
      '-s, --snapshot <ref>',
      'the lineage saved with this snapshot (branch, tag or id) instead of the current one',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { snapshot?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const state = await loadLineage(api, repo, opts.snapshot);
        if (opts.json) printJson({ steps: state.steps.map(stepJson) });
        else printLineageTable(state);
      });
    });

  lineage
    .command('graph')
    .description('draw the lineage as Graphviz dot or as a self-contained HTML page (no network needed)')
    .option('-f, --format <format>', 'dot or html', 'dot')
    .option('-s, --snapshot <ref>', 'the lineage saved with this snapshot instead of the current one')
    .option('-r, --resource <name>', 'only the steps that led to this resource')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--width <pixels>', 'width to draw the graph at (scaled to fit)')
    .option('--height <pixels>', 'height to draw the graph at (scaled to fit)')
    .action(async (opts: GraphOptions) => {
      const api = await import('../../api/index.js');
      const size = {
        width: pixels(api, '--width', opts.width),
        height: pixels(api, '--height', opts.height),
      };
      if (opts.format !== 'dot' && opts.format !== 'html') {
        throw new api.InvalidArgumentError(`unknown graph format '${opts.format}'; expected dot or html`, {
          format: opts.format,
        });
      }
      await withRepository(global(), async (repo) => {
        const state = await loadLineage(api, repo, opts.snapshot);
        const graph = api.buildLineageGraph(state, { resource: opts.resource });
        const title = `Lineage${opts.resource ? ` of ${opts.resource}` : ''}${opts.snapshot ? ` at ${opts.snapshot}` : ''}`;
        const text = opts.format === 'dot' ? api.renderDot(graph, size) : api.renderHtml(graph, title, size);
        if (opts.output === undefined) return process.stdout.write(text);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(resolve(global().cwd, opts.output), text);
        say(`Wrote ${opts.format} graph of ${graph.steps.length} step(s) to ${opts.output}`);
      });
    });

  lineage
    .command('export <resource>')
    .description('write the lineage that produced a resource, for another repository to import')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('-s, --snapshot <ref>', 'export the lineage saved with this snapshot')
    .option('--origin <name>', "this repository's name in the importer's lineage (default: its folder name)")
    .action(async (resource: string, opts: { output?: string; snapshot?: string; origin?: string }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const lineageState =
          opts.snapshot === undefined ? undefined : await loadLineage(api, repo, opts.snapshot);
        const data = await api.exportLineage(repo, { resource, origin: opts.origin, lineage: lineageState });
        const text = JSON.stringify(data, null, 2) + '\n';
        if (opts.output === undefined) return process.stdout.write(text);
        const { writeFileSync } = await import('node:fs');
        writeFileSync(resolve(global().cwd, opts.output), text);
        say(`Exported ${data.steps.length} step(s) of ${resource} to ${opts.output}`);
      });
    });

  lineage
    .command('import <file>')
    .description('record the lineage exported with a resource from another repository as imported steps')
    .option('-r, --resource <name>', 'the local resource holding the exported data (default: the same name)')
    .option('--origin <name>', 'name the other repository (default: the name in the file)')
    .option('--json', 'print as JSON')
    .action(async (file: string, opts: { resource?: string; origin?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const path = resolve(global().cwd, file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new api.NotFoundError(`cannot read lineage export '${file}'`, { what: 'file', path: file });
      }
      const data = api.parseLineageExport(text, file);
      await withRepository(global(), async (repo) => {
        const r = await api.importLineage(repo, data, { resource: opts.resource, origin: opts.origin });
        if (opts.json) return printJson({ resource: r.resource, steps: r.steps, matches: r.matches });
        say(`Imported ${r.steps.length} step(s) for resource ${green(r.resource)}`);
        if (!r.matches) say(yellow(`warning: ${r.resource} differs from the exported content`));
      });
    });

  lineage
    .command('forget <step>')
    .description('remove a step from the current lineage (e.g. one that was renamed)')
    .action(async (step: string) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        if (!(await api.forgetStep(repo, step))) {
          throw new api.NotFoundError(`no step named '${step}' in the current lineage`, {
            what: 'step',
            name: step,
          });
        }
        say(`Forgot step ${step}`);
      });
    });
}

interface GraphOptions {
  format: string;
  snapshot?: string;
  resource?: string;
  output?: string;
  width?: string;
  height?: string;
}

/** A size in pixels given on the command line: a whole number from 50 to 20000. */
function pixels(api: Api, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 50 || n > 20_000) {
    throw new api.InvalidArgumentError(
      `${flag} is a whole number of pixels from 50 to 20000, not '${value}'`,
      {
        flag,
        value,
      },
    );
  }
  return n;
}
