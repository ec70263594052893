import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Repository } from '../repository.js';

/** Bytes under `.strata/` (objects, catalog, staging): the repository's disk usage. */
export function repositoryDiskUsage(repo: Repository): number {
  const walk = (dir: string): number => {
    let total = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) total += walk(path);
      else if (entry.isFile()) total += statSync(path).size;
    }
    return total;
  };
  return walk(repo.strataDir);
}
