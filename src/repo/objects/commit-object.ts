import { CorruptObjectError } from '../../errors/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import type { ObjectId } from '../../util/hash.js';

/** One resource as a commit saw it: registration plus the root of its file map. */
export interface ResourceSnapshot {
  readonly role: string;
  readonly type: string;
  /** Path relative to the repository root, `/`-separated. */
  readonly path: string;
  /** Root id of the Merkle map path → FileEntry. */
  readonly map: ObjectId;
  readonly files: number;
  readonly bytes: number;
  /**
   * How contents were recorded when not stored (`hashed`: content hashes of files kept elsewhere;
   * `stat`: size and mtime only). Absent: the contents are in the store.
   */
  readonly content?: 'hashed' | 'stat';
  /** Restores never write a read-only resource. */
  readonly readOnly?: boolean;
  /** State its resource type records besides files (a git resource's `{ git: { commit, dirty } }`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/**
 * The root tree of a commit: one section per kind of versioned thing. Later capabilities add
 * sections (`columns`, `metadata`, `assets`, `lineage`); readers ignore sections they do not know.
 */
export interface RootTree {
  readonly resources: Readonly<Record<string, ResourceSnapshot>>;
  readonly [section: string]: unknown;
}

/** An immutable record of the whole repository state. Snapshot is another name for it. */
export interface Commit {
  readonly tree: ObjectId;
  readonly parents: readonly ObjectId[];
  readonly message: string;
  /** The author's name (see `resolveAuthor`). */
  readonly author: string;
  /** The author's email; absent in commits made without one (and in those of older versions). */
  readonly authorEmail?: string;
  /** ISO 8601, UTC. */
  readonly time: string;
  /** Tags given when the commit was made (tag refs may add more later). */
  readonly tags: readonly string[];
}

const COMMIT_TYPE = 'strata/commit@1';
const ROOT_TYPE = 'strata/root@1';

export function encodeCommit(commit: Commit): Buffer {
  return Buffer.from(canonicalJson({ type: COMMIT_TYPE, ...commit }));
}

export function encodeRootTree(root: RootTree): Buffer {
  return Buffer.from(canonicalJson({ type: ROOT_TYPE, ...root }));
}

function parseTyped(bytes: Uint8Array, id: ObjectId, type: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new CorruptObjectError(`object ${id} is not valid JSON`, { id, expected: type });
  }
  if (typeof value !== 'object' || value === null || (value as { type?: unknown }).type !== type) {
    throw new CorruptObjectError(`object ${id} is not a ${type}`, { id, expected: type });
  }
  return value as Record<string, unknown>;
}

export function decodeCommit(bytes: Uint8Array, id: ObjectId): Commit {
  const v = parseTyped(bytes, id, COMMIT_TYPE);
  if (typeof v.tree !== 'string' || !Array.isArray(v.parents) || typeof v.message !== 'string') {
    throw new CorruptObjectError(`commit ${id} lacks tree, parents or message`, { id });
  }
  return {
    tree: v.tree,
    parents: v.parents as string[],
    message: v.message,
    author: String(v.author ?? ''),
    ...(typeof v.authorEmail === 'string' ? { authorEmail: v.authorEmail } : {}),
    time: String(v.time ?? ''),
    tags: Array.isArray(v.tags) ? (v.tags as string[]) : [],
  };
}

export function decodeRootTree(bytes: Uint8Array, id: ObjectId): RootTree {
  const v = parseTyped(bytes, id, ROOT_TYPE);
  if (typeof v.resources !== 'object' || v.resources === null) {
    throw new CorruptObjectError(`root tree ${id} lacks resources`, { id });
  }
  const { type: _type, ...rest } = v;
  return rest as unknown as RootTree;
}
