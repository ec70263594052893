import { randomBytes } from 'node:crypto';
import { lstatSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { fsyncDir } from '../../util/durable-fs.js';

/** The part of the object store a link needs: its verified content. */
export interface LinkSource {
  get(id: ObjectId): Promise<Uint8Array>;
}

/**
 * Makes `abs` a symbolic link whose target is the stored object `id`, byte for byte. The link is
 * made under a short temporary name beside it and renamed into place, so whatever `abs` held (a
 * file, another link) is replaced at once and never written through: a link at `abs` pointing
 * out of the repository is replaced, not followed. A folder at `abs` is refused, not deleted.
 */
export async function writeSymlink(store: LinkSource, id: ObjectId, abs: string): Promise<void> {
  const target = Buffer.from(await store.get(id));
  const existing = lstatSync(abs, { throwIfNoEntry: false });
  if (existing?.isDirectory()) {
    throw new InvalidArgumentError(`cannot make '${abs}' a symbolic link: a folder is in the way`, {
      path: abs,
    });
  }
  // Named independently of the link's own name, so a name near the length limit still works.
  const temp = join(dirname(abs), `.tmp-strata-link-${process.pid}-${randomBytes(4).toString('hex')}`);
  symlinkSync(target, temp);
  try {
    renameSync(temp, abs);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Gone already: nothing to clean.
    }
    throw err;
  }
  fsyncDir(dirname(abs));
}
