import { open, rename, unlink } from 'node:fs/promises';
import { tempPathFor } from '../util/durable-fs.js';

/**
 * Writes `data` to a temp file beside `path` and renames it over `path`, so a reader never sees a
 * half-written file. `mode` applies to a newly created file, minus the process umask (as git does
 * for checkouts). The file is not fsynced: it is a working file, not repository state.
 */
export async function replaceFile(path: string, data: Uint8Array, mode?: number): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'wx', mode ?? 0o666);
  try {
    await handle.writeFile(data);
    await handle.close();
    await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw err;
  }
}
