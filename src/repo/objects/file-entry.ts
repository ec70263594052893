import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { ByteReader, ByteWriter, varintLength } from '../../util/varint.js';

/**
 * What a commit remembers of one file: its content id, size and executable bit. A symbolic link
 * is an entry with `symlink` set whose content is the link's target, verbatim (like git's mode
 * 120000): it is never followed.
 */
export interface FileEntry {
  readonly hash: ObjectId;
  readonly size: number;
  readonly executable: boolean;
  readonly symlink?: boolean;
  /**
   * `hash` names a chunk manifest (see `store/chunked`) rather than the content itself: big files
   * are stored as content-defined chunks so that an edit stores only the chunks it touched.
   */
  readonly chunked?: boolean;
}

/** Flag bits of the entry's last byte. Trees written before symlinks were versioned only use bit 0. */
const EXECUTABLE = 1;
const SYMLINK = 2;
const CHUNKED = 4;

/** 32 raw hash bytes, a varint size and a flags byte: about 36 bytes a file. */
export function encodeFileEntry(entry: FileEntry): Buffer {
  // Sized exactly and written in place: this runs once per file on every status and commit.
  return new ByteWriter(32 + varintLength(entry.size) + 1)
    .hex(entry.hash)
    .uint(entry.size)
    .byte((entry.executable ? EXECUTABLE : 0) | (entry.symlink ? SYMLINK : 0) | (entry.chunked ? CHUNKED : 0))
    .finishExact();
}

export function decodeFileEntry(bytes: Uint8Array, where = 'tree'): FileEntry {
  try {
    const r = new ByteReader(bytes);
    const hash = Buffer.from(r.raw(32)).toString('hex');
    const size = r.uint();
    const flags = r.raw(1)[0]!;
    if (flags & ~(EXECUTABLE | SYMLINK | CHUNKED)) throw new Error(`unknown flags ${flags}`);
    return {
      hash,
      size,
      executable: (flags & EXECUTABLE) !== 0,
      ...((flags & SYMLINK) !== 0 ? { symlink: true } : {}),
      ...((flags & CHUNKED) !== 0 ? { chunked: true } : {}),
    };
  } catch (err) {
    throw new CorruptObjectError(`malformed file entry in ${where}: ${(err as Error).message}`, { where });
  }
}
