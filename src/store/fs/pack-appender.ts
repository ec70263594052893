import { closeSync, fdatasync, fsync, openSync, unlinkSync, writeSync, writev } from 'node:fs';
import type { ObjectId } from '../../util/hash.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE, writeRecordHeader } from './pack-format.js';
import { withErrorPath } from '../../util/error-path.js';

/** A record to append: the id and the bytes it hashes. */
export interface PackRecordInput {
  readonly id: ObjectId;
  readonly data: Uint8Array;
}

/**
 * Bytes appended between two background flushes. The kernel keeps up to a tenth of memory dirty
 * before it starts writing back on its own (gigabytes here), so a pack written in one go was
 * written to disk only by the final fsync, after all the reading, cutting and hashing: a 2 GiB
 * commit cost that work plus a whole fsync. Flushing what is written so far on a libuv thread
 * every few MiB lets the disk write while this thread goes on, and leaves the final fsync little.
 */
const WRITEBACK_BYTES = 32 * 1024 * 1024;

/** Batch writes in flight at once; `append` callers wait for room (`ready`) beyond this. */
const WRITES_IN_FLIGHT = 4;

/**
 * Records at least this big are written from the caller's buffer, not copied into the batch's
 * (a 4 MiB column or volume chunk copied twice on its way to disk was measurable); `ready` then
 * waits until that write is done, so the caller may reuse its buffer once it resolves.
 */
const DIRECT_BYTES = 1024 * 1024;

/**
 * Appends records to one new pack file (a temp file until the writer commits). The writer hands
 * over records in batches of about 1 MiB, and each batch becomes one buffer and one positioned
 * write, so thousands of tiny objects cost a handful of syscalls. The write runs on a libuv thread
 * while this thread goes on (receiving, hashing the next batch): on a 1 GiB fetch over HTTP,
 * synchronous writes held the event loop for about 0.8 s of 8 s. Every batch's offset is fixed
 * when it is appended and each write names its position, so writes in flight never interleave;
 * at most `WRITES_IN_FLIGHT` buffers are being written (then reused), so a big file's gigabytes do
 * not become a megabyte of garbage per batch.
 *
 * (O_DIRECT past 8 MiB was tried for fetched packs: no less system time measured on a 1 GiB fetch
 * under load 18, and about 40 MB more peak RSS for the aligned staging buffers; not kept.)
 */
export class PackAppender {
  private fd: number | undefined;
  private length: number;
  /** Batch buffers whose write is done, ready for the next batches. */
  private readonly free: Buffer[] = [];
  /** Writes in flight, those writing from a caller's buffer, and waiters for room. */
  private writing = 0;
  private borrowing = 0;
  private readonly waiters: (() => void)[] = [];
  /** Bytes of the pack when the last background flush started. */
  private flushedUpTo = 0;
  /** The background flush in flight, if any (at most one). */
  private flushing: Promise<void> | undefined;
  /** A write or background flush failed: the pack is not durable, `finish` must say so. */
  private writeError: unknown;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
    writeAll(this.fd, PACK_MAGIC, 0, path);
    this.length = PACK_MAGIC.byteLength;
  }

  /**
   * Appends `records`, written in the background; returns the data offset of each, in order.
   * Wait for `ready` before the next append (bounded memory, and big records' buffers are the
   * caller's again) and `finish` at the end.
   */
  append(records: readonly PackRecordInput[]): number[] {
    const fd = this.openFd();
    if (this.writeError !== undefined) throw this.writeError;
    if (records.length === 0) return [];
    let total = 0;
    let copied = 0;
    for (const record of records) {
      const length = record.data.byteLength;
      total += RECORD_HEADER_SIZE + length;
      copied += RECORD_HEADER_SIZE + (length >= DIRECT_BYTES ? 0 : length);
    }
    let block = this.free.pop();
    if (block === undefined || block.length < copied)
      block = Buffer.allocUnsafeSlow(Math.max(copied, BLOCK_BYTES));
    const offsets: number[] = [];
    const pieces: Uint8Array[] = [];
    let at = 0;
    let pieceStart = 0;
    let position = this.length;
    for (const record of records) {
      const length = record.data.byteLength;
      writeRecordHeader(block, at, record.id, length);
      at += RECORD_HEADER_SIZE;
      offsets.push(position + RECORD_HEADER_SIZE);
      position += RECORD_HEADER_SIZE + length;
      if (length >= DIRECT_BYTES) {
        pieces.push(block.subarray(pieceStart, at), record.data);
        pieceStart = at;
      } else {
        block.set(record.data, at);
        at += length;
      }
    }
    if (pieceStart < at) pieces.push(block.subarray(pieceStart, at));
    const borrowed = pieces.length > 1;
    if (borrowed) this.borrowing += 1;
    this.startWrite(fd, pieces, this.length, () => {
      if (borrowed) this.borrowing -= 1;
      // Kept for reuse unless it was made for one oversized batch.
      if (this.free.length < WRITES_IN_FLIGHT && block.length <= BLOCK_BYTES) this.free.push(block);
    });
    this.length += total;
    if (this.length - this.flushedUpTo >= WRITEBACK_BYTES) this.startFlush(fd);
    return offsets;
  }

  /**
   * Resolves when another batch may be appended (fewer than `WRITES_IN_FLIGHT` in flight) and no
   * caller's buffer is still being written.
   */
  async ready(): Promise<void> {
    while (this.writing >= WRITES_IN_FLIGHT || this.borrowing > 0) await this.wait();
    if (this.writeError !== undefined) throw this.writeError;
  }

  /** One gathered, positioned write of `pieces` on a libuv thread, going on after a short write. */
  private startWrite(fd: number, pieces: readonly Uint8Array[], position: number, then: () => void): void {
    this.writing += 1;
    const done = (err: unknown) => {
      if (err) this.writeError ??= withErrorPath(err, this.path);
      this.writing -= 1;
      then();
      // Every waiter re-checks its own condition (room, or no borrowed buffer in flight).
      for (const wake of this.waiters.splice(0)) wake();
    };
    const step = (rest: Uint8Array[], at: number) => {
      writev(fd, rest, at, (err, n) => {
        if (err) return done(err);
        let left = n;
        while (rest.length > 0 && left >= rest[0]!.byteLength) left -= rest.shift()!.byteLength;
        if (rest.length === 0) return done(null);
        if (left > 0) rest[0] = rest[0]!.subarray(left);
        step(rest, at + n);
      });
    };
    step([...pieces], position);
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Starts writing what the pack holds so far to disk on a libuv thread, unless one is running. */
  private startFlush(fd: number): void {
    if (this.flushing !== undefined) return;
    this.flushedUpTo = this.length;
    this.flushing = new Promise<void>((resolve) => {
      fdatasync(fd, (err) => {
        // Linux reports a writeback error once per descriptor: keep it for `finish`.
        if (err) this.writeError ??= withErrorPath(err, this.path);
        this.flushing = undefined;
        resolve();
      });
    });
  }

  /** Waits for the writes and the background flush in flight (before `finish` or `discard`). */
  async settle(): Promise<void> {
    while (this.writing > 0) await this.wait();
    await this.flushing;
  }

  /**
   * Makes the pack durable and closes it; the caller renames it next. The fsync runs on a libuv
   * thread: a 32 MiB pack's took about 15 ms, which held every socket of a fetch still.
   */
  async finish(): Promise<void> {
    await this.settle();
    const fd = this.openFd();
    this.fd = undefined;
    try {
      if (this.writeError !== undefined) throw this.writeError;
      await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw withErrorPath(err, this.path);
    } finally {
      closeSync(fd);
    }
  }

  /** Closes and deletes the temp file (abort, or a failed commit; after `settle`). Never throws. */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // Already closed or never valid: nothing left to release.
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.path);
    } catch {
      // Already renamed or removed.
    }
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`pack ${this.path} is already closed`);
    return this.fd;
  }
}

/** Size of a batch buffer (a batch is about 1 MiB of records; a bigger one gets its own). */
const BLOCK_BYTES = 1024 * 1024 + 64 * 1024;

function writeAll(fd: number, data: Uint8Array, position: number, path: string): void {
  let done = 0;
  try {
    while (done < data.byteLength) {
      done += writeSync(fd, data, done, data.byteLength - done, position + done);
    }
  } catch (err) {
    throw withErrorPath(err, path); // ENOSPC on a descriptor names no file; say which
  }
}
