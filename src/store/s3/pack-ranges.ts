import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { PackLocation } from '../object-store.js';
import { checkHash } from '../object-checks.js';
import { MAX_RECORD_LENGTH, PACK_MAGIC, RECORD_HEADER_SIZE, readRecordHeader } from '../fs/pack-format.js';

/** A packed object to read: its id and where the index says it is. */
export interface PackedRead {
  readonly id: ObjectId;
  readonly location: PackLocation;
}

/** One ranged GET: bytes `start` to `end` (exclusive) of `pack`, covering the records of `reads`. */
export interface RangeRead {
  readonly pack: string;
  readonly start: number;
  readonly end: number;
  readonly reads: readonly PackedRead[];
}

/** How ranged reads are merged. */
export interface CoalesceOptions {
  /** Records at most this many bytes apart share a GET (the bytes between are read and dropped). */
  readonly maxGap: number;
  /** A merged GET never spans more than this many bytes (unless one record alone is bigger). */
  readonly maxSpan: number;
}

/**
 * Groups reads by pack and merges records that are close together into one ranged GET each:
 * objects committed together sit side by side in one pack, so reading a commit's objects costs a
 * few GETs, not one per object. Each record is read with its 36-byte header, which the reader
 * checks against the index row. Rows that cannot be valid (negative, beyond a record's maximum)
 * throw `CorruptObjectError` before any request.
 */
export function planRangeReads(reads: readonly PackedRead[], options: CoalesceOptions): RangeRead[] {
  const byPack = new Map<string, PackedRead[]>();
  for (const read of reads) {
    checkLocation(read);
    let list = byPack.get(read.location.pack);
    if (!list) byPack.set(read.location.pack, (list = []));
    list.push(read);
  }
  const out: RangeRead[] = [];
  for (const [pack, list] of byPack) {
    list.sort((a, b) => a.location.offset - b.location.offset);
    let current: { start: number; end: number; reads: PackedRead[] } | undefined;
    for (const read of list) {
      const start = read.location.offset - RECORD_HEADER_SIZE;
      const end = read.location.offset + read.location.length;
      if (
        current &&
        start - current.end <= options.maxGap &&
        Math.max(end, current.end) - current.start <= options.maxSpan
      ) {
        current.end = Math.max(current.end, end);
        current.reads.push(read);
      } else {
        if (current) out.push({ pack, ...current });
        current = { start, end, reads: [read] };
      }
    }
    if (current) out.push({ pack, ...current });
  }
  return out;
}

/**
 * The verified data of `read` out of `bytes`, which hold the pack from byte `bytesStart` on (as a
 * ranged GET returned them, possibly cut short). Throws `CorruptObjectError` for a truncated or
 * mismatched record and `HashMismatchError` for bad bytes, both naming the pack and offset.
 */
export function extractRecord(read: PackedRead, bytes: Buffer, bytesStart: number): Buffer {
  const { id, location } = read;
  const where = `${location.pack}@${location.offset}`;
  const at = location.offset - RECORD_HEADER_SIZE - bytesStart;
  const recordEnd = at + RECORD_HEADER_SIZE + location.length;
  if (recordEnd > bytes.byteLength) {
    throw new CorruptObjectError(`object ${id}: pack ${location.pack} is truncated at ${where}`, {
      id,
      where,
      expected: RECORD_HEADER_SIZE + location.length,
      found: Math.max(0, bytes.byteLength - at),
    });
  }
  const header = readRecordHeader(bytes, at);
  if (header.id !== id || header.length !== location.length) {
    throw new CorruptObjectError(`object ${id}: the record at ${where} is ${header.id}`, {
      id,
      where,
      found: header.id,
    });
  }
  const data = bytes.subarray(at + RECORD_HEADER_SIZE, recordEnd);
  checkHash(id, data, where);
  return data;
}

function checkLocation({ id, location }: PackedRead): void {
  const valid =
    Number.isSafeInteger(location.offset) &&
    location.offset - RECORD_HEADER_SIZE >= PACK_MAGIC.byteLength &&
    Number.isSafeInteger(location.length) &&
    location.length >= 0 &&
    location.length <= MAX_RECORD_LENGTH;
  if (!valid) {
    const where = `${location.pack}@${location.offset}`;
    throw new CorruptObjectError(`object ${id}: the index points outside pack ${where}`, { id, where });
  }
}
