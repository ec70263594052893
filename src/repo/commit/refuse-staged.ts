import { UncommittedChangesError } from '../../errors/index.js';
import { stagedSections } from '../maintenance/staged-roots.js';
import { readHead } from '../refs/refs.js';
import type { Repository } from '../repository.js';

/**
 * Refuses a commit that would not include the current branch's staged changes (used by committers
 * that take no staged section, such as `assets create` and `compute commit`): a commit must never
 * leave its branch's staged changes behind. Any staged state of the branch counts, even an
 * unreadable one. A section `columns` is named as `column` changes, dropped with `strata column reset`.
 */
export async function refuseStagedChanges(repo: Repository, verb: string): Promise<void> {
  const { branch } = await readHead(repo);
  if (!branch) return;
  const section = (await stagedSections(repo, branch))[0];
  if (section === undefined) return;
  const noun = section.replace(/s$/, '');
  throw new UncommittedChangesError(
    `branch '${branch}' has staged ${noun} changes that ${verb} would not commit; commit them first with 'strata commit', or drop them with 'strata ${noun} reset'`,
    { branch, staged: section },
  );
}
