import { closeSync, fdatasync, fsync, openSync, unlinkSync, write, writeSync } from 'node:fs';
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
  /** Writes in flight, and waiters for room. */
  private writing = 0;
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
   * Wait for `ready` before the next append (bounded memory) and `finish` at the end.
   */
  append(records: readonly PackRecordInput[]): number[] {
    const fd = this.openFd();
    if (this.writeError !== undefined) throw this.writeError;
    let total = 0;
    for (const record of records) total += RECORD_HEADER_SIZE + record.data.byteLength;
    let block = this.free.pop();
    if (block === undefined || block.length < total)
      block = Buffer.allocUnsafeSlow(Math.max(total, BLOCK_BYTES));
    const offsets: number[] = [];
    let at = 0;
    for (const record of records) {
      writeRecordHeader(block, at, record.id, record.data.byteLength);
      block.set(record.data, at + RECORD_HEADER_SIZE);
      offsets.push(this.length + at + RECORD_HEADER_SIZE);
      at += RECORD_HEADER_SIZE + record.data.byteLength;
    }
    this.startWrite(fd, block, total, this.length, () => {
      // Kept for reuse unless it was made for one oversized batch.
      if (this.free.length < WRITES_IN_FLIGHT && block.length <= BLOCK_BYTES) this.free.push(block);
    });
    this.length += total;
    if (this.length - this.flushedUpTo >= WRITEBACK_BYTES) this.startFlush(fd);
    return offsets;
  }

  /** Resolves when another batch may be appended (fewer than `WRITES_IN_FLIGHT` in flight). */
  async ready(): Promise<void> {
    while (this.writing >= WRITES_IN_FLIGHT) await this.wait();
    if (this.writeError !== undefined) throw this.writeError;
  }

  private startWrite(fd: number, block: Buffer, total: number, position: number, then: () => void): void {
    this.writing += 1;
    const done = (err: unknown) => {
      if (err) this.writeError ??= withErrorPath(err, this.path);
      this.writing -= 1;
      then();
      this.waiters.shift()?.();
      if (this.writing === 0) for (const wake of this.waiters.splice(0)) wake();
    };
    const step = (written: number) => {
      write(fd, block, written, total - written, position + written, (err, n) => {
        if (err) return done(err);
        if (written + n < total) return step(written + n);
        done(null);
      });
    };
    step(0);
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
