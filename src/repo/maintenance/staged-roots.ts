import { CorruptObjectError } from '../../errors/index.js';
import type { Repository } from '../repository.js';

/**
 * Staged, not yet committed section state (a capability's JSON, e.g. column changes) lives in the
 * catalog, keyed by working folder and branch: another working folder of a shared repository
 * never sees it, and sees the work once it is committed.
 */

/** A section's staged state on a branch of this working folder (JSON text), if any. */
export async function readStagedSection(
  repo: Repository,
  branch: string,
  section: string,
): Promise<string | undefined> {
  return repo.catalog.readStaged(await repo.catalog.workingFolderId(), branch, section);
}

/** Replaces a section's staged state on a branch of this working folder (one row, atomically). */
export async function writeStagedSection(
  repo: Repository,
  branch: string,
  section: string,
  value: string,
): Promise<void> {
  await repo.catalog.writeStaged(await repo.catalog.workingFolderId(), branch, section, value);
}

/** Drops a section's staged state on a branch of this working folder. */
export async function clearStagedSection(repo: Repository, branch: string, section: string): Promise<void> {
  await repo.catalog.clearStaged(await repo.catalog.workingFolderId(), branch, section);
}

/** The sections with staged state on a branch of this working folder (an unreadable one counts). */
export async function stagedSections(repo: Repository, branch: string): Promise<string[]> {
  const rows = await repo.catalog.listStaged({ workingFolder: await repo.catalog.workingFolderId(), branch });
  return rows.map((r) => r.section);
}

/**
 * Every working folder's staged state with its parsed content, each named for messages. Each may
 * list `refs` and `maps` like a commit section; gc keeps those objects (whichever working folder
 * staged them) and fsck checks them.
 */
export async function readStagedRoots(repo: Repository): Promise<[string, unknown][]> {
  const rows = await repo.catalog.listStaged();
  return rows.map((row) => {
    const name = `${row.section} on branch '${row.branch}' of working folder ${row.workingFolder}`;
    try {
      return [name, JSON.parse(row.value)];
    } catch (err) {
      throw new CorruptObjectError(`staged ${name} is unreadable: ${(err as Error).message}`, {
        section: row.section,
        branch: row.branch,
        workingFolder: row.workingFolder,
      });
    }
  });
}
