import type { ObjectId } from '../../util/hash.js';
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
}
