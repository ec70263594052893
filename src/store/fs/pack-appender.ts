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

/** Records at least this big are written from their own buffer, not copied into the batch's. */
const DIRECT_BYTES = 1024 * 1024;

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
  /** Writes of big records in flight (see `appendDirect`). */
  private readonly pending = new Set<Promise<void>>();
  /** A big record's write failed: the pack misses bytes. */
  private writeError: unknown;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
    writeAll(this.fd, PACK_MAGIC, 0, path);
    this.length = PACK_MAGIC.byteLength;
  }

  /**
   * Appends `records` with one write; returns the data offset of each, in order. A record of at
   * least `DIRECT_BYTES` is written from its own buffer rather than copied into the batch buffer
   * first, on a libuv thread: its bytes are in place only once `writes()` has resolved, and the
   * caller must not change them before.
   */
  append(records: readonly PackRecordInput[]): number[] {
    if (records.some((r) => r.data.byteLength >= DIRECT_BYTES)) {
      return records.flatMap((record) =>
        record.data.byteLength >= DIRECT_BYTES ? this.appendDirect(record) : this.append([record]),
      );
    }
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

  /**
   * A big record: its header written now, its bytes by a libuv thread (a 4 MiB write took ~3 ms
   * of this thread, most of an ingest task's wait, while the next chunk could be hashed).
   */
  private appendDirect(record: PackRecordInput): number {
    const fd = this.openFd();
    const header = Buffer.allocUnsafe(RECORD_HEADER_SIZE);
    writeRecordHeader(header, 0, record.id, record.data.byteLength);
    writeAll(fd, header, this.length, this.path);
    const offset = this.length + RECORD_HEADER_SIZE;
    this.length = offset + record.data.byteLength;
    const write = writeAllAsync(fd, record.data, offset, this.path).then(
      () => {
        this.pending.delete(write);
        if (this.length - this.flushedUpTo >= WRITEBACK_BYTES && this.fd === fd) this.startFlush(fd);
      },
      (err: unknown) => {
        this.pending.delete(write);
        this.writeError ??= err;
      },
    );
    this.pending.add(write);
    return offset;
  }

  /** Waits for the big records' writes in flight; throws the first that failed. */
  async writes(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.writeError !== undefined) throw this.writeError;
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

  /** Waits for the writes and the background flush in flight, if any (before `finish` or `discard`). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
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
      if (this.pending.size > 0) throw new Error(`pack ${this.path} is finished while writes are in flight`);
      if (this.writeError !== undefined) throw this.writeError;
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

async function writeAllAsync(fd: number, data: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  try {
    while (done < data.byteLength) {
      done += await new Promise<number>((resolve, reject) =>
        write(fd, data, done, data.byteLength - done, position + done, (err, n) =>
          err ? reject(err) : resolve(n),
        ),
      );
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
