import type { FileHandle } from 'node:fs/promises';
import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { PackLocation } from '../object-store.js';
import { checkHash } from '../object-checks.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE, readRecordHeader } from './pack-format.js';

/**
 * Reads the record of `id` at `location` from an open pack with one positioned read (header and
 * data together), checks that the header names `id` and the length, then verifies the hash.
 * Throws `CorruptObjectError` for a truncated or mismatched record and `HashMismatchError` for bad
 * bytes, both naming the pack and offset.
 */
export async function readPackedObject(
  handle: FileHandle,
  id: ObjectId,
  location: PackLocation,
): Promise<Buffer> {
  const where = `${location.pack}@${location.offset}`;
  const start = location.offset - RECORD_HEADER_SIZE;
  if (!Number.isSafeInteger(location.offset) || start < PACK_MAGIC.byteLength || location.length < 0) {
    throw new CorruptObjectError(`object ${id}: the index points outside pack ${where}`, { id, where });
  }
  const record = Buffer.allocUnsafe(RECORD_HEADER_SIZE + location.length);
  const got = await readFully(handle, record, start);
  if (got < record.byteLength) {
    throw new CorruptObjectError(`object ${id}: pack ${location.pack} is truncated at ${where}`, {
      id,
      where,
      expected: record.byteLength,
      found: got,
    });
  }
  const header = readRecordHeader(record, 0);
  if (header.id !== id || header.length !== location.length) {
    throw new CorruptObjectError(`object ${id}: the record at ${where} is ${header.id}`, {
      id,
      where,
      found: header.id,
    });
  }
  const data = record.subarray(RECORD_HEADER_SIZE);
  checkHash(id, data, where);
  return data;
}

/** Reads into all of `target` from `position` unless the file ends first; returns bytes read. */
export async function readFully(handle: FileHandle, target: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < target.byteLength) {
    const { bytesRead } = await handle.read(target, done, target.byteLength - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
