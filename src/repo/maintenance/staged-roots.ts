import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptObjectError } from '../../errors/index.js';
import type { Repository } from '../repository.js';

/** The folder where capabilities keep staged, not yet committed state as JSON files. */
export const STAGE_DIR = 'stage';

/**
 * The file holding a section's staged state on a branch: `.strata/stage/<section>-<branch>.json`
 * (the branch URI-encoded; section names have no `-`, so the file name splits back unambiguously).
 */
export function stagedStatePath(repo: Repository, section: string, branch: string): string {
  return join(repo.strataDir, STAGE_DIR, `${section}-${encodeURIComponent(branch)}.json`);
}

/** The sections with staged state on a branch (a file there counts, even an unreadable one). */
export function stagedSections(repo: Repository, branch: string): string[] {
  const suffix = `-${encodeURIComponent(branch)}.json`;
  let files: string[];
  try {
    files = readdirSync(join(repo.strataDir, STAGE_DIR));
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith(suffix) && !f.slice(0, -suffix.length).includes('-'))
    .map((f) => f.slice(0, -suffix.length))
    .sort();
}

/**
 * Every staged-state file (`.strata/stage/*.json`) with its parsed content. Each may list `refs`
 * and `maps` like a commit section; gc keeps those objects and fsck checks them.
 */
export function readStagedRoots(repo: Repository): [string, unknown][] {
  const dir = join(repo.strataDir, STAGE_DIR);
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((file) => {
    try {
      return [file, JSON.parse(readFileSync(join(dir, file), 'utf8'))];
    } catch (err) {
      throw new CorruptObjectError(
        `staged state ${join(dir, file)} is unreadable: ${(err as Error).message}`,
        {
          path: join(dir, file),
        },
      );
    }
  });
}
