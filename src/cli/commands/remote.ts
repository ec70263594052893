import type { Command } from 'commander';
import type { FetchResult, PartialClone, RefUpdate, Repository, TransferProgress } from '../../api/index.js';
import { withRepository, type GlobalOptions } from '../context.js';
import { bold, printJson, red, say, short, yellow } from '../output.js';
import { createProgress } from '../progress.js';

/** A progress bar (on a terminal only) of objects landed, with the bytes and the rate so far. */
async function transferProgress(label: string) {
  const progress = await createProgress(label);
  const started = Date.now();
  return {
    update: (p: TransferProgress) => {
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      progress.update(
        p.objects,
        p.totalObjects,
        `objects | ${formatBytes(p.bytes)} | ${formatBytes(p.bytes / seconds)}/s`,
      );
    },
    stop: () => progress.stop(),
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function printUpdates(updates: readonly RefUpdate[]): void {
  for (const u of updates)
    say(`  ${u.old ? `${short(u.old)}..${short(u.new)}` : `* ${short(u.new)} (new)`}  ${u.ref}`);
}

function transferLine(verb: string, r: { objects: number; bytes: number; packs: number }): string {
  return `${verb} ${r.objects} objects (${formatBytes(r.bytes)}) in ${r.packs} pack(s)`;
}

/** What a partial clone left out, in one line. */
function partialLine(p: PartialClone): string {
  const contents = !p.data
    ? 'no contents'
    : p.only
      ? `contents of ${p.only.join(', ')} only`
      : p.skip
        ? `contents of all but ${p.skip.join(', ')}`
        : 'all contents';
  const depth = p.depth !== undefined ? `, last ${p.depth} commit(s) per branch` : '';
  const folders = p.unpopulated?.length ? `; not checked out: ${p.unpopulated.join(', ')}` : '';
  return yellow(
    `Partial clone (${contents}${depth}): the rest is fetched from ${p.remote} when read${folders}`,
  );
}

function fetchJson(f: FetchResult) {
  return {
    remote: f.remote,
    url: f.url,
    head: f.head,
    updated: f.updated,
    tags_kept: f.tagsKept,
    objects: f.objects,
    bytes: f.bytes,
    packs: f.packs,
  };
}

/** The token for `login`: one line on stdin, or typed on a terminal without echo. */
async function readToken(url: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const { createInterface } = await import('node:readline');
  process.stderr.write(`Token for ${url}: `);
  const rl = createInterface({ input: process.stdin, terminal: true });
  // No echo: the secret must not stay on screen or in a terminal's scrollback.
  (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => {};
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  process.stderr.write('\n');
  return line;
}

type Api = typeof import('../../api/index.js');

/** `--keys A:B`: both ends, inclusive. */
function parseKeyRange(api: Api, text: string): { from: string; to: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1)
    throw new api.InvalidArgumentError(`--keys takes A:B (first and last key), not '${text}'`, {
      keys: text,
    });
  return { from: text.slice(0, colon), to: text.slice(colon + 1) };
}

async function fetchRefs(api: Api, repo: Repository, name: string, json: boolean): Promise<void> {
  const progress = await transferProgress('receiving');
  const f = await api.fetchRemote(repo, name, { onProgress: progress.update }).finally(() => progress.stop());
  if (json) return printJson(fetchJson(f));
  say(`From ${f.url}`);
  if (f.updated.length === 0) say('Already up to date');
  else {
    say(transferLine('Received', f));
    printUpdates(f.updated);
  }
  for (const tag of f.tagsKept) say(yellow(`  tag ${tag} differs on the remote; kept the local one`));
}

export function registerRemoteCommands(program: Command, global: () => GlobalOptions): void {
  const remote = program
    .command('remote')
    .description(
      'manage remotes: other repositories to fetch from and push to (a path or file://, s3://BUCKET/PREFIX, ' +
        'or a Strata server http(s)://HOST:PORT/)',
    );
  remote
    .command('add <name> <url>')
    .description(
      'add a remote: a path to another Strata repository (or file://), s3://BUCKET/PREFIX (a bare remote; ' +
        'credentials from AWS_* variables, never stored) or http(s)://HOST:PORT/ (strata serve; token from ' +
        "STRATA_TOKEN or 'strata login URL')",
    )
    .option(
      '--s3-endpoint <url>',
      'the S3-compatible endpoint of an s3:// remote (default STRATA_S3_ENDPOINT, then AWS S3)',
    )
    .option('--json', 'print as JSON')
    .action(async (name: string, url: string, opts: { json?: boolean; s3Endpoint?: string }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const added = await api.addRemote(repo, name, url, {
          cwd: global().cwd,
          ...(opts.s3Endpoint === undefined ? {} : { s3Endpoint: opts.s3Endpoint }),
        });
        if (opts.json) printJson(added);
        else say(`Added remote ${bold(added.name)} ${added.url}`);
      });
    });
  remote
    .command('list')
    .description('list remotes')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const remotes = await api.listRemotes(repo);
        if (opts.json) return printJson(remotes);
        for (const r of remotes) say(`${r.name}  ${r.url}`);
        if (remotes.length === 0) say("no remotes (add one with 'strata remote add origin URL')");
      });
    });
  remote
    .command('rm <name>')
    .description('remove a remote and the branches fetched from it')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const removed = await api.removeRemote(repo, name);
        if (opts.json) printJson({ removed: removed.name, url: removed.url });
        else say(`Removed remote ${removed.name} (${removed.url})`);
      });
    });

  program
    .command('clone <url> [dir]')
    .description('copy a repository: every branch fetched as origin/<branch>, one checked out in DIR')
    .option('-b, --branch <branch>', "the branch to check out (default: the remote's)")
    .option(
      '--s3-endpoint <url>',
      'the S3-compatible endpoint of an s3:// URL (default STRATA_S3_ENDPOINT, then AWS S3)',
    )
    .option(
      '--no-data',
      'clone commits and trees but no file contents, chunks or column data: folders stay unpopulated, ' +
        'and what a command reads is fetched on demand',
    )
    .option('--only <resources>', 'clone the contents of these resources only (r1,r2); others on demand')
    .option('--skip <resources>', 'leave out the contents of these resources (r1,r2); fetched on demand')
    .option('--depth <n>', 'only the last N commits of each branch; older history is absent by design')
    .option('--json', 'print as JSON')
    .action(
      async (
        url: string,
        dir: string | undefined,
        opts: {
          branch?: string;
          json?: boolean;
          s3Endpoint?: string;
          data?: boolean;
          only?: string;
          skip?: string;
          depth?: string;
        },
      ) => {
        const api = await import('../../api/index.js');
        const list = (text: string | undefined) =>
          text === undefined
            ? undefined
            : text
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== '');
        const partial = {
          ...(opts.data === false ? { data: false } : {}),
          ...(opts.only !== undefined ? { only: list(opts.only) } : {}),
          ...(opts.skip !== undefined ? { skip: list(opts.skip) } : {}),
          ...(opts.depth !== undefined ? { depth: Number(opts.depth) } : {}),
        };
        const progress = await transferProgress('receiving');
        const r = await api
          .cloneRepository(url, dir, {
            ...partial,
            branch: opts.branch,
            cwd: global().cwd,
            onProgress: progress.update,
            ...(opts.s3Endpoint === undefined ? {} : { s3Endpoint: opts.s3Endpoint }),
          })
          .finally(() => progress.stop());
        if (opts.json)
          return printJson({
            root: r.root,
            url: r.url,
            branch: r.branch,
            commit: r.commit,
            files: r.files,
            fetch: fetchJson(r.fetch),
            partial: r.partial ?? null,
          });
        say(`Cloned ${r.url} into ${r.root}`);
        say(transferLine('Received', r.fetch));
        if (r.commit) say(`On branch ${bold(r.branch)} at ${short(r.commit)} (${r.files} files)`);
        if (r.partial) say(partialLine(r.partial));
        else say(yellow(`The remote has no commit yet; branch ${r.branch} is unborn`));
      },
    );

  program
    .command('login <url>')
    .description(
      'save a token for a Strata server (http(s)://HOST:PORT/) after checking it there: read from stdin, ' +
        'or asked for on a terminal. Saved with mode 0600 in $XDG_CONFIG_HOME/strata/credentials.json ' +
        '(default ~/.config/strata/), never in a repository; STRATA_TOKEN, when set, is used instead',
    )
    .option('--json', 'print as JSON')
    .action(async (url: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      const token = await readToken(url);
      const r = await api.login(url, token);
      if (opts.json) return printJson(r);
      say(`Logged in to ${r.url} (${r.refs} branches and tags visible); token saved in ${r.file}`);
    });

  program
    .command('fetch [args...]')
    .description(
      "bring a remote's branches and tags here (as <remote>/<branch>); local branches stay as they are. " +
        'With --data (a partial clone): bring the contents it left out, of PATHS (default all of HEAD) or of ' +
        'a column (--column NAME, --keys A:B), so later reads need no network',
    )
    .option('--data', 'prefetch contents into a partial clone instead of fetching refs; ARGS are paths')
    .option('--column <name>', 'with --data: the data chunks of this column or volume')
    .option('--keys <range>', 'with --column: only samples with keys A:B (inclusive)')
    .option('--json', 'print as JSON')
    .action(
      async (args: string[], opts: { json?: boolean; data?: boolean; column?: string; keys?: string }) => {
        const api = await import('../../api/index.js');
        await withRepository(global(), async (repo) => {
          if (!opts.data) {
            if (opts.column !== undefined || opts.keys !== undefined)
              throw new api.InvalidArgumentError('--column and --keys go with --data', {});
            if (args.length > 1)
              throw new api.InvalidArgumentError(`fetch takes one remote, not ${args.join(' ')}`, {});
            return fetchRefs(api, repo, args[0] ?? 'origin', opts.json === true);
          }
          const keys = opts.keys === undefined ? undefined : parseKeyRange(api, opts.keys);
          const r = await api.prefetchData(repo, {
            paths: args,
            cwd: global().cwd,
            ...(opts.column !== undefined ? { column: opts.column } : {}),
            ...(keys ? { keys } : {}),
          });
          if (opts.json) return printJson(r);
          say(
            `Fetched ${r.fetched} of ${r.needed} objects from ${r.remote} (${r.needed - r.fetched} were here)`,
          );
        });
      },
    );

  program
    .command('pull [remote] [branch]')
    .description(
      'fetch a remote (default origin), then fast-forward or merge its branch into the current one',
    )
    .option('--strategy <side>', 'resolve every conflict to ours or theirs')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string | undefined,
        branch: string | undefined,
        opts: { strategy?: string; json?: boolean },
      ) => {
        const api = await import('../../api/index.js');
        await withRepository(global(), async (repo) => {
          const strategy = api.checkMergeStrategy(opts.strategy, '--strategy');
          const progress = await transferProgress('receiving');
          const r = await api
            .pull(repo, name ?? 'origin', branch, { strategy, onProgress: progress.update })
            .finally(() => progress.stop());
          if (opts.json) return printJson({ fetch: fetchJson(r.fetch), branch: r.branch, merge: r.merge });
          say(`From ${r.fetch.url}`);
          if (r.fetch.updated.length > 0) say(transferLine('Received', r.fetch));
          const m = r.merge;
          if (m.result === 'up-to-date') say('Already up to date');
          else if (m.result === 'fast-forward') say(`Fast-forward to ${short(m.commit)}`);
          else if (m.result === 'merged') say(`Merged ${r.fetch.remote}/${r.branch}: ${short(m.commit)}`);
          else {
            say(red(`Pull stopped: ${m.conflicts.length} conflict(s); nothing changed here`));
            for (const c of m.conflicts.slice(0, 50))
              say(`  ${'resource' in c ? `${c.resource}/${c.path ?? ''}` : JSON.stringify(c)}  (${c.kind})`);
            say('Resolve with --strategy ours|theirs, or change the files and commit first');
            process.exitCode = 1;
          }
        });
      },
    );

  program
    .command('push [remote] [branch]')
    .description(
      'send a branch (default: the current one) to a remote (default origin). Refused when the remote branch ' +
        'has commits this one lacks (pull first) unless --force. Data Workspaces\' "publish" is ' +
        "'strata remote add origin URL' then 'strata push'; a path that does not exist yet becomes a bare repository",
    )
    .option('--tags', 'also push tags the remote lacks')
    .option('-f, --force', 'move the remote branch even if commits there are lost')
    .option('--json', 'print as JSON')
    .action(
      async (
        name: string | undefined,
        branch: string | undefined,
        opts: { tags?: boolean; force?: boolean; json?: boolean },
      ) => {
        const api = await import('../../api/remote-push.js');
        await withRepository(global(), async (repo) => {
          const progress = await transferProgress('sending');
          const r = await api
            .pushRemote(repo, name ?? 'origin', {
              branch,
              tags: opts.tags,
              force: opts.force,
              onProgress: progress.update,
            })
            .finally(() => progress.stop());
          if (opts.json) return printJson(r);
          say(`To ${r.url}`);
          if (r.updated.length === 0) return say('Everything up to date');
          say(transferLine('Sent', r));
          printUpdates(r.updated);
        });
      },
    );
}
