import { closeSync, fdatasync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
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

/**
 * Appends records to one new pack file (a temp file until the writer commits). The writer hands
 * over records in batches of about 1 MiB, and each batch becomes one buffer and one `writeSync`,
 * so thousands of tiny objects cost a handful of syscalls. Writes are synchronous on purpose: a
 * batch is small, and it keeps the offsets of concurrent batches from interleaving. The batch
 * buffer is reused (the write is done when `append` returns), so a big file's gigabytes do not
 * become a megabyte of garbage per batch.
 */
export class PackAppender {
  private fd: number | undefined;
  private length: number;
  private block = Buffer.alloc(0);
  /** Bytes of the pack when the last background flush started. */
  private flushedUpTo = 0;
  /** The background flush in flight, if any (at most one). */
  private flushing: Promise<void> | undefined;
  /** A background flush failed: the pack is not durable, and `finish` must say so. */
  private flushError: unknown;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
    writeAll(this.fd, PACK_MAGIC, 0, path);
    this.length = PACK_MAGIC.byteLength;
  }

  /** Appends `records` with one write; returns the data offset of each, in order. */
  append(records: readonly PackRecordInput[]): number[] {
    const fd = this.openFd();
    let total = 0;
    for (const record of records) total += RECORD_HEADER_SIZE + record.data.byteLength;
    if (this.block.length < total)
      this.block = Buffer.allocUnsafeSlow(Math.max(total, 2 * this.block.length));
    const block = this.block;
    const offsets: number[] = [];
    let at = 0;
    for (const record of records) {
      writeRecordHeader(block, at, record.id, record.data.byteLength);
      block.set(record.data, at + RECORD_HEADER_SIZE);
      offsets.push(this.length + at + RECORD_HEADER_SIZE);
      at += RECORD_HEADER_SIZE + record.data.byteLength;
    }
    writeAll(fd, block.subarray(0, total), this.length, this.path);
    this.length += total;
    if (this.length - this.flushedUpTo >= WRITEBACK_BYTES) this.startFlush(fd);
    return offsets;
  }

  /** Starts writing what the pack holds so far to disk on a libuv thread, unless one is running. */
  private startFlush(fd: number): void {
    if (this.flushing !== undefined) return;
    this.flushedUpTo = this.length;
    this.flushing = new Promise<void>((resolve) => {
      fdatasync(fd, (err) => {
        // Linux reports a writeback error once per descriptor: keep it for `finish`.
        if (err) this.flushError ??= withErrorPath(err, this.path);
        this.flushing = undefined;
        resolve();
      });
    });
  }

  /** Waits for the background flush in flight, if any (before `finish` or `discard`). */
  async settle(): Promise<void> {
    await this.flushing;
  }

  /** Makes the pack durable and closes it; the caller renames it next (after `settle`). */
  finish(): void {
    const fd = this.openFd();
    this.fd = undefined;
    try {
      if (this.flushError !== undefined) throw this.flushError;
      fsyncSync(fd);
    } catch (err) {
      throw withErrorPath(err, this.path);
    } finally {
      closeSync(fd);
    }
  }

  /** Closes and deletes the temp file (abort, or a failed commit). Never throws. */
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
