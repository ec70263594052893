import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptTransferError } from '../../errors/index.js';
import type { ObjectStore, ObjectWriter } from '../../store/object-store.js';
import type { RemoteObjects } from '../transport.js';
import { hashBytes, type ObjectId } from '../../util/hash.js';
import type { PlannedObject, TransferPlan } from './plan-transfer.js';

/** How far a transfer has come: objects and bytes landed of those planned. */
export interface TransferProgress {
  readonly objects: number;
  readonly totalObjects: number;
  readonly bytes: number;
  readonly packs: number;
}

/** Options of `sendObjects`. */
export interface SendOptions {
  /** A folder for big objects on their way (streamed through a file, never held whole). */
  readonly tempDir: string;
  /** Packs written at once (default 3). */
  readonly parallel?: number;
  /** Bytes of small objects per pack (default 32 MiB). */
  readonly packBytes?: number;
  /** Names the other side in errors. */
  readonly remote: string;
  readonly onProgress?: (progress: TransferProgress) => void;
}

/** What `sendObjects` moved. */
export interface SendReport {
  readonly objects: number;
  readonly bytes: number;
  readonly packs: number;
}

/** Objects at or above this size travel alone, streamed through a file (the stores' loose threshold). */
const BIG_OBJECT = 4 * 1024 * 1024;
/** Small objects are read from the source this many bytes at a time, so memory stays bounded. */
const READ_BATCH_BYTES = 4 * 1024 * 1024;
const READ_BATCH_OBJECTS = 1024;

/**
 * Copies the objects of `plan` from `source` to `destination` in packs: one `ObjectWriter` per
 * pack (one pack file, one fsync), several at once. Every object is re-hashed as the destination
 * writes it and refused when its id does not match, so nothing corrupt becomes readable there.
 * Groups land in plan order (contents, nodes from the leaves up, trees, commits) and a group starts
 * only when the one before is durable (or shares its last pack); a killed transfer leaves whole
 * packs, and a rerun's negotiation skips every object they hold (nothing completed is sent again).
 */
export async function sendObjects(
  source: ObjectSource,
  destination: Pick<ObjectStore, 'createWriter'>,
  plan: TransferPlan,
  options: SendOptions,
): Promise<SendReport> {
  const groups = [plan.chunks, plan.files, ...plan.nodes, plan.trees, plan.commits].filter(
    (g) => g.length > 0,
  );
  const totalObjects = groups.reduce((n, g) => n + g.length, 0);
  const state = { objects: 0, bytes: 0, packs: 0 };
  const report = () => options.onProgress?.({ ...state, totalObjects });
  const kill = killHook();
  const landed = (objects: number, bytes: number) => {
    state.objects += objects;
    state.bytes += bytes;
    state.packs += 1;
    report();
    kill(state.packs);
  };
  const packBytes = options.packBytes ?? 32 * 1024 * 1024;
  const packJob = (pack: readonly Sized[]) => async () => {
    await sendPack(source, destination, pack, options.remote);
    landed(
      pack.length,
      pack.reduce((n, o) => n + o.size, 0),
    );
  };
  // The last, partly filled pack of a group travels with the groups after it: objects of one pack
  // become readable together, so sharing a pack with what they reference keeps the receiver's
  // invariant, and an incremental push of a few objects per level is one pack (one fsync, one
  // index transaction), not one per level of the tree.
  let carry: Sized[] = [];
  let carryBytes = 0;
  let madeTemp = false;
  try {
    for (const group of groups) {
      const sized = await withSizes(source, group);
      const big = sized.filter((o) => o.size >= BIG_OBJECT);
      const small = sized.filter((o) => o.size < BIG_OBJECT);
      const smallBytes = small.reduce((n, o) => n + o.size, 0);
      if (big.length === 0 && carryBytes + smallBytes <= packBytes) {
        carry.push(...small);
        carryBytes += smallBytes;
        continue;
      }
      // What this group references must be durable before any of it lands.
      if (carry.length > 0) await packJob(carry)();
      const packs = packUp(small, packBytes);
      carry = packs.pop() ?? [];
      carryBytes = carry.reduce((n, o) => n + o.size, 0);
      if (big.length > 0 && !madeTemp) {
        mkdirSync(options.tempDir, { recursive: true });
        madeTemp = true;
      }
      const jobs = [
        ...packs.map(packJob),
        ...big.map((object) => async () => {
          await sendBig(source, destination, object, options);
          landed(1, object.size);
        }),
      ];
      await runPool(jobs, options.parallel ?? 3);
    }
    if (carry.length > 0) await packJob(carry)();
  } finally {
    if (madeTemp) rmSync(options.tempDir, { recursive: true, force: true });
  }
  return { ...state };
}

/** What a transfer reads from its source: a local store, or a transport's `RemoteObjects`. */
export type ObjectSource = Pick<RemoteObjects, 'getMany' | 'size' | 'readToFile' | 'sizeMany' | 'streamMany'>;

type Sized = { readonly id: ObjectId; readonly size: number };

const SIZE_BATCH = 2000;

/** Sizes the plan did not record, asked in batches (`sizeMany`) or a few at a time. */
async function withSizes(source: ObjectSource, group: readonly PlannedObject[]): Promise<Sized[]> {
  const unknown = group.filter((o) => o.size === undefined).map((o) => o.id);
  const sizes = new Map<ObjectId, number>();
  for (let start = 0; start < unknown.length; start += SIZE_BATCH) {
    const batch = unknown.slice(start, start + SIZE_BATCH);
    if (source.sizeMany) for (const [id, size] of await source.sizeMany(batch)) sizes.set(id, size);
    else for (const id of batch) sizes.set(id, await source.size(id));
  }
  return group.map((o) => ({ id: o.id, size: o.size ?? sizes.get(o.id)! }));
}

function packUp(objects: readonly Sized[], packBytes: number): Sized[][] {
  const packs: Sized[][] = [];
  let current: Sized[] = [];
  let bytes = 0;
  for (const o of objects) {
    if (current.length > 0 && bytes + o.size > packBytes) {
      packs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(o);
    bytes += o.size;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}

async function sendPack(
  source: ObjectSource,
  destination: Pick<ObjectStore, 'createWriter'>,
  pack: readonly Sized[],
  remote: string,
): Promise<void> {
  const writer = destination.createWriter();
  try {
    if (source.streamMany) {
      // One request for the whole pack, each object added as it arrives (verified by the source).
      let count = 0;
      for await (const [id, data] of source.streamMany(pack.map((o) => o.id))) {
        await addVerified(writer, id, data, remote, true);
        count += 1;
      }
      if (count !== pack.length)
        throw new CorruptTransferError(`${remote} sent ${count} objects of the ${pack.length} asked for`, {
          remote,
          expected: pack.length,
          found: count,
        });
    } else {
      const batches: ObjectId[][] = [];
      for (let start = 0; start < pack.length;) {
        let end = start;
        let bytes = 0;
        while (
          end < pack.length &&
          end - start < READ_BATCH_OBJECTS &&
          (end === start || bytes < READ_BATCH_BYTES)
        )
          bytes += pack[end++]!.size;
        batches.push(pack.slice(start, end).map((o) => o.id));
        start = end;
      }
      for (const batch of batches) {
        const data = await source.getMany(batch);
        for (const id of batch) await addVerified(writer, id, data.get(id)!, remote);
      }
    }
    await writer.commit();
  } catch (err) {
    await writer.abort().catch(() => {});
    throw err;
  }
}

/**
 * Adds `data` once it is known to hash to `id`: `hashed` when the source hashed it as it arrived
 * (`streamMany`), else hashed here, whatever the source said; a pack pushed to a server is hashed
 * there instead, and the server refuses the pack. A mismatch is `CorruptTransferError` and nothing
 * of the pack lands.
 */
async function addVerified(
  writer: ObjectWriter,
  id: ObjectId,
  data: Buffer,
  remote: string,
  hashed = false,
): Promise<void> {
  if (writer.addCheckedByReceiver) return writer.addCheckedByReceiver(id, data);
  if (writer.addVerified) {
    const actual = hashed ? id : hashBytes(data);
    if (actual !== id) throw altered(id, actual, remote);
    return writer.addVerified(id, data);
  }
  const actual = await writer.add(data);
  if (actual !== id) throw altered(id, actual, remote);
}

function altered(id: ObjectId, actual: ObjectId, remote: string): CorruptTransferError {
  return new CorruptTransferError(
    `object ${id} arrived with bytes that hash to ${actual} (from or to ${remote}); nothing was referenced`,
    { id, actual, remote },
  );
}

async function sendBig(
  source: ObjectSource,
  destination: Pick<ObjectStore, 'createWriter'>,
  object: Sized,
  options: SendOptions,
): Promise<void> {
  const path = join(options.tempDir, object.id);
  const writer = destination.createWriter();
  try {
    await source.readToFile(object.id, path);
    const added = await writer.addFile(path);
    if (added.id !== object.id)
      throw new CorruptTransferError(
        `object ${object.id} arrived with bytes that hash to ${added.id} (from or to ${options.remote})`,
        { id: object.id, actual: added.id, remote: options.remote },
      );
    await writer.commit();
  } catch (err) {
    await writer.abort().catch(() => {});
    throw err;
  } finally {
    rmSync(path, { force: true });
  }
}

/** Runs `jobs` with at most `limit` at once; the first failure stops new ones and is thrown. */
async function runPool(jobs: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await job();
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failed !== undefined) throw failed;
}

/**
 * Test hook: `STRATA_TEST_KILL_AFTER_PACKS=N` kills the process (SIGKILL) once N packs have
 * landed, so crash tests are placed by work done, never by wall time.
 */
function killHook(): (packs: number) => void {
  const after = Number(process.env.STRATA_TEST_KILL_AFTER_PACKS ?? NaN);
  if (!Number.isInteger(after)) return () => {};
  return (packs) => {
    if (packs >= after) process.kill(process.pid, 'SIGKILL');
  };
}
