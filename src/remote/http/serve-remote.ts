import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { CorruptTransferError, InvalidArgumentError, NotFoundError } from '../../errors/index.js';
import {
  ByteReader,
  FRAME_HEADER_BYTES,
  frameHeader,
  parseFrameHeader,
} from '../../protocol/remote-frames.js';
import { REMOTE_PROTOCOL, type RemoteInfoBody } from '../../protocol/remote.js';
import type { Repository } from '../../repo/repository.js';
import { createHasher, hashBytes, type ObjectId } from '../../util/hash.js';
import { BARE_KEY } from '../path/path-transport.js';

/**
 * The server side of the `http` transport: what `strata serve`'s `/api/remote/…` routes call. The
 * served repository's own catalog and store do the work, exactly as for a path remote.
 */

/** Objects at least this big are streamed through a temp file on arrival, never held whole. */
const BIG_OBJECT = 4 * 1024 * 1024;

/** Protocol version, HEAD's branch, bareness and every branch and tag. */
export async function describeServedRemote(repo: Repository): Promise<RemoteInfoBody> {
  const head = (await repo.catalog.getRef('HEAD'))?.symbolic;
  const refs = [
    ...(await repo.catalog.listRefs('refs/heads/')),
    ...(await repo.catalog.listRefs('refs/tags/')),
  ];
  return {
    protocol: REMOTE_PROTOCOL,
    head: head?.startsWith('refs/heads/') ? head.slice('refs/heads/'.length) : null,
    bare: (await repo.catalog.getConfig(BARE_KEY)) === 'true',
    refs: refs
      .filter((r): r is typeof r & { target: string } => typeof r.target === 'string')
      .map((r) => ({ name: r.name, target: r.target })),
  };
}

/**
 * Sizes of `ids`, looked up as one batch when the store can (one index query for a `sizes`
 * request of 2,000 ids, not 2,000); `NotFoundError` for one the repository lacks.
 */
export async function sizesOf(repo: Repository, ids: readonly ObjectId[]): Promise<Record<ObjectId, number>> {
  const out: Record<ObjectId, number> = {};
  if (repo.store.sizeMany) for (const [id, size] of await repo.store.sizeMany(ids)) out[id] = size;
  else for (const id of ids) out[id] = await repo.store.size(id);
  return out;
}

/**
 * The frames of `ids` (each verified as it is read), produced a batch at a time: memory holds one
 * read batch, whatever the number of ids. Big objects are streamed from the store.
 */
export async function* objectFrames(repo: Repository, ids: readonly ObjectId[]): AsyncIterable<Buffer> {
  const sizes = await sizesOf(repo, ids);
  let batch: ObjectId[] = [];
  let batchBytes = 0;
  const flush = async function* () {
    const data = await repo.store.getMany(batch);
    for (const id of batch) {
      const bytes = data.get(id)!;
      yield frameHeader(id, bytes.byteLength);
      yield bytes;
    }
    batch = [];
    batchBytes = 0;
  };
  for (const id of ids) {
    const size = sizes[id]!;
    if (size >= BIG_OBJECT) {
      yield* flush();
      yield frameHeader(id, size);
      if (!repo.store.openReadStream) {
        yield await repo.store.get(id);
        continue;
      }
      for await (const chunk of await repo.store.openReadStream(id)) yield chunk as Buffer;
      continue;
    }
    batch.push(id);
    batchBytes += size;
    if (batchBytes >= BIG_OBJECT) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

/**
 * Receives one pack: frames read from `body` as they arrive, each object hashed and refused
 * (`CorruptTransferError`, nothing of the pack kept) when its bytes do not match its id, all of
 * them made durable together by one writer commit. Big objects stream through a temp file.
 */
export async function receivePack(
  repo: Repository,
  body: AsyncIterable<Uint8Array>,
): Promise<{ objects: number; bytes: number }> {
  const reader = new ByteReader(body);
  const writer = repo.store.createWriter();
  const tempDir = join(
    repo.strataDir,
    'tmp',
    `receive-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  );
  let objects = 0;
  let bytes = 0;
  try {
    while (!(await reader.atEnd())) {
      const { id, length } = parseFrameHeader(await reader.read(FRAME_HEADER_BYTES));
      if (length < BIG_OBJECT) {
        // Hashed here, then handed over as read: the writer neither hashes nor copies it again.
        const data = await reader.read(length);
        const actual = hashBytes(data);
        if (actual !== id) throw altered(id, actual);
        if (writer.addVerified) await writer.addVerified(id, data);
        else await writer.add(data);
      } else {
        mkdirSync(tempDir, { recursive: true });
        const path = join(tempDir, id);
        const hasher = createHasher();
        const out = createWriteStream(path, { flags: 'wx' });
        for await (const chunk of reader.stream(length)) {
          hasher.update(chunk);
          if (!out.write(chunk)) await once(out, 'drain');
        }
        out.end();
        await once(out, 'close');
        const actual = hasher.digest();
        if (actual !== id) throw altered(id, actual);
        const added = await writer.addFile(path);
        rmSync(path, { force: true });
        if (added.id !== id) throw altered(id, added.id);
      }
      objects += 1;
      bytes += length;
    }
    await writer.commit();
    return { objects, bytes };
  } catch (err) {
    await writer.abort().catch(() => {});
    if ((err as { code?: unknown }).code === 'E_TRUNCATED_STREAM')
      throw new InvalidArgumentError('the pack upload was cut short: nothing of it was kept', {});
    throw err;
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

function altered(id: ObjectId, actual: ObjectId): CorruptTransferError {
  return new CorruptTransferError(
    `object ${id} arrived with bytes that hash to ${actual}: the pack was refused, nothing was referenced`,
    { id, actual },
  );
}

/**
 * Moves a branch or tag by compare-and-swap, only when the target commit is stored here: a push
 * sends every object first, so a ref never points at something this repository lacks.
 */
export async function updateServedRef(
  repo: Repository,
  name: string,
  target: ObjectId,
  expected: ObjectId | null,
): Promise<void> {
  if (!(await repo.store.has(target)))
    throw new NotFoundError(`commit ${target} is not stored here: send its objects before moving ${name}`, {
      what: 'object',
      id: target,
    });
  // The catalog's compare-and-swap: `ConflictError` (HTTP 409) when another push moved it first.
  await repo.catalog.updateRef(name, target, expected);
}
