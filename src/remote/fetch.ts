import { TAG_PREFIX } from '../repo/refs/ref-name.js';
import { readPartialClone, writePartialClone, type PartialClone } from '../repo/partial-clone.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import { packBytesFromEnv, setLocalRef, transferTempDir } from './local-refs.js';
import { openTransport } from './open-transport.js';
import { getRemote, trackingRef, transportOptions } from './remotes.js';
import { planTransfer, type DataFilter } from './transfer/plan-transfer.js';
import { sendObjects, type TransferProgress } from './transfer/send-objects.js';
import type { Transport } from './transport.js';

/** A ref a fetch moved (or created: `old` null). */
export interface RefUpdate {
  readonly ref: string;
  readonly old: ObjectId | null;
  readonly new: ObjectId;
}

/** What `fetchRemote` did. */
export interface FetchResult {
  readonly remote: string;
  readonly url: string;
  /** The branch the remote's HEAD follows. */
  readonly head: string | null;
  readonly updated: readonly RefUpdate[];
  /** Tags the remote has that point elsewhere here: kept as they are (tags never move). */
  readonly tagsKept: readonly string[];
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
}

/** Options of `fetchRemote`. */
export interface FetchOptions {
  readonly filter?: DataFilter;
  readonly onProgress?: (progress: TransferProgress) => void;
  /** An already open transport to the remote (clone opens it before creating anything). */
  readonly transport?: Transport;
}

/**
 * Fetches every branch and tag of a remote: negotiates what this repository lacks, copies it in
 * verified packs, then (only then) moves `refs/remotes/<remote>/<branch>` and creates tags this
 * repository does not have. Local branches are never touched (`pull` merges).
 */
export async function fetchRemote(
  repo: Repository,
  name: string,
  options: FetchOptions = {},
): Promise<FetchResult> {
  const remote = await getRemote(repo, name);
  const { url } = remote;
  const transport = options.transport ?? (await openTransport(url, transportOptions(remote)));
  try {
    const info = await transport.info();
    const refs = await transport.listRefs();
    // A partial clone keeps its filter and depth on every later fetch: new commits come with
    // their trees, and contents only of the resources it cloned.
    const partial = await readPartialClone(repo);
    const filter = options.filter ?? (partial ? dataFilterOf(partial) : undefined);
    const plan = await planTransfer(
      transport.objects,
      repo.store,
      [...new Set(refs.map((r) => r.target))],
      filter,
      partial?.depth !== undefined ? { depth: partial.depth } : {},
    );
    // The edge is recorded before its commits land: fsck never meets one without knowing it.
    if (partial && plan.shallow && plan.shallow.length > 0)
      await writePartialClone(repo, {
        ...partial,
        shallow: [...new Set([...(partial.shallow ?? []), ...plan.shallow])],
      });
    const sent = await sendObjects(transport.objects, repo.store, plan, {
      tempDir: transferTempDir(repo, 'fetch'),
      remote: url,
      packBytes: packBytesFromEnv(),
      onProgress: options.onProgress,
    });
    const updated: RefUpdate[] = [];
    const tagsKept: string[] = [];
    for (const ref of refs) {
      if (ref.name.startsWith('refs/heads/')) {
        const local = trackingRef(name, ref.name.slice('refs/heads/'.length));
        const old = await setLocalRef(repo, local, ref.target);
        if (old !== ref.target) updated.push({ ref: local, old, new: ref.target });
      } else if (ref.name.startsWith(TAG_PREFIX)) {
        const mine = await repo.catalog.getRef(ref.name);
        if (!mine?.target) {
          await repo.catalog.updateRef(ref.name, ref.target, null);
          updated.push({ ref: ref.name, old: null, new: ref.target });
        } else if (mine.target !== ref.target) tagsKept.push(ref.name.slice(TAG_PREFIX.length));
      }
    }
    return { remote: name, url, head: info.head, updated, tagsKept, ...sent };
  } finally {
    if (!options.transport) await transport.close();
  }
}

/** The contents a partial clone's fetches carry: those of the resources it cloned. */
export function dataFilterOf(partial: PartialClone): DataFilter {
  return {
    data: partial.data,
    ...(partial.only ? { only: new Set(partial.only) } : {}),
    ...(partial.skip ? { skip: new Set(partial.skip) } : {}),
  };
}
