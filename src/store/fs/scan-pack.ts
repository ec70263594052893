import { open } from 'node:fs/promises';
import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE, readRecordHeader } from './pack-format.js';
import { readFully } from './pack-reader.js';

/** One record found by `scanPack`: its id, where its data starts, its length and its bytes. */
export interface ScannedRecord {
  readonly id: ObjectId;
  readonly offset: number;
  readonly length: number;
  readonly data: Buffer;
}

/**
 * Walks the records of a pack file in order without any index (to re-index a pack after a crash).
 * Stops quietly at a truncated last record: a pack cut short keeps its complete records. Throws
 * `CorruptObjectError` when the file does not start with the pack magic. It yields the bytes
 * unverified; the caller hashes them.
 */
export async function* scanPack(path: string): AsyncGenerator<ScannedRecord> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const magic = Buffer.alloc(PACK_MAGIC.byteLength);
    await readFully(handle, magic, 0);
    if (!magic.equals(PACK_MAGIC)) {
      throw new CorruptObjectError(`${path} is not a Strata pack file`, { where: path });
    }
    const header = Buffer.alloc(RECORD_HEADER_SIZE);
    let position = PACK_MAGIC.byteLength;
    while (position + RECORD_HEADER_SIZE <= size) {
      await readFully(handle, header, position);
      const { id, length } = readRecordHeader(header, 0);
      const offset = position + RECORD_HEADER_SIZE;
      if (offset + length > size) return;
      const data = Buffer.allocUnsafe(length);
      if ((await readFully(handle, data, offset)) < length) return;
      yield { id, offset, length, data };
      position = offset + length;
    }
  } finally {
    await handle.close();
  }
}
