import { RECORD_HEADER_SIZE, PACK_MAGIC, writeRecordHeader } from '../fs/pack-format.js';
import type { ObjectId } from '../../util/hash.js';
import { newPackName } from '../fs/fs-layout.js';
import type { S3Requests, UploadedPart } from './s3-gateway.js';
import type { S3Layout } from './s3-layout.js';

/** S3 refuses parts below 5 MiB, except the last one. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** S3 allows at most 10,000 parts per upload. */
export const MAX_PARTS = 10_000;

/**
 * One multipart upload to `key`, started on the first part. Parts may be uploaded concurrently:
 * each gets its number when `upload` is called, so their order is the call order. Nothing is
 * visible at `key` before `complete()`; `abort()` drops the parts.
 */
export class MultipartUpload {
  private uploadId: Promise<string> | undefined;
  private nextPart = 1;
  private readonly parts: UploadedPart[] = [];
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly gateway: S3Requests,
    readonly key: string,
  ) {}

  /** Uploads `body` as the next part; resolves once S3 has it (the caller may then reuse `body`). */
  async upload(body: Buffer): Promise<void> {
    const partNumber = this.nextPart++;
    this.uploadId ??= this.gateway.createMultipart(this.key);
    const done = this.uploadId.then((id) => this.gateway.uploadPart(this.key, id, partNumber, body));
    this.running.add(done);
    try {
      this.parts.push(await done);
    } finally {
      this.running.delete(done);
    }
  }

  /** True once a part was uploaded or is on its way. */
  get started(): boolean {
    return this.uploadId !== undefined;
  }

  /** Waits for running parts, then makes the object visible at `key`. */
  async complete(): Promise<void> {
    await Promise.all([...this.running]);
    await this.gateway.completeMultipart(this.key, await this.uploadId!, this.parts);
  }

  /** Drops the upload and its parts. Never throws. */
  async abort(): Promise<void> {
    if (!this.uploadId) return;
    await Promise.allSettled([...this.running]);
    const id = await this.uploadId.catch(() => undefined);
    if (id !== undefined) await this.gateway.abortMultipart(this.key, id);
  }
}

/** A record to append to a pack. */
export interface PackRecord {
  readonly id: ObjectId;
  readonly data: Uint8Array;
}

/**
 * A pack being built for S3 (same format as the fs store's packs, see `pack-format.ts`). Records
 * are buffered in memory; a pack that stays below `partBytes` goes up with one PUT at `finish()`,
 * a bigger one as a multipart upload whose parts leave as soon as `partBytes` are buffered, so
 * memory stays at about one part whatever the pack's size.
 */
export class PackUpload {
  /** The pack's name (what index rows name) and its key. */
  readonly name = newPackName();
  readonly key: string;
  /** Bytes appended so far, header included. */
  size = PACK_MAGIC.byteLength;
  private chunks: Buffer[] = [PACK_MAGIC];
  private buffered = PACK_MAGIC.byteLength;
  private multipart: MultipartUpload | undefined;
  private sending: Promise<void> | undefined;

  constructor(
    private readonly gateway: S3Requests,
    layout: S3Layout,
    private readonly partBytes: number,
  ) {
    this.key = layout.packKey(this.name);
  }

  /** Appends records; returns the offset of each record's data in the pack. */
  append(records: readonly PackRecord[]): number[] {
    let total = 0;
    for (const record of records) total += RECORD_HEADER_SIZE + record.data.byteLength;
    const chunk = Buffer.allocUnsafe(total);
    const offsets: number[] = [];
    let at = 0;
    for (const record of records) {
      writeRecordHeader(chunk, at, record.id, record.data.byteLength);
      chunk.set(record.data, at + RECORD_HEADER_SIZE);
      offsets.push(this.size + at + RECORD_HEADER_SIZE);
      at += RECORD_HEADER_SIZE + record.data.byteLength;
    }
    this.chunks.push(chunk);
    this.buffered += total;
    this.size += total;
    return offsets;
  }

  /**
   * Sends the buffered bytes as a part once there are `partBytes` of them. One part may still be
   * on its way while the next fills (so adding does not stall on every upload); this waits for
   * the one before, which bounds memory to about two parts.
   */
  async drain(): Promise<void> {
    if (this.buffered < this.partBytes) return;
    const body = this.takeBuffered();
    this.multipart ??= new MultipartUpload(this.gateway, this.key);
    const previous = this.sending;
    const sending = this.multipart.upload(body);
    // Observed here so a failure is never unhandled; finish() and the next drain() rethrow it.
    sending.catch(() => {});
    this.sending = sending;
    await previous;
  }

  /** Stores the pack at `key`: one PUT, or the last part and the completion of the upload. */
  async finish(): Promise<void> {
    if (!this.multipart) {
      await this.gateway.put(this.key, this.takeBuffered());
      return;
    }
    await this.sending;
    if (this.buffered > 0) await this.multipart.upload(this.takeBuffered());
    await this.multipart.complete();
  }

  /** Drops an unfinished multipart upload and the buffered bytes. Never throws. */
  async abort(): Promise<void> {
    this.chunks = [];
    this.buffered = 0;
    await this.multipart?.abort();
  }

  private takeBuffered(): Buffer {
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    return body;
  }
}
