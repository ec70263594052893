/**
 * State that belongs to one working folder and is not committed yet: staged capability sections,
 * the current lineage, this folder's parameters. It lives in the catalog (so a shared repository
 * holds it in PostgreSQL, like everything else mutable) under the working folder's id: other
 * working folders never read it, and see the work only once it is committed.
 */

/** Where a write that finds a row already there goes: replace it (default) or keep it (adoption). */
export interface WriteOptions {
  /** Leave an existing row alone (adopting legacy files must never overwrite newer state). */
  readonly keepExisting?: boolean;
}

/** One staged section: JSON text a capability wrote for a branch of a working folder. */
export interface StagedSection {
  readonly workingFolder: string;
  readonly branch: string;
  readonly section: string;
  readonly value: string;
}

/** Staged, not yet committed section state (e.g. column changes), per working folder and branch. */
export interface StagedSectionStore {
  readStaged(workingFolder: string, branch: string, section: string): Promise<string | undefined>;
  /** Replaces (or with `keepExisting`, only creates) one section's staged state. */
  writeStaged(
    workingFolder: string,
    branch: string,
    section: string,
    value: string,
    options?: WriteOptions,
  ): Promise<void>;
  /** Drops one section's staged state on a branch; nothing when there is none. */
  clearStaged(workingFolder: string, branch: string, section: string): Promise<void>;
  /**
   * Staged sections sorted by (working folder, branch, section): of one working folder (and
   * branch) or, with no filter, of every working folder (gc keeps all their data alive).
   */
  listStaged(filter?: {
    readonly workingFolder?: string;
    readonly branch?: string;
  }): Promise<StagedSection[]>;
}

/**
 * The current lineage of each branch of a working folder, as JSON text. `head` is the branch
 * name, or `DETACHED_HEAD` ('') for the one state of a detached HEAD (no branch has an empty name).
 */
export interface CurrentLineageStore {
  readLineage(workingFolder: string, head: string): Promise<string | undefined>;
  writeLineage(workingFolder: string, head: string, state: string, options?: WriteOptions): Promise<void>;
  /** Forgets one state; nothing when there is none. */
  removeLineage(workingFolder: string, head: string): Promise<void>;
}

/** The `head` of a detached HEAD's lineage. */
export const DETACHED_HEAD = '';

/** Parameters of one working folder (author name and email, host name), never shared. */
export interface LocalParamStore {
  /** Every parameter set in the working folder ({} when none). */
  readLocalParams(workingFolder: string): Promise<Record<string, string>>;
  setLocalParam(workingFolder: string, name: string, value: string, options?: WriteOptions): Promise<void>;
}

/**
 * Which working folder this catalog object serves: an id made on first use and kept in the
 * folder's own (local) catalog, so two working folders of one shared catalog never share it.
 */
export interface WorkingFolderIdentity {
  workingFolderId(): Promise<string>;
}
