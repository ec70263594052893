import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { createHasher, hashBytes, type ObjectId } from './hash.js';

const BLOCK = 4 * 1024 * 1024;

/**
 * Hashes a file's content with bounded memory: small files in one read, big ones in 4 MiB blocks.
 * Throws the filesystem error (ENOENT when the file vanished).
 */
export function hashFileSync(path: string): { id: ObjectId; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= BLOCK) {
      const buffer = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, buffer, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      return { id: hashBytes(buffer.subarray(0, read)), size: read };
    }
    const hasher = createHasher();
    const buffer = Buffer.allocUnsafe(BLOCK);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, BLOCK, total);
      if (n === 0) break;
      hasher.update(buffer.subarray(0, n));
      total += n;
    }
    return { id: hasher.digest(), size: total };
  } finally {
    closeSync(fd);
  }
}
