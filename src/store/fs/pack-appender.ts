import { closeSync, fdatasync, fsync, openSync, unlinkSync, writeSync, writevSync } from 'node:fs';
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

/** A record at least this big is written from its own buffer rather than copied into the batch's. */
const DIRECT_BYTES = 64 * 1024;

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

  /**
   * Appends `records` with one write (a gathered one when a record is big: its bytes are written
   * from where they lie, not copied into the batch buffer); returns the data offset of each.
   */
  append(records: readonly PackRecordInput[]): number[] {
    const fd = this.openFd();
    let total = 0;
    let copied = 0;
    for (const record of records) {
      total += RECORD_HEADER_SIZE + record.data.byteLength;
      copied += RECORD_HEADER_SIZE + (record.data.byteLength >= DIRECT_BYTES ? 0 : record.data.byteLength);
    }
    if (this.block.length < copied)
      this.block = Buffer.allocUnsafeSlow(Math.max(copied, 2 * this.block.length));
    const block = this.block;
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
    if (pieces.length === 1) writeAll(fd, pieces[0]!, this.length, this.path);
    else writevAll(fd, pieces, this.length, this.path);
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

  /**
   * Makes the pack durable and closes it; the caller renames it next (after `settle`). The fsync
   * runs on a libuv thread: other writers' work goes on meanwhile.
   */
  async finish(): Promise<void> {
    const fd = this.openFd();
    this.fd = undefined;
    try {
      if (this.flushError !== undefined) throw this.flushError;
      await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
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

/** Gathers `pieces` into one write at `position`, going on after a short write. */
function writevAll(fd: number, pieces: readonly Uint8Array[], position: number, path: string): void {
  const rest = [...pieces];
  let at = position;
  try {
    while (rest.length > 0) {
      let done = writevSync(fd, rest, at);
      at += done;
      while (rest.length > 0 && done >= rest[0]!.byteLength) done -= rest.shift()!.byteLength;
      if (done > 0) rest[0] = rest[0]!.subarray(done);
    }
  } catch (err) {
    throw withErrorPath(err, path);
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
