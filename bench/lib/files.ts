import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Relative paths of a generated tree: `dNN/fNNNNN.bin`, `perFolder` files in each of `folders`. */
export function treePaths(folders: number, perFolder: number): string[] {
  const paths: string[] = [];
  for (let d = 0; d < folders; d++) {
    for (let f = 0; f < perFolder; f++) {
      paths.push(`d${String(d).padStart(3, '0')}/f${String(d * perFolder + f).padStart(5, '0')}.bin`);
    }
  }
  return paths;
}

/** Writes the same fresh random content (`size` bytes per file) at `paths` under every root. */
export function writeFiles(roots: readonly string[], paths: readonly string[], size: number): void {
  const made = new Set<string>();
  for (const rel of paths) {
    const data = randomBytes(size);
    const slash = rel.lastIndexOf('/');
    for (const root of roots) {
      if (slash > 0) {
        const dir = join(root, rel.slice(0, slash));
        if (!made.has(dir)) mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(join(root, rel), data);
    }
  }
}

/** The newest mtime (ms) among `paths` under `root`. */
export function newestMtimeMs(root: string, paths: readonly string[]): number {
  let newest = 0;
  for (const rel of paths) newest = Math.max(newest, statSync(join(root, rel)).mtimeMs);
  return newest;
}

const BLOCK = 64 * 1024 * 1024;

/**
 * Writes `mib` MiB of random bytes to `path`, one 64 MiB block at a time (memory stays at one
 * block), and returns its SHA-256. Every block is fresh random data (randomFill runs at several
 * GB/s here), so no chunk repeats and content-defined chunking cannot dedupe anything.
 */
export function writeRandomFile(path: string, mib: number): string {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(BLOCK);
  const fd = openSync(path, 'wx');
  try {
    let left = mib * 1024 * 1024;
    while (left > 0) {
      const chunk = block.subarray(0, Math.min(BLOCK, left));
      randomFillSync(chunk);
      hash.update(chunk);
      let written = 0;
      while (written < chunk.byteLength) written += writeSync(fd, chunk, written);
      left -= chunk.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** SHA-256 of a file, streamed in 8 MiB reads; the size comes along. */
export function sha256File(path: string): { sha256: string; size: number } {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(8 * 1024 * 1024);
  const fd = openSync(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, block, 0, block.byteLength, size);
      if (n === 0) break;
      hash.update(block.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, Math.max(0, ms)));
}
