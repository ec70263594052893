import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { chunkPrefix } from '../columns/chunks.js';
import { publicKey } from '../columns/column-keys.js';
import { readColumns } from '../columns/column-record.js';
import { decodeEntry } from '../columns/entry.js';
import { volumesAt } from '../columns/volume-record.js';
import { iterateMap } from '../repo/merkle/read-map.js';
import { decodeFileEntry } from '../repo/objects/file-entry.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { readPartialClone } from '../repo/partial-clone.js';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import { toResourcePaths } from '../repo/worktree/restore.js';
import { decodeChunkManifest } from '../store/chunked/index.js';
import { localObjects } from '../store/on-demand/on-demand-store.js';
import type { ObjectId } from '../util/hash.js';

/** Options of `prefetchData`. */
export interface PrefetchOptions {
  /** Files or folders (paths in resources, relative to `cwd`); default every resource. */
  readonly paths?: readonly string[];
  /** A column (or volume) whose data to bring, instead of files. */
  readonly column?: string;
  /** With `column`: only samples whose key lies in `from..to` (inclusive). */
  readonly keys?: { readonly from: string; readonly to: string };
  /** The commit whose data to bring (default HEAD). */
  readonly revision?: string;
  readonly cwd?: string;
}

/** What `prefetchData` did. */
export interface PrefetchResult {
  readonly remote: string;
  /** Objects the selection needs. */
  readonly needed: number;
  /** Of those, fetched now (the others were here already). */
  readonly fetched: number;
}

/**
 * `strata fetch --data`: brings the contents a partial clone left out (files under `paths`, or a
 * column's data chunks, all of HEAD by default) from its remote into the local store, in verified
 * batches, so later reads need no network. Big files come with their chunks.
 */
export async function prefetchData(repo: Repository, options: PrefetchOptions = {}): Promise<PrefetchResult> {
  const partial = await readPartialClone(repo);
  if (!partial)
    throw new InvalidArgumentError(
      'this repository is not a partial clone: it holds all its data already (fetch --data is for clones made with --no-data, --only or --skip)',
      {},
    );
  if (options.column !== undefined && options.paths && options.paths.length > 0)
    throw new InvalidArgumentError('fetch --data takes PATHS or --column, not both', {});
  if (options.keys && options.column === undefined)
    throw new InvalidArgumentError('--keys needs --column NAME', {});
  const revision = options.revision ?? 'HEAD';
  const tree = await readCommitTree(repo, (await resolveRevision(repo, revision)).commit);
  const local = localObjects(repo.store);
  const ids =
    options.column !== undefined
      ? await columnData(repo, tree, options.column, options.keys, revision)
      : await fileContents(repo, tree, options.paths ?? [], options.cwd);
  const absent = [...ids.keys()];
  const before = await local.hasMany(absent);
  await repo.store.prefetch?.(absent);
  // Big files: their manifests came first; now the chunks they list, in one more batch.
  const manifests = [...ids.entries()].filter(([, chunked]) => chunked).map(([id]) => id);
  let chunks: ObjectId[] = [];
  if (manifests.length > 0) {
    const got = await local.getMany(manifests);
    chunks = [...got].flatMap(([id, bytes]) => decodeChunkManifest(bytes, id).chunks.map((c) => c.id));
    const chunksBefore = await local.hasMany(chunks);
    await repo.store.prefetch?.(chunks);
    const needed = absent.length + chunks.length;
    return {
      remote: partial.remote,
      needed,
      fetched: needed - before.size - chunksBefore.size,
    };
  }
  return { remote: partial.remote, needed: absent.length, fetched: absent.length - before.size };
}

/** File contents under `paths` (every resource when empty): id → whether it is a big file's manifest. */
async function fileContents(
  repo: Repository,
  tree: Awaited<ReturnType<typeof readCommitTree>>,
  paths: readonly string[],
  cwd: string | undefined,
): Promise<Map<ObjectId, boolean>> {
  const wanted =
    paths.length > 0
      ? await toResourcePaths(repo, paths, cwd)
      : Object.keys(tree.resources).map((resource) => ({ resource, path: '' }));
  const out = new Map<ObjectId, boolean>();
  for (const w of wanted) {
    const snap = tree.resources[w.resource];
    if (!snap) throw new NotFoundError(`resource '${w.resource}' is not in HEAD`, { resource: w.resource });
    // Reference-only resources (local folders, git) keep no contents in the store.
    if (snap.content !== undefined) continue;
    for await (const entry of iterateMap(repo.nodes, snap.map)) {
      if (w.path !== '' && entry.key !== w.path && !entry.key.startsWith(w.path + '/')) continue;
      const file = decodeFileEntry(entry.value, `${w.resource}/${entry.key}`);
      out.set(file.hash, file.chunked === true);
    }
  }
  return out;
}

/** The data chunks of a column (those holding keys `from..to` when given), or a volume's chunks. */
async function columnData(
  repo: Repository,
  tree: Awaited<ReturnType<typeof readCommitTree>>,
  name: string,
  keys: PrefetchOptions['keys'],
  revision: string,
): Promise<Map<ObjectId, boolean>> {
  const out = new Map<ObjectId, boolean>();
  const record = readColumns(tree, `revision ${revision}`)[name];
  if (record) {
    if (!keys) {
      for (const id of record.chunks) out.set(id, false);
      return out;
    }
    const byPrefix = new Map(record.chunks.map((id) => [chunkPrefix(id), id]));
    const inRange = keyRange(keys);
    for await (const entry of iterateMap(repo.nodes, record.index)) {
      if (!inRange(publicKey(record.schema, entry.key))) continue;
      const decoded = decodeEntry(entry.value, `column ${name} key ${entry.key}`);
      if ('location' in decoded) {
        const id = byPrefix.get(decoded.location.chunk);
        if (id) out.set(id, false);
      }
    }
    return out;
  }
  const volume = (await volumesAt(repo, revision))[name];
  if (!volume) throw new NotFoundError(`no column or volume '${name}' at ${revision}`, { column: name });
  if (keys)
    throw new InvalidArgumentError(`'${name}' is a volume: --keys applies to columns`, { column: name });
  for await (const entry of iterateMap(repo.nodes, volume.index)) {
    const file = decodeFileEntry(entry.value, `volume ${name} chunk ${entry.key}`);
    out.set(file.hash, false);
  }
  return out;
}

/** `A:B` compared as numbers when both ends are integers, else as strings (nested: the outer key). */
function keyRange(keys: { from: string; to: string }): (key: unknown) => boolean {
  const numeric = /^-?\d+$/.test(keys.from) && /^-?\d+$/.test(keys.to);
  return (key) => {
    const k = Array.isArray(key) ? key[0] : key;
    if (numeric) return typeof k === 'number' && k >= Number(keys.from) && k <= Number(keys.to);
    return String(k) >= keys.from && String(k) <= keys.to;
  };
}
