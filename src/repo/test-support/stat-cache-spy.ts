import type { Repository } from '../repository.js';

/** What a spied catalog was asked for: whole resources' stat caches, and folders by name. */
export interface StatCacheLoads {
  readonly whole: string[];
  readonly folders: string[][];
}

/** Records every stat-cache load `repo`'s catalog makes from now on (to prove a scan's O(changes)). */
export function spyOnStatCache(repo: Repository): StatCacheLoads {
  const seen = { whole: [] as string[], folders: [] as string[][] };
  const catalog = repo.catalog as unknown as Record<string, (...a: unknown[]) => unknown>;
  const whole = catalog.loadStatCache!.bind(catalog);
  const some = catalog.loadStatCacheFolders!.bind(catalog);
  catalog.loadStatCache = (resource) => (seen.whole.push(resource as string), whole(resource));
  catalog.loadStatCacheFolders = (resource, folders) => (
    seen.folders.push([...(folders as string[])].sort()),
    some(resource, folders)
  );
  return seen;
}
