import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { ByteReader, ByteWriter, varintLength } from '../../util/varint.js';

/** What a commit remembers of one file: its content id, size and executable bit. */
export interface FileEntry {
  readonly hash: ObjectId;
  readonly size: number;
  readonly executable: boolean;
}

/** 32 raw hash bytes, a varint size and a flags byte: about 36 bytes a file. */
export function encodeFileEntry(entry: FileEntry): Buffer {
  // Sized exactly and written in place: this runs once per file on every status and commit.
  return new ByteWriter(32 + varintLength(entry.size) + 1)
    .hex(entry.hash)
    .uint(entry.size)
    .byte(entry.executable ? 1 : 0)
    .finishExact();
}

export function decodeFileEntry(bytes: Uint8Array, where = 'tree'): FileEntry {
  try {
    const r = new ByteReader(bytes);
    const hash = Buffer.from(r.raw(32)).toString('hex');
    const size = r.uint();
    const flags = r.raw(1)[0]!;
    return { hash, size, executable: (flags & 1) === 1 };
  } catch (err) {
    throw new CorruptObjectError(`malformed file entry in ${where}: ${(err as Error).message}`, { where });
  }
}
