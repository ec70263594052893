import { NotFoundError, InvalidArgumentError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { readCommit } from '../objects/read-objects.js';
import type { Repository } from '../repository.js';
import { BRANCH_PREFIX, TAG_PREFIX, branchRef, tagRef } from './ref-name.js';

/** Where HEAD points: a branch (possibly unborn: no commit yet) or a detached commit. */
export interface HeadState {
  /** The branch HEAD follows, or null when detached. */
  readonly branch: string | null;
  /** The commit HEAD resolves to, or null on an unborn branch. */
  readonly commit: ObjectId | null;
}

export async function readHead(repo: Repository): Promise<HeadState> {
  const head = await repo.catalog.getRef('HEAD');
  if (!head) return { branch: 'main', commit: null };
  if (head.symbolic) {
    const branch = head.symbolic.startsWith(BRANCH_PREFIX)
      ? head.symbolic.slice(BRANCH_PREFIX.length)
      : head.symbolic;
    const ref = await repo.catalog.getRef(head.symbolic);
    return { branch, commit: ref?.target ?? null };
  }
  return { branch: null, commit: head.target };
}

/** A branch's head commit, or undefined when there is no such branch. */
export async function readBranch(repo: Repository, name: string): Promise<ObjectId | undefined> {
  return (await repo.catalog.getRef(branchRef(name)))?.target ?? undefined;
}

/** What a revision string resolved to. */
export interface ResolvedRevision {
  readonly commit: ObjectId;
  /** Set when the revision named a branch (checkout then follows it). */
  readonly branch?: string;
}

/**
 * Resolves a revision: `HEAD`, a branch, a tag, a full commit id or a unique prefix of at least 4
 * hex digits, each optionally followed by `~N` (N-th first parent) or `^` (first parent).
 */
export async function resolveRevision(repo: Repository, revision: string): Promise<ResolvedRevision> {
  const match = /^(.*?)((?:~\d*|\^)*)$/.exec(revision)!;
  const base = match[1]!;
  const suffix = match[2]!;
  if (base === '') throw new InvalidArgumentError(`invalid revision '${revision}'`, { revision });
  const resolved = await resolveBase(repo, base, revision);
  if (!suffix) return resolved;
  let commit = resolved.commit;
  for (const step of suffix.match(/~\d*|\^/g) ?? []) {
    const count = step === '^' || step === '~' ? 1 : Number(step.slice(1));
    for (let i = 0; i < count; i++) {
      const parent = (await readCommit(repo, commit)).parents[0];
      if (!parent)
        throw new NotFoundError(`revision '${revision}' goes past the first commit`, {
          what: 'revision',
          revision,
        });
      commit = parent;
    }
  }
  return { commit };
}

async function resolveBase(repo: Repository, base: string, revision: string): Promise<ResolvedRevision> {
  if (base === 'HEAD' || base === '@') {
    const head = await readHead(repo);
    if (!head.commit)
      throw new NotFoundError(`HEAD has no commit yet (branch '${head.branch}' is unborn)`, {
        what: 'revision',
        revision,
      });
    return head.branch ? { commit: head.commit, branch: head.branch } : { commit: head.commit };
  }
  const branch = await repo.catalog.getRef(branchRef(base));
  if (branch?.target) return { commit: branch.target, branch: base };
  const tag = await repo.catalog.getRef(tagRef(base));
  if (tag?.target) return { commit: tag.target };
  if (/^[0-9a-f]{4,64}$/.test(base)) {
    const matches = await findCommitsByPrefix(repo, base);
    if (matches.length === 1) return { commit: matches[0]! };
    if (matches.length > 1) {
      throw new InvalidArgumentError(`commit prefix '${base}' is ambiguous (${matches.length} commits)`, {
        revision,
        candidates: matches.slice(0, 10),
      });
    }
  }
  throw new NotFoundError(`unknown revision '${revision}' (not a branch, tag or commit)`, {
    what: 'revision',
    revision,
  });
}

/** Commits reachable from any ref whose id starts with `prefix`. */
async function findCommitsByPrefix(repo: Repository, prefix: string): Promise<ObjectId[]> {
  const found = new Set<ObjectId>();
  for (const id of await reachableCommits(repo)) if (id.startsWith(prefix)) found.add(id);
  return [...found];
}

/** Every commit reachable from a branch, a tag or HEAD. */
export async function reachableCommits(repo: Repository): Promise<Set<ObjectId>> {
  const refs = await repo.catalog.listRefs();
  const seen = new Set<ObjectId>();
  const stack = refs.map((r) => r.target).filter((t): t is string => !!t);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(await readCommit(repo, id)).parents);
  }
  return seen;
}

/** Tag names per commit id, for log and show. */
export async function tagsByCommit(repo: Repository): Promise<Map<ObjectId, string[]>> {
  const map = new Map<ObjectId, string[]>();
  for (const ref of await repo.catalog.listRefs(TAG_PREFIX)) {
    if (!ref.target) continue;
    const list = map.get(ref.target) ?? [];
    list.push(ref.name.slice(TAG_PREFIX.length));
    map.set(ref.target, list);
  }
  return map;
}

/** Branch names per commit id, for log decorations. */
export async function branchesByCommit(repo: Repository): Promise<Map<ObjectId, string[]>> {
  const map = new Map<ObjectId, string[]>();
  for (const ref of await repo.catalog.listRefs(BRANCH_PREFIX)) {
    if (!ref.target) continue;
    const list = map.get(ref.target) ?? [];
    list.push(ref.name.slice(BRANCH_PREFIX.length));
    map.set(ref.target, list);
  }
  return map;
}
