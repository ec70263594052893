import type { Repository } from '../api/index.js';

/** Options every command shares. */
export interface GlobalOptions {
  /** Run as if started in this folder (`-C`). */
  readonly cwd: string;
}

/** Opens the repository around the working folder, runs `work`, and always closes it. */
export async function withRepository<T>(
  global: GlobalOptions,
  work: (repo: Repository) => Promise<T>,
): Promise<T> {
  // The narrow entry: a command that needs more imports api/index.js itself.
  const { openRepository } = await import('../api/working-folder.js');
  const repo = await openRepository(global.cwd);
  try {
    return await work(repo);
  } finally {
    await repo.close();
  }
}
