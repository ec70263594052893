import type { Command } from 'commander';
import { withRepository, type GlobalOptions } from '../context.js';
import { cyan, dim, green, printJson, say } from '../output.js';
import { RESOURCE_ROLES_HINT } from './resource-roles.js';

const EXTERNAL_TYPES = ['local', 'git', 'rclone', 's3'];

interface AddOptions {
  role?: string;
  name?: string;
  readOnly?: boolean;
  referenceOnly?: boolean;
  hash?: boolean;
  branch?: string;
  syncMode?: string;
  sizeOnly?: boolean;
  endpoint?: string;
  json?: boolean;
}

export function registerResourceCommands(program: Command, global: () => GlobalOptions): void {
  const resource = program
    .command('resource')
    .description('register, list and remove resources (named file trees with a role and a type)');

  resource
    .command('add <type-or-path> [path] [local-dir]')
    .description(
      'register a resource: `add PATH` a folder inside the repository; `add local PATH` a folder ' +
        'elsewhere on disk (its files stored and restored like an inner folder); `add git PATH` a git repository (its HEAD commit is recorded); ' +
        '`add rclone REMOTE:PATH LOCAL_DIR` a local copy of an rclone remote, brought in step before every snapshot; ' +
        '`add s3 s3://BUCKET/PREFIX` a bucket prefix (its objects stored, and put back into the bucket by a restore)',
    )
    .option('-r, --role <role>', RESOURCE_ROLES_HINT)
    .option('-n, --name <name>', 'resource name (default: the folder name)')
    .option('--read-only', 'snapshots record it, restores never write it')
    .option(
      '--reference-only',
      'local, s3: record content hashes but do not store the files (restore lists what it cannot bring back)',
    )
    .option('--no-hash', 'local: record size and mtime only, not content hashes (implies --reference-only)')
    .option('--branch <branch>', 'git: the branch to follow (a clean repository is switched to it)')
    .option(
      '--sync-mode <mode>',
      'rclone: copy (add and overwrite files of the local copy) or sync (also delete)',
    )
    .option('--size-only', 'rclone: compare files by size only')
    .option(
      '--endpoint <url>',
      's3: an S3-compatible endpoint (default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)',
    )
    .option('--json', 'print as JSON')
    .action(
      async (first: string, second: string | undefined, third: string | undefined, opts: AddOptions) => {
        const api = await import('../../api/index.js');
        if (opts.role === undefined) {
          // Teach instead of a bare "required option": the roles, and a command that works.
          throw new api.InvalidArgumentError(
            `a resource needs a role: --role ${api.RESOURCE_ROLES.join('|')}; e.g. strata resource add ${second ?? first} --role source-data`,
            { missing: 'role', roles: api.RESOURCE_ROLES },
          );
        }
        const role = opts.role;
        const typed = second !== undefined && EXTERNAL_TYPES.includes(first);
        if (second !== undefined && !typed) {
          const { InvalidArgumentError } = api;
          throw new InvalidArgumentError(
            `unknown resource type '${first}'; use 'resource add PATH', 'resource add local PATH', 'resource add git PATH', 'resource add rclone REMOTE:PATH LOCAL_DIR' or 'resource add s3 s3://BUCKET/PREFIX'`,
            { type: first },
          );
        }
        const rclone = typed && first === 'rclone';
        if (rclone !== (third !== undefined)) {
          throw new api.InvalidArgumentError(
            rclone
              ? 'an rclone resource needs a remote and a local folder: resource add rclone REMOTE:PATH LOCAL_DIR'
              : `unexpected argument '${third}'`,
            { type: first },
          );
        }
        await withRepository(global(), async (repo) => {
          const r = await api.addResource(repo, {
            path: rclone ? third! : typed ? second : first,
            ...(rclone ? { remote: second } : {}),
            syncMode: opts.syncMode as 'copy' | 'sync' | undefined,
            sizeOnly: opts.sizeOnly,
            endpoint: opts.endpoint,
            type: typed ? first : 'folder',
            role,
            name: opts.name,
            readOnly: opts.readOnly,
            referenceOnly: opts.referenceOnly,
            noHash: opts.hash === false,
            branch: opts.branch,
            cwd: global().cwd,
          });
          if (opts.json)
            printJson({
              name: r.name,
              path: r.path,
              role: r.role,
              type: r.type,
              read_only: !!r.options.readOnly,
              ...(typeof r.options.branch === 'string' ? { branch: r.options.branch } : {}),
              ...(typeof r.options.remote === 'string' ? { remote: r.options.remote } : {}),
              ...(r.type === 'local' || r.type === 's3'
                ? { reference_only: r.options.referenceOnly === true || r.options.noHash === true }
                : {}),
            });
          else
            say(
              `Added ${r.type} resource ${green(r.name)} (${r.role}) at ${r.path}/${r.options.referenceOnly ? dim(' (reference-only: files are not stored)') : ''}`,
            );
        });
      },
    );

  resource
    .command('list')
    .description('list registered resources with their role and type')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const list = await api.listResources(repo);
        if (opts.json)
          return printJson(
            list.map((r) => ({
              name: r.name,
              path: r.path,
              role: r.role,
              type: r.type,
              read_only: r.options.readOnly === true,
              ...(typeof r.options.branch === 'string' ? { branch: r.options.branch } : {}),
              ...(typeof r.options.remote === 'string' ? { remote: r.options.remote } : {}),
              ...(r.type === 'local' || r.type === 's3'
                ? { reference_only: r.options.referenceOnly === true || r.options.noHash === true }
                : {}),
              ...(r.options.noHash === true ? { no_hash: true } : {}),
            })),
          );
        if (list.length === 0) say('no resources; add one with: strata resource add PATH --role ROLE');
        for (const r of list) {
          const flags = [
            r.options.readOnly ? 'read-only' : '',
            r.options.referenceOnly || r.options.noHash ? 'reference-only' : '',
            r.options.noHash ? 'no-hash' : '',
            typeof r.options.branch === 'string' ? `branch ${r.options.branch}` : '',
            typeof r.options.remote === 'string' ? `from ${r.options.remote}` : '',
          ].filter(Boolean);
          say(
            `${green(r.name.padEnd(20))} ${cyan(r.role.padEnd(18))} ${r.type.padEnd(7)} ${r.path}/${flags.length ? dim(` (${flags.join(', ')})`) : ''}`,
          );
        }
      });
    });

  resource
    .command('refresh [names...]')
    .description(
      'bring local copies of remotes (rclone) in step with them now (a snapshot does it first anyway)',
    )
    .option('--json', 'print as JSON')
    .action(async (names: string[], opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const done = await api.refreshResources(repo, names.length > 0 ? { only: names } : {});
        if (opts.json) printJson({ refreshed: done });
        else
          say(done.length > 0 ? `refreshed ${done.join(', ')}` : 'no resource has a remote to refresh from');
      });
    });

  resource
    .command('rm <name>')
    .description('stop versioning a resource (its files stay on disk; the next commit drops it)')
    .option('--json', 'print as JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      const api = await import('../../api/index.js');
      await withRepository(global(), async (repo) => {
        const r = await api.removeResource(repo, name);
        if (opts.json) printJson({ removed: r.name, type: r.type });
        else say(`Removed ${r.type} resource ${r.name}; its files in ${r.path}/ are untouched`);
      });
    });
}
