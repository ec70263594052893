import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createRepository } from '../backends/open-backends.js';
import { openRepository } from './open-repository.js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { branchRef } from '../repo/refs/ref-name.js';
import { readHead } from '../repo/refs/refs.js';
import { STRATA_DIR, type Repository } from '../repo/repository.js';
import {
  addRemote,
  fetchRemote,
  listRemotes,
  openTransport,
  parseRemoteUrl,
  trackingRef,
  type FetchResult,
  type TransferProgress,
} from '../remote/index.js';
import {
  checkPartialFlags,
  contentsCloned,
  readPartialClone,
  writePartialClone,
  type PartialClone,
} from '../repo/partial-clone.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { writeFileDurable } from '../util/durable-fs.js';
import { checkout } from './branches.js';
import { mergeRevision, type MergeOptions, type MergeResult } from './merge.js';

export {
  addRemote,
  listRemotes,
  removeRemote,
  fetchRemote,
  pushRemote,
  parseRemoteUrl,
  trackingRef,
  describeServedRemote,
  sizesOf,
  objectFrames,
  receivePack,
  updateServedRef,
  credentialsPath,
  login,
} from '../remote/index.js';
export type {
  RemoteConfig,
  FetchResult,
  FetchOptions,
  PushOptions,
  PushResult,
  RefUpdate,
  TransferProgress,
  LoginResult,
} from '../remote/index.js';

/** Options of `cloneRepository`. */
export interface CloneOptions {
  /** The branch to check out (default: the one the remote's HEAD follows). */
  readonly branch?: string;
  /** Resolves a relative URL and folder (default: the current directory). */
  readonly cwd?: string;
  /** The S3-compatible endpoint of an `s3://` URL; saved with the `origin` remote. */
  readonly s3Endpoint?: string;
  /** False: `--no-data`, commits and trees only; contents are fetched on demand. */
  readonly data?: boolean;
  /** Contents of these resources only (`--only`); the others are fetched on demand. */
  readonly only?: readonly string[];
  /** Contents of these resources left out (`--skip`). */
  readonly skip?: readonly string[];
  /** Only the last N commits of the branch (`--depth`); history beyond is absent by design. */
  readonly depth?: number;
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** What `cloneRepository` did. */
export interface CloneResult {
  readonly root: string;
  readonly url: string;
  readonly branch: string;
  /** The checked-out commit; null when the remote had no commit yet. */
  readonly commit: string | null;
  readonly files: number;
  readonly fetch: FetchResult;
  /** What a partial clone left out (absent for a full clone). */
  readonly partial?: PartialClone;
}

/** Written first into a clone's `.strata/`, removed last: a rerun of the same clone resumes. */
const CLONE_MARKER = 'clone-in-progress.json';

/**
 * Clones a remote into `dir` (default: the remote's last path segment): a new repository whose
 * remote `origin` is `url`, every branch fetched as `origin/<branch>`, and one branch checked out.
 * The remote is opened before anything is created, so an unreachable one leaves nothing behind; a
 * clone killed midway resumes when run again with the same URL and folder, without fetching again
 * what already landed.
 */
export async function cloneRepository(
  url: string,
  dir?: string,
  options: CloneOptions = {},
): Promise<CloneResult> {
  checkPartialFlags({
    noData: options.data === false,
    only: options.only,
    skip: options.skip,
    depth: options.depth,
  });
  const partialWanted =
    options.data === false ||
    options.only !== undefined ||
    options.skip !== undefined ||
    options.depth !== undefined;
  const cwd = options.cwd ?? process.cwd();
  const location = parseRemoteUrl(url, cwd);
  const remoteUrl = location.kind === 'path' ? location.path : url;
  const root = resolve(cwd, dir ?? defaultFolder(location));
  const endpoint = options.s3Endpoint === undefined ? {} : { s3Endpoint: options.s3Endpoint };
  const transport = await openTransport(remoteUrl, endpoint);
  let repo: Repository | undefined;
  try {
    repo = await openOrCreateClone(root, remoteUrl, endpoint);
    let partial: PartialClone | undefined;
    if (partialWanted) {
      partial = {
        remote: 'origin',
        data: options.data !== false,
        ...(options.only ? { only: [...options.only] } : {}),
        ...(options.skip ? { skip: [...options.skip] } : {}),
        ...(options.depth !== undefined ? { depth: options.depth } : {}),
      };
      // Recorded before anything is fetched: a clone killed midway and run again knows it.
      await writePartialClone(repo, partial);
    }
    const fetched = await fetchRemote(repo, 'origin', {
      transport,
      onProgress: options.onProgress,
    });
    const branch = options.branch ?? (await defaultBranch(repo, fetched.head));
    const tip = (await repo.catalog.getRef(trackingRef('origin', branch)))?.target ?? null;
    if (tip === null && options.branch)
      throw new NotFoundError(`remote ${remoteUrl} has no branch '${branch}'`, {
        what: 'branch',
        name: branch,
      });
    await repo.catalog.setSymbolicRef('HEAD', { symbolic: branchRef(branch) });
    let files = 0;
    if (tip !== null) {
      const mine = (await repo.catalog.getRef(branchRef(branch)))?.target ?? null;
      if (partial) {
        // HEAD is at the tip before the checkout: the folders the clone leaves unpopulated stand
        // for it, and only the resources whose contents came are written.
        partial = { ...(await readPartialClone(repo))!, ...(await unpopulatedOf(repo, tip, partial)) };
        await writePartialClone(repo, partial);
        const written = repo;
        repo = undefined;
        await written.close();
        repo = await openRepository(root);
        if (mine !== tip) await repo.catalog.updateRef(branchRef(branch), tip, mine);
        files = (await checkout(repo, branch, { force: true })).updated;
      } else {
        if (mine !== tip) await repo.catalog.updateRef(branchRef(branch), tip, mine);
        files = (await checkout(repo, branch, { force: true })).updated;
      }
    }
    rmSync(join(root, STRATA_DIR, CLONE_MARKER), { force: true });
    return {
      root,
      url: remoteUrl,
      branch,
      commit: tip,
      files,
      fetch: fetched,
      ...(partial ? { partial: (await readPartialClone(repo)) ?? partial } : {}),
    };
  } finally {
    await repo?.close();
    await transport.close();
  }
}

/**
 * The resources of `tip` whose contents the clone left out: their folders stay unpopulated. A
 * resource named by `--only` or `--skip` must exist in the commit.
 */
async function unpopulatedOf(
  repo: Repository,
  tip: string,
  partial: PartialClone,
): Promise<{ unpopulated: string[] }> {
  const tree = await readCommitTree(repo, tip);
  const names = Object.keys(tree.resources);
  for (const name of [...(partial.only ?? []), ...(partial.skip ?? [])])
    if (!names.includes(name))
      throw new NotFoundError(
        `resource '${name}' is not in the commit being cloned (resources: ${names.join(', ') || 'none'})`,
        { what: 'resource', name },
      );
  return { unpopulated: names.filter((name) => !contentsCloned(partial, name)).sort() };
}

/** The remote HEAD's branch when it has a commit, else `main`, else the first branch fetched. */
async function defaultBranch(repo: Repository, head: string | null): Promise<string> {
  const fetched = (await repo.catalog.listRefs(trackingRef('origin', ''))).map((r) =>
    r.name.slice(trackingRef('origin', '').length),
  );
  for (const name of [head, 'main']) if (name && fetched.includes(name)) return name;
  return fetched[0] ?? head ?? 'main';
}

function defaultFolder(location: ReturnType<typeof parseRemoteUrl>): string {
  const name =
    location.kind === 'path'
      ? basename(location.path)
      : location.kind === 's3'
        ? basename(location.prefix || location.bucket)
        : basename(new URL(location.url).pathname) || new URL(location.url).hostname;
  if (!name) throw new InvalidArgumentError('name the folder to clone into', {});
  return name;
}

async function openOrCreateClone(
  root: string,
  url: string,
  endpoint: { s3Endpoint?: string },
): Promise<Repository> {
  const marker = join(root, STRATA_DIR, CLONE_MARKER);
  if (existsSync(marker)) {
    const recorded = (JSON.parse(readFileSync(marker, 'utf8')) as { url?: string }).url;
    if (recorded === url) return openRepository(root);
  }
  if (existsSync(root) && readdirSync(root).length > 0)
    throw new AlreadyExistsError(`cannot clone into ${root}: the folder exists and is not empty`, {
      what: 'path',
      path: root,
    });
  const { repo } = await createRepository(root);
  try {
    writeFileDurable(marker, JSON.stringify({ url }) + '\n');
    await addRemote(repo, 'origin', url, endpoint);
    return repo;
  } catch (err) {
    await repo.close();
    throw err;
  }
}

/** Options of `pull`. */
export interface PullOptions extends MergeOptions {
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** What `pull` did: the fetch, then the merge (fast-forward, merged, up-to-date or conflict). */
export interface PullResult {
  readonly fetch: FetchResult;
  readonly branch: string;
  readonly merge: MergeResult;
}

/**
 * Fetches a remote, then merges its branch (default: the one named like the current branch) into
 * the current branch: a fast-forward, or the three-way merge with its conflict list. Working
 * folders are rewritten as checkout would, so uncommitted changes that would be overwritten refuse
 * the pull; result folders are additive and never lose local files.
 */
export async function pull(
  repo: Repository,
  remote = 'origin',
  branch?: string,
  options: PullOptions = {},
): Promise<PullResult> {
  if ((await listRemotes(repo)).length === 0 && remote === 'origin')
    throw new NotFoundError(
      "this repository has no remote 'origin': add one with 'strata remote add origin URL'",
      {
        what: 'remote',
        name: remote,
      },
    );
  const head = await readHead(repo);
  if (!head.branch) throw new InvalidArgumentError('HEAD is detached: check out a branch to pull into', {});
  const fetched = await fetchRemote(repo, remote, { onProgress: options.onProgress });
  const theirsBranch = branch ?? head.branch;
  const theirs = (await repo.catalog.getRef(trackingRef(remote, theirsBranch)))?.target;
  if (!theirs)
    throw new NotFoundError(`remote '${remote}' has no branch '${theirsBranch}'`, {
      what: 'branch',
      name: theirsBranch,
    });
  if (head.commit === null) {
    await repo.catalog.updateRef(branchRef(head.branch), theirs, null);
    await checkout(repo, head.branch, {});
    return {
      fetch: fetched,
      branch: theirsBranch,
      merge: { result: 'fast-forward', commit: theirs, conflicts: [] },
    };
  }
  const merge = await mergeRevision(repo, theirs, {
    message: `Merge ${remote}/${theirsBranch}`,
    ...options,
  });
  return { fetch: fetched, branch: theirsBranch, merge };
}
