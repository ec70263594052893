import { open } from 'node:fs/promises';
import { ConflictError } from '../../errors/index.js';
import { createHasher } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import { MAX_PARTS, MultipartUpload } from './multipart.js';
import type { S3Requests } from './s3-gateway.js';

/** The part size for an object of `size` bytes: `partBytes`, grown (whole MiB) to stay within 10,000 parts. */
export function partSizeFor(size: number, partBytes: number): number {
  const mib = 1024 * 1024;
  return Math.max(partBytes, Math.ceil(size / MAX_PARTS / mib) * mib);
}

/**
 * Uploads big bytes held in memory to `key` as parts of a multipart upload left open: the object
 * appears only when the caller completes the upload (at commit).
 */
export async function uploadBytesUncompleted(
  gateway: S3Requests,
  key: string,
  data: Uint8Array,
  partBytes: number,
): Promise<MultipartUpload> {
  const upload = new MultipartUpload(gateway, key);
  const part = partSizeFor(data.byteLength, partBytes);
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    for (let at = 0; at < bytes.byteLength; at += part) await upload.upload(bytes.subarray(at, at + part));
  } catch (err) {
    await upload.abort();
    throw err;
  }
  return upload;
}

/**
 * Uploads the file at `path`, whose content was hashed to `expected` just before, to `key` (the
 * key of that id) as parts of a multipart upload left open, reading one part at a time into one
 * reused buffer. The bytes sent are hashed again on the way: if the file changed since it was
 * hashed, the upload is dropped and undefined returned, so the caller hashes again. The object
 * appears only when the caller completes the upload (at commit).
 */
export async function uploadFileUncompleted(
  gateway: S3Requests,
  key: string,
  path: string,
  expected: { id: ObjectId; size: number },
  partBytes: number,
): Promise<MultipartUpload | undefined> {
  const upload = new MultipartUpload(gateway, key);
  const hasher = createHasher();
  const buffer = Buffer.allocUnsafe(partSizeFor(expected.size, partBytes));
  let total = 0;
  const handle = await open(path, 'r');
  try {
    for (;;) {
      let filled = 0;
      while (filled < buffer.byteLength) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.byteLength - filled, total + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) break;
      const part = buffer.subarray(0, filled);
      hasher.update(part);
      total += filled;
      if (total > expected.size) break; // grew: the hash cannot match any more
      await upload.upload(part);
      if (filled < buffer.byteLength) break;
    }
  } catch (err) {
    await upload.abort();
    throw err;
  } finally {
    await handle.close();
  }
  if (total !== expected.size || hasher.digest() !== expected.id) {
    await upload.abort();
    return undefined;
  }
  return upload;
}

/** The error when a file kept changing while it was being stored. */
export function fileKeptChanging(path: string, attempts: number): ConflictError {
  return new ConflictError(`${path} changed while it was being stored (${attempts} attempts); try again`, {
    what: 'file',
    path,
    attempts,
  });
}
