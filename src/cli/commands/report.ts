import type { Command } from 'commander';
import type { HistoryReport, MetricValue } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, cyan, dim, green, printJson, red, say, short, yellow } from '../output.js';

const list = (v: string, previous: string[] = []) => [...previous, ...v.split(',').filter((x) => x !== '')];

function formatValue(v: MetricValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  const text = String(v);
  return text.length > 24 ? text.slice(0, 23) + '…' : text;
}

const MARKS = { better: green('▲'), worse: red('▼'), same: dim('='), changed: yellow('≠') } as const;

/**
 * The history as a table: one column per metric, marks against the baseline; with `branches`, a
 * column naming the branches that reach each snapshot. A snapshot without results of its own (a
 * merge, a column commit) has empty metric cells.
 */
function printHistory(report: HistoryReport, options: { branches?: boolean } = {}): void {
  if (report.rows.length === 0) return say('no snapshots yet');
  const cells = report.rows.map((r) => [
    short(r.id).slice(0, 8),
    ...(options.branches ? [r.branches.join(',')] : []),
    r.tags.join(','),
    r.time.slice(0, 19),
    ...report.columns.map((c) => {
      const mark = r.compared?.[c];
      return formatValue(r.metrics[c]) + (mark && r.id !== report.baseline ? ` ${MARKS[mark]}` : '');
    }),
    r.message.split('\n')[0]!,
  ]);
  const head = [
    'id',
    ...(options.branches ? ['branches'] : []),
    'tags',
    'time',
    ...report.columns,
    'message',
  ];
  // Widths count visible characters: color codes do not take room.
  const visible = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = head.map((h, i) => Math.max(visible(h), ...cells.map((row) => visible(row[i]!))));
  const pad = (s: string, i: number) => s + ' '.repeat(widths[i]! - visible(s));
  say(bold(head.map(pad).join('  ')));
  for (const row of cells) say(row.map(pad).join('  '));
  if (report.baseline)
    say(
      dim(
        `marks against ${short(report.baseline)}: ▲ better, ▼ worse, = same, ≠ changed (direction unknown)`,
      ),
    );
}

export function registerReportCommands(program: Command, global: () => GlobalOptions): void {
  const report = program
    .command('report')
    .description('reports on the workspace: status, history, results, lineage');

  report
    .command('status')
    .description('the workspace now: resources with type and changes, new results and their metrics')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const s = await api.workspaceStatus(repo);
        if (opts.json) return printJson(s);
        say(
          s.branch ? `On branch ${bold(s.branch)} at ${short(s.head)}` : `HEAD detached at ${short(s.head)}`,
        );
        if (s.recovery === 'rolled-back')
          say(yellow('moved back the results of a snapshot that did not finish'));
        for (const r of s.resources) {
          const git = (r as { git?: { commit: string | null; dirty: boolean } }).git;
          say(
            `  ${green(r.name.padEnd(20))} ${cyan(r.role.padEnd(18))} ${r.type.padEnd(6)} ${r.changes} changes` +
              (r.readOnly ? dim(' read-only') : '') +
              (git ? ` git ${short(git.commit)}${git.dirty ? red(' dirty') : ''}` : '') +
              (s.newResults[r.name] ? ` ${yellow(`${s.newResults[r.name]} new results`)}` : ''),
          );
        }
        const metrics = Object.entries(s.pendingMetrics);
        if (metrics.length > 0)
          say(
            `metrics of the next snapshot: ${metrics.map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}`,
          );
      });
    });

  report
    .command('history [revision]')
    .description(
      'snapshots newest first (from HEAD, REVISION, or with --all every branch), one column per metric; ' +
        'a snapshot shows only the metrics of its own new results (a merge or a snapshot without new results shows none)',
    )
    .option('-a, --all', 'every branch and tag, newest first; each row names the branches that reach it')
    .option('-b, --baseline <revision>', 'mark each metric better / same / worse than this snapshot')
    .option('--maximize <metrics>', 'metrics where higher is better (comma-separated)', list)
    .option('--minimize <metrics>', 'metrics where lower is better (comma-separated)', list)
    .option('-n, --limit <count>', 'show at most this many snapshots', (v) => Number.parseInt(v, 10))
    .option('--json', 'print as JSON')
    .action(
      async (
        revision: string | undefined,
        opts: {
          all?: boolean;
          baseline?: string;
          maximize?: string[];
          minimize?: string[];
          limit?: number;
          json?: boolean;
        },
      ) => {
        const api = await import('../../api/index.js');
        await withRepository(global(), async (repo) => {
          if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0))
            throw new api.InvalidArgumentError('--limit needs a whole number ≥ 0', { limit: opts.limit });
          const r = await api.historyReport(repo, { ...opts, revision });
          if (!opts.json) return printHistory(r, { branches: opts.all });
          printJson(
            r.rows.map((row) => ({
              id: row.id,
              tags: row.tags,
              time: row.time,
              message: row.message,
              metrics: row.metrics,
              branches: row.branches,
              ...(row.compared ? { compared: row.compared } : {}),
            })),
          );
        });
      },
    );

  report
    .command('results [revision]')
    .description(
      'what a snapshot (default HEAD) filed away: its results folder, files, metrics, parameters and other properties',
    )
    .option('--resource <name>', 'only this results resource')
    .option('--json', 'print as JSON')
    .action(async (revision: string | undefined, opts: { json?: boolean; resource?: string }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.resultsReport(repo, revision, { resource: opts.resource });
        if (opts.json) return printJson(r);
        say(
          `snapshot ${short(r.id)}: ${r.folder ? `results in ${cyan(r.folder + '/')}` : 'no results filed'}`,
        );
        const section = (title: string, values: Readonly<Record<string, unknown>>) => {
          if (Object.keys(values).length === 0) return;
          say(bold(title));
          for (const [k, v] of Object.entries(values))
            say(`  ${k.padEnd(24)} ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
        };
        section('metrics', r.metrics);
        section('parameters', r.parameters);
        section('properties', r.properties);
        for (const f of r.files) say(dim(`  ${f}`));
      });
    });

  report
    .command('lineage [revision]')
    .description('the lineage a snapshot (default HEAD) stored, as recorded')
    .option('--json', 'print as JSON')
    .action(async (revision: string | undefined, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.lineageReport(repo, revision);
        if (opts.json) return printJson(r);
        if (r.lineage === undefined) return say(`snapshot ${short(r.id)} stored no lineage`);
        say(`lineage stored with snapshot ${short(r.id)} (${r.message.split('\n')[0]}):`);
        const { printLineageTable } = await import('./lineage.js');
        printLineageTable(await api.readSnapshotLineage(repo, r.id));
      });
    });
}
