import type { ObjectWriter } from '../../store/object-store.js';
import type { ObjectId } from '../../util/hash.js';
import type { MergeStrategy } from '../merkle/merge-maps.js';
import type { Repository } from '../repository.js';
import type { SectionValue } from './create-commit.js';

/** What a section provider is told about the snapshot being made. */
export interface SectionContext {
  readonly repo: Repository;
  readonly message: string;
  readonly tags: readonly string[];
}

/**
 * A capability that adds a section to every commit (lineage, metrics, ...). Capabilities live
 * above the repository layer, so they hand their providers to the snapshot verb of the public
 * API, which gathers the sections and passes them to `commit({ sections })`.
 */
export interface SectionProvider {
  /** The root-tree key, e.g. `lineage`. Never `resources`. */
  readonly section: string;
  /**
   * True for a section that belongs to one snapshot only (metrics of the results it filed away):
   * when `prepare` returns undefined the parent's section is dropped instead of carried over.
   */
  readonly perSnapshot?: boolean;
  /**
   * Called before the commit, holding no lock. Returns the section (with `refs` naming every
   * stored object it depends on, already durable) or undefined to leave the parent's section.
   */
  prepare(context: SectionContext): Promise<SectionValue | undefined>;
  /** Called once the commit is visible (e.g. to record that the current lineage was saved). */
  committed?(context: SectionContext & { readonly commit: ObjectId }): Promise<void>;
  /**
   * Called by a merge into `branch` under its locks, before anything else: throws to refuse the
   * merge (e.g. staged work of this section that the merge commit would leave behind).
   */
  beforeMerge?(context: BeforeMergeContext): Promise<void>;
  /**
   * Three-way merge of this section for a merge commit. Without this hook the merge commit keeps
   * our side's section. Conflicts refuse the merge unless a strategy resolved them; new objects go
   * to `writer`, which is committed only when the merge goes ahead.
   */
  merge?(context: SectionMergeContext): Promise<SectionMergeResult>;
}

/** What `beforeMerge` is told: the branch merged into and its head (null on an unborn branch). */
export interface BeforeMergeContext {
  readonly repo: Repository;
  readonly branch: string;
  readonly head: ObjectId | null;
}

/**
 * One side of a three-way merge: the commit (null for the base of unrelated histories) and this
 * section's value in it (undefined when the commit has no such section).
 */
export interface MergeSide {
  readonly commit: ObjectId | null;
  readonly value: unknown;
}

/** What a section's `merge` hook is given. */
export interface SectionMergeContext {
  readonly repo: Repository;
  readonly base: MergeSide;
  readonly ours: MergeSide;
  readonly theirs: MergeSide;
  /** Resolve every conflict to that side (conflicts are still reported); none: conflicts refuse. */
  readonly strategy: MergeStrategy | undefined;
  readonly writer: ObjectWriter;
}

/** A conflict a section reports: `kind` plus whatever names the place (e.g. `column`, `key`). */
export interface SectionConflict {
  readonly kind: string;
}

/** The merged section (null: the merge commit has none) and the conflicts found. */
export interface SectionMergeResult<C extends SectionConflict = SectionConflict> {
  readonly value: SectionValue | null;
  readonly conflicts: readonly C[];
}
