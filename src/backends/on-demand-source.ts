import { RemoteUnreachableError } from '../errors/index.js';
import type { Catalog } from '../catalog/catalog.js';
import type { PartialClone } from '../repo/partial-clone.js';
import type { ObjectStore } from '../store/object-store.js';
import { OnDemandObjectStore } from '../store/on-demand/on-demand-store.js';
import type { ObjectId } from '../util/hash.js';

/** Fetches absent objects of a partial clone from its remote (the remote layer provides it). */
export interface OnDemandFetcher {
  fetch(ids: readonly ObjectId[], into: ObjectStore): Promise<void>;
  close(): Promise<void>;
}

/** Opens the fetcher of a partial clone: called on the first miss only, never at open. */
export type OnDemandSource = (
  repo: { catalog: Catalog; strataDir: string },
  record: PartialClone,
) => Promise<OnDemandFetcher>;

let registered: OnDemandSource | undefined;

/**
 * The remote layer sits above the composition root, so it hands its fetcher down here (the
 * public API registers it before opening a repository) rather than being imported.
 */
export function registerOnDemandSource(source: OnDemandSource): void {
  registered = source;
}

/**
 * A partial clone's store: its local store, plus on-demand fetching from the remote its record
 * names. The remote is reached on the first miss only; a repository that finds everything here
 * never opens it.
 */
export function onDemandStore(
  local: ObjectStore,
  repo: { catalog: Catalog; strataDir: string },
  record: PartialClone,
): OnDemandObjectStore {
  let fetcher: Promise<OnDemandFetcher> | undefined;
  return new OnDemandObjectStore(
    local,
    async (ids, into) => {
      if (!registered)
        throw new RemoteUnreachableError(
          `object ${ids[0]} is not in this partial clone and this program cannot fetch it from remote '${record.remote}' ` +
            '(open the repository through the strata API)',
          { remote: record.remote, id: ids[0] },
        );
      fetcher ??= registered(repo, record);
      fetcher.catch(() => (fetcher = undefined));
      await (await fetcher).fetch(ids, into);
    },
    async () => {
      if (fetcher) await (await fetcher.catch(() => undefined))?.close();
    },
  );
}
