import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { refuseStagedChanges } from '../repo/commit/refuse-staged.js';
import { commit, type CommitResult } from '../repo/commit/create-commit.js';
import type { Repository } from '../repo/repository.js';
import { addResource, listResources } from '../repo/resources/resources.js';
import { writeFileDurable } from '../util/durable-fs.js';
import type { ComputedResource } from './computed-resource.js';
import { collectionDir } from './output-dir.js';

/** The manifest `commitOutputs` writes into the collection's folder. */
export const LINEAGE_FILE = 'lineage.json';

/** Options of `commitOutputs`: those of `commit`. */
export interface CommitOutputsOptions {
  readonly message: string;
  readonly tags?: readonly string[];
  readonly author?: string;
  readonly allowEmpty?: boolean;
}

/** What `commitOutputs` did. */
export interface CommitOutputsResult {
  readonly commit: CommitResult;
  /** The resource that holds the collection's folder. */
  readonly resource: string;
  /** The manifest, relative to the repository root. */
  readonly manifest: string;
  /** How many complete resources the manifest lists. */
  readonly resources: number;
}

/** Files under `dir`, relative with `/` separators, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // deleted meanwhile
  }
  for (const entry of entries) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(join(dir, entry.name), rel + '/'));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * Registers `computed/<collection>` as an `intermediate-data` resource named `computed-<collection>`
 * (unless a resource already holds it), writes `lineage.json` there listing each complete resource
 * (id, args, args hash, code version, output folder and files, times), then commits. The manifest
 * has no time of its own, so unchanged outputs give an unchanged manifest.
 */
export async function commitOutputs(
  repo: Repository,
  complete: AsyncIterable<ComputedResource>,
  collection: string,
  options: CommitOutputsOptions,
): Promise<CommitOutputsResult> {
  // The commit below takes no column section: it must not leave staged column changes behind.
  await refuseStagedChanges(repo, 'committing computed outputs');
  const rel = collectionDir(collection);
  const abs = join(repo.root, rel);
  mkdirSync(abs, { recursive: true });
  let holder = (await listResources(repo)).find((r) => r.path === rel || rel.startsWith(r.path + '/'));
  holder ??= await addResource(repo, {
    path: rel,
    role: 'intermediate-data',
    name: `computed-${collection}`,
    cwd: repo.root,
  });
  const resources: Record<string, unknown>[] = [];
  for await (const r of complete) {
    const dir =
      r.dir === undefined
        ? null
        : r.dir
            .slice(abs.length + 1)
            .split('\\')
            .join('/');
    resources.push({
      id: r.id,
      args: r.args,
      args_hash: r.argsHash,
      code_version: r.codeVersion,
      dir,
      files: r.dir === undefined ? [] : filesUnder(r.dir),
      started_at: r.startedAt === undefined ? null : new Date(r.startedAt).toISOString(),
      ended_at: r.endedAt === undefined ? null : new Date(r.endedAt).toISOString(),
    });
  }
  const manifest = `${rel}/${LINEAGE_FILE}`;
  writeFileDurable(join(repo.root, manifest), JSON.stringify({ collection, resources }, null, 2) + '\n');
  const made = await commit(repo, {
    message: options.message,
    tags: options.tags,
    author: options.author,
    allowEmpty: options.allowEmpty,
  });
  return { commit: made, resource: holder.name, manifest, resources: resources.length };
}
