import type { ObjectId } from '../../util/hash.js';
import type { Commit } from '../objects/commit-object.js';
import { readCommit } from '../objects/read-objects.js';
import { branchesByCommit, readHead, resolveRevision, tagsByCommit } from '../refs/refs.js';
import { isShallowEdge, readPartialClone } from '../partial-clone.js';
import type { Repository } from '../repository.js';

/** A commit as `log` lists it. */
export interface LogEntry extends Commit {
  readonly id: ObjectId;
  /** Tag refs on this commit (a superset of the tags recorded in it). */
  readonly tags: readonly string[];
  readonly branches: readonly string[];
  readonly isHead: boolean;
  /** True at the edge of a shallow clone: its parents are absent by design (history stops here). */
  readonly shallow?: boolean;
}

/** Options of `log`. */
export interface LogOptions {
  /** Start points (default HEAD); `all` starts from every branch and tag. */
  readonly revisions?: readonly string[];
  readonly all?: boolean;
  readonly limit?: number;
}

/**
 * Commits reachable from the start points, newest first: a commit is listed only after every
 * commit that has it as parent (topological), ties broken by time, so graphs draw cleanly.
 */
export async function log(repo: Repository, options: LogOptions = {}): Promise<LogEntry[]> {
  const head = await readHead(repo);
  let starts: ObjectId[];
  if (options.all) {
    starts = (await repo.catalog.listRefs()).map((r) => r.target).filter((t): t is string => !!t);
  } else if (options.revisions && options.revisions.length > 0) {
    starts = await Promise.all(options.revisions.map(async (r) => (await resolveRevision(repo, r)).commit));
  } else {
    starts = head.commit ? [head.commit] : [];
  }
  const commits = new Map<ObjectId, Commit>();
  const stack = [...starts];
  // A shallow clone's history stops at its edge: the parents there are on the remote only.
  const partial = await readPartialClone(repo);
  const edges = new Set<ObjectId>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (commits.has(id)) continue;
    const c = await readCommit(repo, id);
    commits.set(id, c);
    if (isShallowEdge(partial, id)) edges.add(id);
    else stack.push(...c.parents);
  }
  // Kahn's algorithm over child → parent edges, newest ready commit first.
  const children = new Map<ObjectId, number>();
  for (const c of commits.values()) for (const p of c.parents) children.set(p, (children.get(p) ?? 0) + 1);
  const ready = [...commits.keys()].filter((id) => !children.get(id));
  const ordered: ObjectId[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (commits.get(a)!.time < commits.get(b)!.time ? 1 : -1));
    const id = ready.shift()!;
    ordered.push(id);
    for (const p of commits.get(id)!.parents) {
      const left = children.get(p)! - 1;
      children.set(p, left);
      if (left === 0 && commits.has(p)) ready.push(p);
    }
  }
  const tags = await tagsByCommit(repo);
  const branches = await branchesByCommit(repo);
  const limited = options.limit !== undefined ? ordered.slice(0, options.limit) : ordered;
  return limited.map((id) => ({
    ...commits.get(id)!,
    id,
    tags: [...new Set([...(tags.get(id) ?? [])])].sort(),
    branches: (branches.get(id) ?? []).sort(),
    isHead: head.commit === id,
    ...(edges.has(id) ? { shallow: true } : {}),
  }));
}
