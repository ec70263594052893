/** A ref row: a branch or tag (`target` = commit id), or HEAD (`symbolic` = the branch it follows). */
export interface RefRecord {
  readonly name: string;
  readonly target: string | null;
  readonly symbolic: string | null;
}

/** Branches, tags and HEAD: the one place a commit becomes visible (by compare-and-swap). */
export interface RefStore {
  getRef(name: string): Promise<RefRecord | undefined>;
  /** Refs whose name starts with `prefix` (e.g. `refs/heads/`), sorted by name. */
  listRefs(prefix?: string): Promise<RefRecord[]>;
  /**
   * Compare-and-swap: sets `name` to `target` only if it currently points at `expected` (`null`:
   * must not exist). Throws `ConflictError` otherwise. This is the single atomic step that makes a
   * commit visible.
   */
  updateRef(name: string, target: string, expected: string | null): Promise<void>;
  /** Sets a symbolic ref (HEAD following a branch) or a detached one (`target`). */
  setSymbolicRef(name: string, value: { symbolic: string } | { target: string }): Promise<void>;
  /** Deletes a ref; with `expected`, only if it still points there (`ConflictError` otherwise). */
  deleteRef(name: string, expected?: string): Promise<void>;
}
