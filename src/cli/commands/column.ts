import type { Command } from 'commander';
import type { Checkout, ColumnSchema, Repository } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, dim, green, printJson, red, say, short, yellow } from '../output.js';
import { createProgress } from '../progress.js';
import { recoveryAction, resolveFromCli } from './recover.js';
import { groupColumnChanges, type ColumnChangeGroup } from './column-changes.js';
import { registerColumnCutoutCommand } from './column-cutout.js';

const columnJson = (schema: ColumnSchema, count: number) => ({
  name: schema.name,
  kind: schema.kind,
  ...(schema.dtype ? { dtype: schema.dtype } : {}),
  ...(schema.shape ? { shape: schema.shape } : {}),
  variable: schema.variable,
  layout: schema.layout,
  count,
});

/** Opens a writer on the current branch, runs `work`, and always closes it (staging its writes). */
async function withWriter<T>(
  repo: Repository,
  work: (checkout: Checkout) => Promise<T>,
  options: { dropStaged?: boolean } = {},
): Promise<T> {
  const api = await import('../../api/index.js');
  const checkout = await api.openCheckout(repo, { write: true, ...options });
  try {
    return await work(checkout);
  } finally {
    await checkout.close();
  }
}

/** A reader of a revision, or of HEAD with the staged changes when none is given. */
async function withReader<T>(
  repo: Repository,
  revision: string | undefined,
  work: (checkout: Checkout) => Promise<T>,
): Promise<T> {
  const api = await import('../../api/index.js');
  const checkout = await api.openCheckout(repo, revision ? { revision } : { staged: true });
  try {
    return await work(checkout);
  } finally {
    await checkout.close();
  }
}

function describeSample(sample: unknown): string {
  if (typeof sample === 'string') return JSON.stringify(sample);
  if (sample instanceof Uint8Array) return `${sample.byteLength} bytes`;
  const nd = sample as { dtype: string; shape: number[]; data: ArrayLike<number | bigint> };
  const head = Array.from({ length: Math.min(8, nd.data.length) }, (_, i) => String(nd.data[i]));
  return `${nd.dtype}[${nd.shape.join(', ')}] ${head.join(' ')}${nd.data.length > 8 ? ' …' : ''}`;
}

/**
 * A test hook for crash tests: with STRATA_TEST_SIGNAL_AFTER_BATCHES=N, the import writes
 * `strata-test-signal: N batches` to stderr after its N-th batch and then waits (for the test's
 * SIGKILL), so the kill lands in the middle of the import however busy the machine is.
 */
function testSignalAfterBatches(): ((batches: number) => Promise<void>) | undefined {
  const after = Number(process.env.STRATA_TEST_SIGNAL_AFTER_BATCHES);
  if (!Number.isSafeInteger(after) || after < 1) return undefined;
  return async (batches) => {
    if (batches !== after) return;
    process.stderr.write(`strata-test-signal: ${batches} batches\n`);
    await new Promise(() => setInterval(() => undefined, 1 << 30));
  };
}

export function registerColumnCommands(program: Command, global: () => GlobalOptions): void {
  const column = program
    .command('column')
    .description(
      'tensor columns: typed samples versioned with the repository (staged until `strata commit`)',
    );

  column
    .command('create <name>')
    .description('create an empty column (staged); its schema is fixed from now on')
    .option('--kind <kind>', 'ndarray, bytes or str', 'ndarray')
    .option('--dtype <dtype>', 'bool, int8..int64, uint8..uint64, float16, float32, float64')
    .option('--shape <dims>', 'every sample\'s shape, e.g. 28,28 (or "" for scalars)')
    .option('--variable', 'samples may be smaller than --max-shape (same rank)')
    .option('--max-shape <dims>', 'the largest shape of a variable column')
    .option('--layout <layout>', 'flat (key -> sample) or nested (key -> subkey -> sample)', 'flat')
    .option('--compression <codec>', 'none, lz4 or zstd', 'lz4')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: Record<string, string | boolean | undefined>) => {
      const api = await import('../../api/index.js');
      const shapeText = (opts.maxShape ?? opts.shape) as string | undefined;
      await withRepository(global(), (repo) =>
        withWriter(repo, async (checkout) => {
          const col = await checkout.createColumn({
            name,
            kind: opts.kind as 'ndarray',
            dtype: opts.dtype as string | undefined,
            shape: shapeText !== undefined ? api.parseShape(shapeText) : undefined,
            variable: Boolean(opts.variable || opts.maxShape),
            layout: opts.layout as 'flat',
            compression: opts.compression as string,
          });
          if (opts.json) printJson(columnJson(col.schema, 0));
          else say(`created column ${bold(name)} ${dim('(staged: strata commit records it)')}`);
        }),
      );
    });

  registerColumnCutoutCommand(column, global);

  column
    .command('list')
    .description('the columns at a revision (default: HEAD with staged changes)')
    .option('-r, --rev <revision>', 'a branch, tag or commit')
    .option('--json', 'print as JSON')
    .action(async (opts: { rev?: string; json?: boolean }) => {
      await withRepository(global(), (repo) =>
        withReader(repo, opts.rev, async (checkout) => {
          const rows = checkout.columnNames().map((n) => {
            const c = checkout.column(n);
            return columnJson(c.schema, c.record.count);
          });
          if (opts.json) return printJson(rows);
          if (rows.length === 0) return say('no columns');
          for (const r of rows)
            say(
              `${bold(r.name)}  ${r.kind}${r.dtype ? ` ${r.dtype}` : ''}${r.shape ? ` [${r.shape.join(', ')}]` : ''}${r.variable && r.kind === 'ndarray' ? ' variable' : ''}  ${r.layout}  ${r.count} samples`,
            );
        }),
      );
    });

  column
    .command('show <name> [key]')
    .description("a column's schema and count, or one sample (nested columns: KEY/SUBKEY)")
    .option('-r, --rev <revision>', 'a branch, tag or commit')
    .option('--json', 'print as JSON')
    .action(async (name: string, key: string | undefined, opts: { rev?: string; json?: boolean }) => {
      await withRepository(global(), (repo) =>
        withReader(repo, opts.rev, async (checkout) => {
          const col = checkout.column(name);
          if (key === undefined) {
            const info = { ...columnJson(col.schema, col.record.count), compression: col.schema.compression };
            if (opts.json) return printJson(info);
            return say(JSON.stringify(info, null, 2));
          }
          const api = await import('../../api/index.js');
          const sample = await col.get(api.parseColumnKey(key, col.schema.layout));
          if (sample === undefined) {
            throw new api.NotFoundError(`column '${name}' has no key ${key}`, { column: name, key });
          }
          if (!opts.json) return say(describeSample(sample));
          if (typeof sample === 'string') return printJson({ key, value: sample });
          if (sample instanceof Uint8Array)
            return printJson({ key, bytes: Buffer.from(sample).toString('base64') });
          return printJson({
            key,
            dtype: sample.dtype,
            shape: sample.shape,
            data: Array.from(sample.data as ArrayLike<number | bigint>, (v) =>
              typeof v === 'bigint' ? v.toString() : v,
            ),
          });
        }),
      );
    });

  column
    .command('rm <name>')
    .description('remove a column (staged)')
    .action(async (name: string) => {
      await withRepository(global(), (repo) =>
        withWriter(repo, async (checkout) => {
          await checkout.removeColumn(name);
          say(`removed column ${bold(name)} ${dim('(staged)')}`);
        }),
      );
    });

  column
    .command('import <name> <path>')
    .description(
      'add the samples of a .npy, .npz, IDX or CSV file or a folder of images, keyed start, start+1, ...',
    )
    .option('--create', "create the column from the file's dtype and sample shape")
    .option('--start <key>', 'the first key', (v) => Number(v), 0)
    .option('--json', 'print as JSON')
    .action(async (name: string, path: string, opts: { create?: boolean; start: number; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const { resolve } = await import('node:path');
      const file = resolve(global().cwd, path);
      await withRepository(global(), (repo) =>
        withWriter(repo, async (checkout) => {
          const progress = await createProgress('importing');
          const result = await api
            .importIntoColumn(checkout, name, file, {
              create: opts.create,
              start: opts.start,
              onProgress: progress.update,
              onBatch: testSignalAfterBatches(),
            })
            .finally(() => progress.stop());
          if (opts.json) return printJson(result);
          say(
            `${green('imported')} ${result.samples} samples into ${bold(name)} (keys ${result.firstKey}..${result.firstKey + result.samples - 1})${result.created ? ', column created' : ''} ${dim('(staged)')}`,
          );
        }),
      );
    });

  column
    .command('export <name> <path>')
    .description('write a column in key order to .npy, .npz, IDX, .csv, or a folder of PNG images')
    .option('-r, --rev <revision>', 'a branch, tag or commit')
    .option('--json', 'print as JSON')
    .action(async (name: string, path: string, opts: { rev?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      const { resolve } = await import('node:path');
      await withRepository(global(), (repo) =>
        withReader(repo, opts.rev, async (checkout) => {
          const result = await api.exportColumn(checkout, name, resolve(global().cwd, path));
          if (opts.json) return printJson(result);
          say(`${green('exported')} ${result.samples} samples of ${bold(name)} to ${result.path}`);
        }),
      );
    });

  column
    .command('status')
    .description('staged column changes on the current branch, per column and key')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        if (opts.json) return printJson(await api.diffColumnRevisions(repo, 'HEAD'));
        // One pass over the changes as they are found: only the few printed are kept.
        const groups = new Map<string, ColumnChangeGroup>();
        for await (const batch of api.iterateColumnRevisionChanges(repo, 'HEAD'))
          groupColumnChanges(batch, groups);
        printColumnGroups([...groups.values()]);
      });
    });

  column
    .command('reset')
    .description('drop the staged column changes of the current branch')
    .action(async () => {
      await withRepository(global(), (repo) =>
        withWriter(
          repo,
          async (checkout) => {
            await checkout.reset();
            say('staged column changes dropped');
          },
          // Dropped before they are read: reset works whatever the staging holds.
          { dropStaged: true },
        ),
      );
    });

  program
    .command('summary')
    .description(
      'the commit described (id, author, time, message) and every column: dtype, shape, layout, samples, raw and stored bytes; repository disk usage',
    )
    .option('-r, --rev <revision>', 'a branch, tag or commit')
    .option('--json', 'print as JSON')
    .action(async (opts: { rev?: string; json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), (repo) =>
        withReader(repo, opts.rev, async (checkout) => {
          const columns = await api.summarizeColumns(checkout);
          const disk = api.repositoryDiskUsage(repo);
          // The commit it describes, as Hangar's summary shows it: id, author, time, message.
          const made = checkout.commit ? await api.readCommit(repo, checkout.commit) : undefined;
          const about = made
            ? {
                author: made.author,
                ...(made.authorEmail ? { authorEmail: made.authorEmail } : {}),
                time: made.time,
                message: made.message,
              }
            : {};
          if (opts.json) return printJson({ commit: checkout.commit, ...about, columns, diskBytes: disk });
          say(`${bold('commit')} ${short(checkout.commit)}${checkout.branch ? ` (${checkout.branch})` : ''}`);
          if (made) {
            say(`${bold('author')} ${made.author}${made.authorEmail ? ` <${made.authorEmail}>` : ''}`);
            say(`${bold('time')}   ${made.time}`);
            say(`${bold('message')} ${made.message}`);
          }
          for (const c of columns)
            say(
              `  ${bold(c.name)}  ${c.kind}${c.dtype ? ` ${c.dtype}` : ''}${c.shape ? ` [${c.shape.join(', ')}]` : ''}  ${c.layout}  ${c.count} samples  ${mb(c.rawBytes)} raw, ${mb(c.storedBytes)} stored (${c.compression})`,
            );
          say(`${bold('disk')} ${mb(disk)} in .strata`);
        }),
      );
    });

  program
    .command('merge [revision]')
    .description('merge a branch into the current one: fast-forward, or 3-way at sample and file level')
    .option('--strategy <side>', 'resolve every conflict to ours or theirs')
    .option('-m, --message <text>', "the merge commit's message")
    .option('--continue', 'finish an interrupted merge (writes the rest of the files, then the merge commit)')
    .option('--abort', 'undo an interrupted merge')
    .option('--json', 'print as JSON')
    .action(async (revisionArg: string | undefined, opts: MergeCliOptions) => {
      const api = await import('../../api/index.js');
      const action = await recoveryAction(opts);
      if (action) return withRepository(global(), (repo) => resolveFromCli(repo, 'merge', action, opts.json));
      if (revisionArg === undefined)
        throw new api.InvalidArgumentError('merge needs a revision (or --continue / --abort)', {});
      const revision = revisionArg;
      const strategy = api.checkMergeStrategy(opts.strategy, '--strategy');
      await withRepository(global(), async (repo) => {
        const result = await api.mergeRevision(repo, revision, {
          strategy,
          message: opts.message,
        });
        if (result.result === 'conflict') process.exitCode = 1;
        if (opts.json) return printJson(result);
        if (result.result === 'conflict') {
          say(red(`merge of '${revision}' refused: ${result.conflicts.length} conflicts`));
          for (const c of result.conflicts)
            say(
              `  ${'column' in c ? `${c.column} ${JSON.stringify(c.key)}` : `${c.resource}/${c.path ?? ''}`}  ${c.kind}`,
            );
          say(dim('resolve with --strategy ours|theirs, or change one side and merge again'));
          return;
        }
        say(
          `${green(result.result)} ${short(result.commit ?? null)}${result.conflicts.length > 0 ? ` (${result.conflicts.length} conflicts resolved to ${opts.strategy})` : ''}`,
        );
      });
    });
}

interface MergeCliOptions {
  strategy?: string;
  message?: string;
  continue?: boolean;
  abort?: boolean;
  json?: boolean;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Column changes, one line each (many changes to one column are summarised after 20). */
export function printColumnChanges(
  changes: readonly { column: string; key: unknown; change: string }[],
): void {
  printColumnGroups(groupColumnChanges(changes));
}

function printColumnGroups(groups: readonly ColumnChangeGroup[]): void {
  if (groups.length === 0) return say('no column changes');
  for (const group of groups) {
    say(`${bold(group.column)}: ${group.count} samples changed`);
    for (const c of group.shown) {
      const color = c.change === 'added' ? green : c.change === 'deleted' ? red : yellow;
      say(`  ${color(c.change.padEnd(8))} ${JSON.stringify(c.key)}`);
    }
    if (group.count > group.shown.length) say(dim(`  … and ${group.count - group.shown.length} more`));
  }
}
