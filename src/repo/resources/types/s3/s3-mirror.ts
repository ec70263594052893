import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { S3Bucket, singlePartEtag, type S3BucketOptions } from './s3-bucket.js';
import { keyToPath, pathToKey, type S3Location } from './s3-location.js';

/** Key → ETag of the objects the local copy last matched; beside the copy, never inside it. */
type Manifest = Record<string, string>;

const manifestPath = (abs: string) => `${abs}.etags.json`;

function readManifest(abs: string): Manifest {
  try {
    return JSON.parse(readFileSync(manifestPath(abs), 'utf8')) as Manifest;
  } catch {
    return {};
  }
}

function writeAtomically(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.strata-tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Every file under `abs`, as `/`-separated paths relative to it. */
function listFiles(abs: string): string[] {
  if (!existsSync(abs)) return [];
  return (readdirSync(abs, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => relative(abs, join(d.parentPath, d.name)).split(sep).join('/'));
}

/**
 * Makes the local copy at `abs` hold exactly the objects under the prefix: changed objects (by
 * ETag and size) are downloaded, files whose object is gone are deleted.
 */
export async function pullMirror(abs: string, location: S3Location, options: S3BucketOptions): Promise<void> {
  const bucket = new S3Bucket(location, options);
  try {
    const known = readManifest(abs);
    const next: Manifest = {};
    const wanted = new Set<string>();
    for (const entry of await bucket.list()) {
      const path = keyToPath(location, entry.key);
      if (path === undefined) continue;
      wanted.add(path);
      const file = join(abs, path);
      const same = known[entry.key] === entry.etag && existsSync(file) && statSync(file).size === entry.size;
      if (!same) writeAtomically(file, await bucket.get(entry.key));
      next[entry.key] = entry.etag;
    }
    for (const path of listFiles(abs)) if (!wanted.has(path)) rmSync(join(abs, path), { force: true });
    writeAtomically(manifestPath(abs), JSON.stringify(next));
  } finally {
    bucket.close();
  }
}

/**
 * Makes the objects under the prefix match the local copy at `abs` (after a restore wrote it):
 * files whose bytes differ from their object are uploaded, objects with no file are deleted.
 */
export async function pushMirror(abs: string, location: S3Location, options: S3BucketOptions): Promise<void> {
  const bucket = new S3Bucket(location, options);
  try {
    const remote = new Map((await bucket.list()).map((e) => [e.key, e]));
    const next: Manifest = {};
    const present = new Set<string>();
    for (const path of listFiles(abs)) {
      const key = pathToKey(location, path);
      present.add(key);
      const bytes = readFileSync(join(abs, path));
      const etag = singlePartEtag(bytes);
      const now = remote.get(key);
      if (!now || now.etag !== etag || now.size !== bytes.byteLength) await bucket.put(key, bytes);
      next[key] = etag;
    }
    for (const key of remote.keys()) {
      // Keys no file stands for (folder markers, odd names) are left as they are.
      if (!present.has(key) && keyToPath(location, key) !== undefined) await bucket.delete(key);
    }
    writeAtomically(manifestPath(abs), JSON.stringify(next));
  } finally {
    bucket.close();
  }
}
