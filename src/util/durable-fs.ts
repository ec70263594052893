import { closeSync, fsyncSync, openSync, renameSync, writeSync, mkdirSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { withErrorPath } from './error-path.js';
import { registerTempFolder } from './interrupt-cleanup.js';

const ownTemp = (name: string) => name.startsWith('.tmp-') && name.includes(`-${process.pid}-`);

/**
 * A name for a temporary file beside `target`, so a rename onto `target` stays on one filesystem.
 * Short and never derived from `target`'s own name: a name near the 255-byte limit must still get
 * a temporary name the filesystem accepts. Its folder is registered for removal of this process's
 * temp files on an interrupt (the name carries `-<pid>-`).
 */
export function tempPathFor(target: string): string {
  const folder = dirname(target);
  registerTempFolder(folder, ownTemp);
  return join(folder, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/** fsync a directory so that a rename or a new entry in it survives a power cut. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `target` crash-safely: temp file, fsync, rename, fsync of the folder. A reader
 * sees either the old file or the whole new one, never a torn write.
 */
export function writeFileDurable(
  target: string,
  data: Uint8Array | string,
  options: { sync?: boolean } = {},
): void {
  const sync = options.sync ?? true;
  mkdirSync(dirname(target), { recursive: true });
  const temp = tempPathFor(target);
  const fd = openSync(temp, 'w');
  try {
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    let offset = 0;
    while (offset < buffer.byteLength) offset += writeSync(fd, buffer, offset);
    if (sync) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw withErrorPath(err, target);
  }
  closeSync(fd);
  renameSync(temp, target);
  if (sync) fsyncDir(dirname(target));
}
