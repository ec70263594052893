import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DETACHED_HEAD } from '../../catalog/catalog.js';
import { ConfigError } from '../../errors/index.js';
import { fsyncDir } from '../../util/durable-fs.js';
import { hashBytes } from '../../util/hash.js';
import { readHead } from '../refs/refs.js';
import type { Repository } from '../repository.js';

/**
 * Older Strata versions kept a working folder's uncommitted state in files under `.strata/`:
 * staged sections in `stage/<section>-<branch>.json`, current lineages in `lineage/` and this
 * folder's parameters in `local-params.json`. They now live in catalog rows of the working folder;
 * opening such a repository moves the files' content there, once.
 *
 * Each file or folder is first claimed by renaming it to `<name>.adopting` (one process wins),
 * imported without overwriting rows already there, then renamed to `<name>.adopted` (kept, never
 * read again). A crash between the two renames leaves `.adopting`, which the next open imports.
 * Costs three `stat` calls when there is nothing to adopt.
 */
export async function adoptLegacyWorkingFolderFiles(repo: Repository): Promise<void> {
  const dir = repo.strataDir;
  await adopt(join(dir, 'stage'), (claimed) => adoptStaged(repo, claimed));
  await adopt(join(dir, 'lineage'), (claimed) => adoptLineage(repo, claimed));
  await adopt(join(dir, 'local-params.json'), (claimed) => adoptLocalParams(repo, claimed));
}

async function adopt(path: string, importFrom: (claimed: string) => Promise<void>): Promise<void> {
  const claimed = `${path}.adopting`;
  // Left by a process that stopped midway: finish its work first.
  if (existsSync(claimed)) await importAndRetire(path, claimed, importFrom);
  if (!existsSync(path)) return;
  try {
    renameSync(path, claimed);
  } catch (err) {
    // Another process claimed it a moment ago and imports it.
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
  await importAndRetire(path, claimed, importFrom);
}

async function importAndRetire(
  path: string,
  claimed: string,
  importFrom: (claimed: string) => Promise<void>,
): Promise<void> {
  await importFrom(claimed);
  const retired = existsSync(`${path}.adopted`) ? `${path}.adopted-${randomUUID()}` : `${path}.adopted`;
  try {
    renameSync(claimed, retired);
    fsyncDir(join(path, '..'));
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
}

function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return [];
    throw err;
  }
}

/** `stage/<section>-<branch>.json` (the branch URI-encoded; section names have no `-`). */
async function adoptStaged(repo: Repository, dir: string): Promise<void> {
  const folder = await repo.catalog.workingFolderId();
  for (const file of jsonFiles(dir)) {
    const name = file.slice(0, -'.json'.length);
    const dash = name.indexOf('-');
    if (dash <= 0) continue;
    const section = name.slice(0, dash);
    const branch = decodeURIComponent(name.slice(dash + 1));
    const value = readFileSync(join(dir, file), 'utf8');
    await repo.catalog.writeStaged(folder, branch, section, value, { keepExisting: true });
  }
}

/**
 * `lineage/branches/<branch>.json` (percent-encoded, or `%~<hash of the name>` for long names),
 * `lineage/detached.json`, and the one global `lineage/current.json` of still older versions, which
 * goes to the branch HEAD follows (as it did when those versions read it).
 */
async function adoptLineage(repo: Repository, dir: string): Promise<void> {
  const folder = await repo.catalog.workingFolderId();
  const write = (head: string, file: string) =>
    repo.catalog.writeLineage(folder, head, readFileSync(file, 'utf8'), { keepExisting: true });
  const branchFiles = jsonFiles(join(dir, 'branches'));
  const hashed = new Map<string, string>();
  if (branchFiles.some((f) => f.startsWith('%~'))) {
    for (const ref of await repo.catalog.listRefs('refs/heads/')) {
      const branch = ref.name.slice('refs/heads/'.length);
      hashed.set(`%~${hashBytes(Buffer.from(branch, 'utf8'))}`, branch);
    }
  }
  for (const file of branchFiles) {
    const name = file.slice(0, -'.json'.length);
    // A hashed name of a branch deleted since cannot be named back: its state goes with the branch.
    const branch = name.startsWith('%~') ? hashed.get(name) : decodeURIComponent(name);
    if (branch !== undefined) await write(branch, join(dir, 'branches', file));
  }
  if (existsSync(join(dir, 'detached.json'))) await write(DETACHED_HEAD, join(dir, 'detached.json'));
  if (existsSync(join(dir, 'current.json'))) {
    const head = await readHead(repo);
    await write(head.branch ?? DETACHED_HEAD, join(dir, 'current.json'));
  }
}

/** `local-params.json`: one JSON object of parameter names to values. */
async function adoptLocalParams(repo: Repository, file: string): Promise<void> {
  let params: unknown;
  try {
    params = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      throw new Error('not an object');
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`, { path: file });
  }
  const folder = await repo.catalog.workingFolderId();
  for (const [name, value] of Object.entries(params as Record<string, unknown>))
    if (typeof value === 'string')
      await repo.catalog.setLocalParam(folder, name, value, { keepExisting: true });
}
