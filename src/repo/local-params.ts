import type { Repository } from './repository.js';

/**
 * Parameters of this working folder only (author name and email, host name), never versioned:
 * catalog rows keyed by the working folder (they were `.strata/local-params.json` once; older
 * repositories have that file adopted when they are opened).
 */
export async function readLocalParams(repo: Repository): Promise<Record<string, string>> {
  return repo.catalog.readLocalParams(await repo.catalog.workingFolderId());
}

/** Sets one parameter of this working folder. */
export async function writeLocalParam(repo: Repository, name: string, value: string): Promise<void> {
  await repo.catalog.setLocalParam(await repo.catalog.workingFolderId(), name, value);
}
