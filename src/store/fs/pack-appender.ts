import { closeSync, fsyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import type { ObjectId } from '../../util/hash.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE, writeRecordHeader } from './pack-format.js';
import { withErrorPath } from '../../util/error-path.js';

/** A record to append: the id and the bytes it hashes. */
export interface PackRecordInput {
  readonly id: ObjectId;
  readonly data: Uint8Array;
}

/**
 * Appends records to one new pack file (a temp file until the writer commits). The writer hands
 * over records in batches of about 1 MiB, and each batch becomes one buffer and one `writeSync`,
 * so thousands of tiny objects cost a handful of syscalls. Writes are synchronous on purpose: a
 * batch is small, and it keeps the offsets of concurrent batches from interleaving.
 */
export class PackAppender {
  private fd: number | undefined;
  private length: number;

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
    const block = Buffer.allocUnsafe(total);
    const offsets: number[] = [];
    let at = 0;
    for (const record of records) {
      writeRecordHeader(block, at, record.id, record.data.byteLength);
      block.set(record.data, at + RECORD_HEADER_SIZE);
      offsets.push(this.length + at + RECORD_HEADER_SIZE);
      at += RECORD_HEADER_SIZE + record.data.byteLength;
    }
    writeAll(fd, block, this.length, this.path);
    this.length += total;
    return offsets;
  }

  /** Makes the pack durable and closes it; the caller renames it next. */
  finish(): void {
    const fd = this.openFd();
    this.fd = undefined;
    try {
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
