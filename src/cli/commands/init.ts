import type { Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { printJson, say } from '../output.js';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { RESOURCE_ROLES_HINT } from './resource-roles.js';

export function registerInitCommand(program: Command, global: () => GlobalOptions): void {
  program
    .command('init [dir]')
    .description('create a repository (.strata/) in DIR or the current folder')
    .option('--create-resources <roles>', 'create and register folders for these roles, e.g. code,results')
    .option('--branch <name>', 'name of the first branch', 'main')
    .option(
      '--catalog <url>',
      'shared catalog: postgres://USER@HOST:PORT/DB[?schema=NAME] (password from PGPASSWORD or STRATA_PG_PASSWORD)',
    )
    .option('--store <url>', 'shared object store: s3://BUCKET/PREFIX (credentials from AWS_* variables)')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint (MinIO, Ceph …) instead of AWS S3')
    .option(
      '--scratch-directory <dir>',
      "this machine's folder for temporary outputs of runs (default: scratch/ in the repository; never versioned)",
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'A shared repository (PostgreSQL catalog, S3 objects); run the same command on another machine to',
        'attach a new working folder to it:',
        '  strata init --catalog postgres://strata@db:5432/ml?schema=team --store s3://ml-data/team',
      ].join('\n'),
    )
    .action(async (dir: string | undefined, opts: InitCliOptions) => {
      const api = await import('../../api/index.js');
      const root = resolve(global().cwd, dir ?? '.');
      const roles = opts.createResources
        ? opts.createResources
            .split(',')
            .map((r) => r.trim())
            .filter(Boolean)
        : [];
      for (const role of roles) api.checkRole(role);
      const { config, secrets } = backendConfig(api, opts);
      const { repo, attached } = await api.createRepository(root, { branch: opts.branch, config, secrets });
      const backends = api.describeBackends(repo.config);
      try {
        // An attached folder that holds nothing yet gets the branch's files, as a clone would;
        // one that already holds files is left for the user to check out (nothing is overwritten).
        const filled = attached ? await fillEmptyFolder(api, repo, opts.branch) : undefined;
        const scratch =
          opts.scratchDirectory === undefined
            ? undefined
            : await api.setScratchDirectory(repo, opts.scratchDirectory, global().cwd);
        const created = [];
        for (const role of roles)
          created.push(await api.addResource(repo, { path: role, role, cwd: root, create: true }));
        if (opts.json)
          printJson({
            root,
            branch: opts.branch,
            attached,
            ...(filled === undefined ? {} : { checkedOut: filled }),
            catalog: backends.catalog,
            store: backends.store,
            resources: created.map((r) => ({ name: r.name, path: r.path, role: r.role })),
            ...(scratch ? { scratchDirectory: scratch } : {}),
          });
        else {
          if (attached)
            say(
              `Attached ${root} to existing repository (catalog ${backends.catalog}, store ${backends.store})`,
            );
          else if (repo.config.catalog.type !== 'sqlite' || repo.config.store.type !== 'fs')
            say(
              `Initialized shared Strata repository in ${root}/.strata (catalog ${backends.catalog}, store ${backends.store}, branch ${opts.branch})`,
            );
          else say(`Initialized empty Strata repository in ${root}/.strata (branch ${opts.branch})`);
          for (const r of created) say(`  resource ${r.name} (${r.role}) at ${r.path}/`);
          if (filled) say(`Checked out ${opts.branch} (${filled.files} files written)`);
          else if (attached)
            say(`Next: strata log, then strata checkout ${opts.branch} --force to fill this folder`);
          else say(nextStep(created.map((r) => `${r.path}/`)));
        }
      } finally {
        await repo.close();
      }
    });
}

/** Checks `branch` out into a just-attached working folder if it has a commit and the folder is empty. */
async function fillEmptyFolder(
  api: typeof import('../../api/index.js'),
  repo: import('../../api/index.js').Repository,
  branch: string,
): Promise<{ commit: string; files: number } | undefined> {
  if (readdirSync(repo.root).some((name) => name !== api.STRATA_DIR)) return undefined;
  if ((await repo.catalog.getRef(`refs/heads/${branch}`))?.target == null) return undefined;
  const result = await api.checkout(repo, branch, { force: true });
  return { commit: result.commit, files: result.updated };
}

interface InitCliOptions {
  createResources?: string;
  branch: string;
  catalog?: string;
  store?: string;
  s3Endpoint?: string;
  scratchDirectory?: string;
  json?: boolean;
}

/** The repository config `init` writes: the embedded defaults, or the backends named on the command line. */
function backendConfig(
  api: typeof import('../../api/index.js'),
  opts: InitCliOptions,
): { config: import('../../api/index.js').RepositoryConfig; secrets: { catalogPassword?: string } } {
  if (opts.s3Endpoint !== undefined && opts.store === undefined)
    throw new api.InvalidArgumentError('--s3-endpoint needs --store s3://BUCKET/PREFIX', {
      option: 's3-endpoint',
    });
  const catalog = opts.catalog === undefined ? undefined : api.parseCatalogUrl(opts.catalog);
  return {
    config: {
      ...api.DEFAULT_CONFIG,
      ...(catalog === undefined ? {} : { catalog: catalog.config }),
      ...(opts.store === undefined ? {} : { store: api.parseStoreUrl(opts.store, opts.s3Endpoint) }),
    },
    secrets: catalog?.password === undefined ? {} : { catalogPassword: catalog.password },
  };
}

/** What `init` suggests next: register a folder, or (with folders made) fill them and commit. */
function nextStep(createdFolders: readonly string[]): string {
  if (createdFolders.length > 0)
    return `Next: put files in ${createdFolders.join(', ')} then record them: strata commit -m "first version"`;
  return (
    'Next: register a folder to version, e.g. strata resource add data --role source-data\n' +
    `      (roles: ${RESOURCE_ROLES_HINT}), then strata commit -m "first version"`
  );
}
