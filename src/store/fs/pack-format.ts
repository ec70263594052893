import type { ObjectId } from '../../util/hash.js';

/**
 * Pack files are self-describing so that a pack can be re-indexed without its index (after a crash
 * between writing a pack and indexing it, or to rebuild a lost index):
 *
 * ```
 * "STRATAPACK1\n"                         12-byte file header
 * then per record:
 *   id       32 bytes (the raw hash)
 *   length    4 bytes, unsigned big-endian
 *   data     `length` bytes               <- PackLocation.offset points here
 * ```
 *
 * The id and length before the data let a reader check that an index row points at the record it
 * claims to, at the cost of 36 extra bytes in the same read.
 */
export const PACK_MAGIC = Buffer.from('STRATAPACK1\n', 'latin1');

/** Bytes before each record's data: the raw id and the length. */
export const RECORD_HEADER_SIZE = 36;

/** The largest record a 4-byte length can describe. */
export const MAX_RECORD_LENGTH = 0xffff_ffff;

/** Writes a record header (id, length) into `target` at `at`. */
export function writeRecordHeader(target: Buffer, at: number, id: ObjectId, length: number): void {
  target.write(id, at, 32, 'hex');
  target.writeUInt32BE(length, at + 32);
}

/** Reads the record header at `at` in `source`; the caller made sure 36 bytes are there. */
export function readRecordHeader(source: Buffer, at: number): { id: ObjectId; length: number } {
  return {
    id: source.toString('hex', at, at + 32),
    length: source.readUInt32BE(at + 32),
  };
}
