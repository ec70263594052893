import { isStrataError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { decodeChunkManifest } from '../../store/chunked/index.js';
import { decodeMapNode } from '../merkle/map-node.js';
import { decodeCommit, decodeRootTree } from '../objects/commit-object.js';
import { decodeFileEntry } from '../objects/file-entry.js';
import type { Repository } from '../repository.js';
import { readStagedRoots } from './staged-roots.js';
import { isShallowEdge, readPartialClone } from '../partial-clone.js';
import { localObjects } from '../../store/on-demand/on-demand-store.js';

type QueueItem = { id: ObjectId; kind: ObjectProblem['kind']; from: string; external?: boolean };

/**
 * Sections and staged state name what they depend on: `refs` (objects read whole, e.g. data
 * chunks), `maps` (roots of Merkle maps whose nodes are walked but whose leaf values are the
 * section's own business) and `trees` (maps whose leaves are file entries, walked down to the
 * objects they name). See CommitOptions.sections.
 */
function queueSectionRoots(queue: QueueItem[], section: unknown, from: string): void {
  if (typeof section !== 'object' || section === null) return;
  const { refs, maps, trees } = section as { refs?: unknown; maps?: unknown; trees?: unknown };
  if (Array.isArray(refs))
    for (const id of refs) if (typeof id === 'string') queue.push({ id, kind: 'file', from });
  if (Array.isArray(maps))
    for (const id of maps) if (typeof id === 'string') queue.push({ id, kind: 'node', from, external: true });
  // `trees`: maps whose leaves are file entries of stored objects (volume chunk maps).
  if (Array.isArray(trees))
    for (const id of trees) if (typeof id === 'string') queue.push({ id, kind: 'node', from });
}

/** A problem found while walking the object graph. */
export interface ObjectProblem {
  readonly object: ObjectId;
  /** `missing`, `corrupt` (hash mismatch), or `malformed` (right hash, undecodable). */
  readonly problem: 'missing' | 'corrupt' | 'malformed';
  readonly detail: string;
  /** What kind of object it should have been and who refers to it. */
  readonly kind: 'commit' | 'tree' | 'node' | 'file' | 'manifest';
  readonly referencedBy?: string;
}

/** Options of `walkReachable`. */
export interface WalkOptions {
  /** Read and re-hash every object, file contents included (fsck). Without it, only structure is read. */
  readonly verifyContents?: boolean;
  readonly onProgress?: (visited: number) => void;
}

/**
 * Walks every object reachable from the refs: commits and their parents, root trees, map nodes and
 * file contents. Returns the reachable ids and the problems met; one bad object never stops the walk.
 */
export async function walkReachable(
  repo: Repository,
  options: WalkOptions = {},
): Promise<{ reachable: Set<ObjectId>; problems: ObjectProblem[]; absent: AbsentByDesign }> {
  // A partial clone is checked as it is: what it left out is counted, never fetched to be checked.
  const partial = await readPartialClone(repo);
  const store = localObjects(repo.store);
  const absent = { contents: 0, history: 0 };
  const reachable = new Set<ObjectId>();
  const problems: ObjectProblem[] = [];
  const visited = new Set<string>();
  // `external`: a map whose leaves are not file entries of the store (local and git resources,
  // section maps).
  type Item = QueueItem;
  const queue: Item[] = [];
  for (const ref of await repo.catalog.listRefs())
    if (ref.target) queue.push({ id: ref.target, kind: 'commit', from: ref.name });
  // Staged state that is not committed yet (a column writer's data) is alive too.
  for (const [name, value] of await readStagedRoots(repo)) queueSectionRoots(queue, value, `staged ${name}`);

  const read = async (item: Item): Promise<Buffer | undefined> => {
    try {
      return await store.get(item.id);
    } catch (err) {
      if (isAbsentByDesign(item, err)) absent.contents += 1;
      else problems.push(toProblem(item, err));
      return undefined;
    }
  };

  while (queue.length > 0) {
    const item = queue.pop()!;
    // A map node shared by a stored and an external resource is expanded once for each, so the
    // stored resource's file contents are always reached.
    const visit = item.external ? `x${item.id}` : item.id;
    if (visited.has(visit)) continue;
    visited.add(visit);
    reachable.add(item.id);
    options.onProgress?.(reachable.size);
    if (item.kind === 'file') {
      if (!options.verifyContents) continue;
      try {
        await store.verify(item.id);
      } catch (err) {
        if (isAbsentByDesign(item, err)) absent.contents += 1;
        else problems.push(toProblem(item, err));
      }
      continue;
    }
    const bytes = await read(item);
    if (!bytes) continue;
    try {
      if (item.kind === 'manifest') {
        for (const chunk of decodeChunkManifest(bytes, item.id).chunks)
          queue.push({ id: chunk.id, kind: 'file', from: `${item.from} (manifest ${item.id})` });
      } else if (item.kind === 'commit') {
        const c = decodeCommit(bytes, item.id);
        queue.push({ id: c.tree, kind: 'tree', from: `commit ${item.id}` });
        for (const p of c.parents) {
          // Beyond a shallow clone's edge, history is absent by design (a commit read there on
          // demand came without its tree: it is not walked, and gc may drop it).
          if (isShallowEdge(partial, item.id)) absent.history += 1;
          else queue.push({ id: p, kind: 'commit', from: `commit ${item.id}` });
        }
      } else if (item.kind === 'tree') {
        const t = decodeRootTree(bytes, item.id);
        for (const [name, r] of Object.entries(t.resources))
          queue.push({
            id: r.map,
            kind: 'node',
            from: `resource ${name} of tree ${item.id}`,
            external: r.content !== undefined,
          });
        for (const [name, section] of Object.entries(t)) {
          if (name !== 'resources') queueSectionRoots(queue, section, `section ${name} of tree ${item.id}`);
        }
      } else {
        const node = decodeMapNode(bytes, item.id);
        if (node.kind === 'internal') {
          for (const c of node.children)
            queue.push({ id: c.id, kind: 'node', from: `node ${item.id}`, external: item.external });
        } else if (!item.external) {
          for (const e of node.entries) {
            const entry = decodeFileEntry(e.value, `node ${item.id}`);
            // A big file's manifest is read (and verified) always: its chunks are what keeps the
            // file alive, so gc must reach them.
            queue.push({ id: entry.hash, kind: entry.chunked ? 'manifest' : 'file', from: e.key });
          }
        }
      }
    } catch (err) {
      problems.push({
        object: item.id,
        problem: 'malformed',
        detail: (err as Error).message,
        kind: item.kind,
        referencedBy: item.from,
      });
    }
  }
  return { reachable, problems, absent };

  /** A content object a partial clone never fetched (its remote has it). */
  function isAbsentByDesign(item: QueueItem, err: unknown): boolean {
    return (
      partial !== undefined &&
      (item.kind === 'file' || item.kind === 'manifest') &&
      isStrataError(err) &&
      err.code === 'E_NOT_FOUND'
    );
  }
}

/** What a partial clone lacks on purpose: contents it did not fetch, commits beyond a shallow edge. */
export interface AbsentByDesign {
  /** File contents, chunks and column data left on the remote. */
  contents: number;
  /** Parents of the commits at the edge of a shallow history. */
  history: number;
}

function toProblem(
  item: { id: ObjectId; kind: ObjectProblem['kind']; from: string },
  err: unknown,
): ObjectProblem {
  const code = isStrataError(err) ? err.code : undefined;
  const problem = code === 'E_NOT_FOUND' ? 'missing' : code === 'E_HASH_MISMATCH' ? 'corrupt' : 'malformed';
  if (!isStrataError(err)) throw err;
  return { object: item.id, problem, detail: err.message, kind: item.kind, referencedBy: item.from };
}
