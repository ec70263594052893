import { fileContentBatches, openFileContentStream, readFileContent } from '../repo/objects/file-content.js';
import { Readable } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import { createNodeSource, getMapValue, type NodeSource } from '../repo/merkle/read-map.js';
import type { MapEntry } from '../repo/merkle/map-node.js';
import { decodeFileEntry, type FileEntry } from '../repo/objects/file-entry.js';
import { readCommitTree } from '../repo/objects/read-objects.js';
import { resolveRevision } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';

/** One file of a resource at a revision, as a tree listing shows it. */
export interface TreeFile {
  readonly path: string;
  readonly hash: string;
  readonly size: number;
  readonly executable: boolean;
  readonly symlink: boolean;
}

export interface TreePage {
  readonly commit: string;
  readonly resource: string;
  readonly files: TreeFile[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/**
 * Refuses a path that could name something outside the resource: absolute, `..` or `.` segments,
 * backslashes, empty segments or NUL. Paths in trees are relative and `/`-separated.
 */
export function checkResourcePath(path: string, what = 'path'): string {
  const bad =
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\\') ||
    path.includes('\0') ||
    path.split('/').some((part) => part === '..' || part === '.' || part === '');
  if (bad)
    throw new InvalidArgumentError(`${what} must be relative inside the resource, without . or .. parts`, {
      what,
      found: path,
    });
  return path;
}

async function resourceMap(
  repo: Repository,
  revision: string,
  resource: string,
): Promise<{ commit: string; map: string }> {
  const { commit } = await resolveRevision(repo, revision);
  const tree = await readCommitTree(repo, commit);
  const snapshot = tree.resources[resource];
  if (!snapshot)
    throw new NotFoundError(`revision ${revision} has no resource ${resource}`, {
      what: 'resource',
      resource,
      revision,
    });
  return { commit: commit!, map: snapshot.map };
}

/** Entries with key > `after` in key order, skipping whole subtrees that end at or before it. */
async function* entriesAfter(source: NodeSource, root: string, after: string): AsyncGenerator<MapEntry> {
  const node = await source(root);
  if (node.kind === 'leaf') {
    for (const e of node.entries) if (e.key > after) yield e;
    return;
  }
  for (const child of node.children) if (child.lastKey > after) yield* entriesAfter(source, child.id, after);
}

/** A page of a resource's files at a revision, in path order, optionally under a folder prefix. */
export async function listTree(
  repo: Repository,
  options: { revision: string; resource: string; prefix?: string; after?: string; limit: number },
): Promise<TreePage> {
  const prefix = options.prefix ? checkResourcePath(options.prefix.replace(/\/$/, ''), 'prefix') + '/' : '';
  const { commit, map } = await resourceMap(repo, options.revision, options.resource);
  const source = createNodeSource((id) => repo.store.get(id));
  // Every path under `prefix` sorts after the prefix itself, so it doubles as the first lower bound.
  const lowerBound = options.after && options.after > prefix ? options.after : prefix;
  const files: TreeFile[] = [];
  let next: string | null = null;
  for await (const e of entriesAfter(source, map, lowerBound)) {
    if (!e.key.startsWith(prefix)) {
      if (e.key > prefix) break;
      continue;
    }
    if (files.length === options.limit) {
      next = files[files.length - 1]!.path;
      break;
    }
    const f = decodeFileEntry(e.value);
    files.push({
      path: e.key,
      hash: f.hash,
      size: f.size,
      executable: f.executable,
      symlink: f.symlink ?? false,
    });
  }
  return { commit, resource: options.resource, files, next };
}

/** One file's entry at a revision; NotFoundError when the resource has no such file. */
export async function readFileEntry(
  repo: Repository,
  options: { revision: string; resource: string; path: string },
): Promise<FileEntry & { commit: string }> {
  checkResourcePath(options.path);
  const { commit, map } = await resourceMap(repo, options.revision, options.resource);
  const source = createNodeSource((id) => repo.store.get(id));
  const value = await getMapValue(source, map, options.path);
  if (!value)
    throw new NotFoundError(`${options.resource}/${options.path} is not in ${options.revision}`, {
      what: 'file',
      resource: options.resource,
      path: options.path,
      revision: options.revision,
    });
  return { ...decodeFileEntry(value), commit };
}

/**
 * Streams a file's content (bytes `start..end` inclusive, default all) with bounded memory when
 * the store can stream; otherwise reads it whole. Content kept outside the store (`hashed`/`stat`
 * resources) is NotFoundError.
 */
export async function openFileContent(
  repo: Repository,
  entry: FileEntry,
  range?: { start: number; end: number },
): Promise<Readable> {
  if (!(await repo.store.has(entry.hash)))
    throw new NotFoundError('the content of this file is not in the object store', {
      what: 'content',
      hash: entry.hash,
    });
  const stream = await openFileContentStream(repo.store, entry, range);
  if (stream) return stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<Buffer>);
  const bytes = await readFileContent(repo.store, entry);
  return Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
}

/**
 * A file's content (bytes `start..end` inclusive, default all) as batches of buffers, for a
 * consumer that writes each batch out before asking for the next: a big file streams through a
 * few reused buffers, so a batch is valid only until the next one is asked for. The first batch
 * is read before this returns, so a missing or corrupt start is an error here, before any byte is
 * sent; a fault later ends the iteration with the error. Content kept outside the store is
 * NotFoundError.
 */
export async function openFileContentBatches(
  repo: Repository,
  entry: FileEntry,
  range?: { start: number; end: number },
): Promise<AsyncIterator<readonly Buffer[]>> {
  if (!(await repo.store.has(entry.hash)))
    throw new NotFoundError('the content of this file is not in the object store', {
      what: 'content',
      hash: entry.hash,
    });
  const batches = fileContentBatches(repo.store, entry, range);
  const first = await batches.next();
  let started = false;
  return {
    next: () => {
      if (started) return batches.next();
      started = true;
      return Promise.resolve(first);
    },
    return: (value?: unknown) => batches.return(value as undefined),
  };
}
