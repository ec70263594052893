import { RemoteUnreachableError, isStrataError } from '../errors/index.js';
import type { OnDemandFetcher } from '../backends/on-demand-source.js';
import type { Catalog } from '../catalog/catalog.js';
import type { PartialClone } from '../repo/partial-clone.js';
import type { ObjectStore } from '../store/object-store.js';
import type { ObjectId } from '../util/hash.js';
import { openTransport } from './open-transport.js';
import { getRemote, transportOptions } from './remotes.js';
import { sendObjects } from './transfer/send-objects.js';
import type { Transport } from './transport.js';

/**
 * The fetcher of a partial clone: copies absent objects from the remote its record names, through
 * the same verified, packed transfer as `fetch` (batched `sizeMany`/`getMany`, big objects
 * streamed), so every object is hash-checked before it is stored here. The transport is opened on
 * the first fetch and kept for the rest of the command.
 */
export async function openOnDemandFetcher(
  repo: { catalog: Catalog; strataDir: string },
  record: PartialClone,
): Promise<OnDemandFetcher> {
  const remote = await getRemote(repo, record.remote);
  let transport: Transport | undefined;
  return {
    async fetch(ids: readonly ObjectId[], into: ObjectStore): Promise<void> {
      try {
        transport ??= await openTransport(remote.url, transportOptions(remote));
        await sendObjects(
          transport.objects,
          into,
          { chunks: [], files: ids.map((id) => ({ id })), nodes: [], trees: [], commits: [], walked: 0 },
          { tempDir: `${repo.strataDir}/tmp/on-demand-${process.pid}-${Date.now()}`, remote: remote.url },
        );
      } catch (err) {
        if (isStrataError(err) && err.code === 'E_CORRUPT_TRANSFER') throw err;
        const reason = err instanceof Error ? err.message : String(err);
        const more = ids.length > 1 ? ` (and ${ids.length - 1} more)` : '';
        throw new RemoteUnreachableError(
          `object ${ids[0]}${more} is not in this partial clone and could not be fetched from remote ` +
            `'${remote.name}' (${remote.url}): ${reason}`,
          { remote: remote.url, id: ids[0], absent: ids.length },
        );
      }
    },
    async close(): Promise<void> {
      await transport?.close();
    },
  };
}
