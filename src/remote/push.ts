import {
  ConflictError,
  InvalidArgumentError,
  NonFastForwardError,
  NotFoundError,
  RemoteRefusedError,
} from '../errors/index.js';
import { BRANCH_PREFIX, TAG_PREFIX, branchRef } from '../repo/refs/ref-name.js';
import { readHead } from '../repo/refs/refs.js';
import type { Repository } from '../repo/repository.js';
import type { RefUpdate } from './fetch.js';
import { isAncestor, packBytesFromEnv, setLocalRef, transferTempDir } from './local-refs.js';
import { openTransport } from './open-transport.js';
import { getRemote, trackingRef, transportOptions } from './remotes.js';
import { planTransfer } from './transfer/plan-transfer.js';
import { sendObjects, type TransferProgress } from './transfer/send-objects.js';

/** Options of `pushRemote`. */
export interface PushOptions {
  /** The branch to push (default: the current one); it lands under the same name. */
  readonly branch?: string;
  /** Also push every tag the remote lacks. */
  readonly tags?: boolean;
  /** Move the remote branch even when commits there would be lost. */
  readonly force?: boolean;
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** What `pushRemote` did. */
export interface PushResult {
  readonly remote: string;
  readonly url: string;
  readonly branch: string;
  /** Remote refs moved or created; empty when the remote was up to date. */
  readonly updated: readonly RefUpdate[];
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
}

/**
 * Pushes a branch (and with `tags`, the tags) to a remote. Refuses a non-fast-forward update
 * unless `force`; sends every object the remote lacks in verified packs, and only when all of them
 * are durable there moves each remote ref by compare-and-swap against what it read at the start:
 * of two racing pushers exactly one wins, the other gets `NonFastForwardError` (pull, then push).
 * A path remote that does not exist yet is created bare (DWS `publish`).
 */
export async function pushRemote(
  repo: Repository,
  name: string,
  options: PushOptions = {},
): Promise<PushResult> {
  const remote = await getRemote(repo, name);
  const { url } = remote;
  const branch = options.branch ?? (await readHead(repo)).branch;
  if (!branch) throw new InvalidArgumentError('HEAD is detached: name the branch to push', {});
  const tip = (await repo.catalog.getRef(branchRef(branch)))?.target;
  if (!tip)
    throw new NotFoundError(`branch '${branch}' has no commit to push`, { what: 'branch', name: branch });
  const transport = await openTransport(url, { ...transportOptions(remote), create: true });
  try {
    await transport.checkPushAllowed?.();
    const info = await transport.info();
    if (!info.bare && info.head === branch)
      throw new RemoteRefusedError(
        `remote ${url} has branch '${branch}' checked out in its working folder: push another branch, ` +
          'or push to a bare remote (one created by a push, or an S3 prefix) and pull there',
        { remote: url, branch },
      );
    const remoteRefs = new Map((await transport.listRefs()).map((r) => [r.name, r.target]));
    const wanted: RefUpdate[] = [];
    const oldTip = remoteRefs.get(branchRef(branch)) ?? null;
    if (oldTip !== tip) {
      if (oldTip && !options.force && !(await isAncestor(repo, oldTip, tip)))
        throw new NonFastForwardError(
          `remote branch '${branch}' has commits that '${branch}' here does not: pull first ` +
            `('strata pull ${name} ${branch}'), or push --force to drop them`,
          { remote: url, branch, remoteTip: oldTip, localTip: tip },
        );
      wanted.push({ ref: branchRef(branch), old: oldTip, new: tip });
    }
    if (options.tags) {
      for (const tag of await repo.catalog.listRefs(TAG_PREFIX)) {
        if (!tag.target) continue;
        const theirs = remoteRefs.get(tag.name) ?? null;
        if (theirs === tag.target) continue;
        if (theirs && !options.force)
          throw new NonFastForwardError(
            `tag '${tag.name.slice(TAG_PREFIX.length)}' points elsewhere on ${url}; tags never move (push --force replaces it)`,
            { remote: url, tag: tag.name, remoteTarget: theirs, localTarget: tag.target },
          );
        wanted.push({ ref: tag.name, old: theirs, new: tag.target });
      }
    }
    if (wanted.length === 0)
      return { remote: name, url, branch, updated: [], objects: 0, bytes: 0, packs: 0 };
    const plan = await planTransfer(repo.store, transport.objects, [...new Set(wanted.map((u) => u.new))]);
    const sent = await sendObjects(repo.store, transport.objects, plan, {
      tempDir: transferTempDir(repo, 'push'),
      remote: url,
      packBytes: packBytesFromEnv(),
      onProgress: options.onProgress,
    });
    // Every object is durable on the remote: now, and only now, the refs move.
    for (const update of wanted) {
      try {
        await transport.updateRef(update.ref, update.new, update.old);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        throw new NonFastForwardError(
          `${update.ref.startsWith(BRANCH_PREFIX) ? 'branch' : 'ref'} '${update.ref}' on ${url} moved while pushing ` +
            `(another push won): pull first ('strata pull ${name} ${branch}'), then push again`,
          { remote: url, ref: update.ref },
        );
      }
    }
    await setLocalRef(repo, trackingRef(name, branch), tip);
    return { remote: name, url, branch, updated: wanted, ...sent };
  } finally {
    await transport.close();
  }
}
