import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { STRATA_DIR } from '../../../repository.js';
import type { ResourceType } from '../resource-type.js';
import { checkStoredS3Url, formatS3Url, parseS3Url } from './s3-location.js';
import { pullMirror, pushMirror } from './s3-mirror.js';

const endpointOf = (options: Readonly<Record<string, unknown>>) =>
  typeof options.endpoint === 'string' ? { endpoint: options.endpoint } : {};

/**
 * A prefix of an S3 bucket (`s3://BUCKET/PREFIX`). A local copy inside `.strata/s3/` is brought
 * in step with the prefix when the resource is added and before every snapshot, so a snapshot
 * records every key with its size and content hash and, unless reference-only, stores the
 * contents in the repository's object store as for a local folder. A restore writes the
 * snapshot's files into the copy, then puts them back into the bucket (and deletes the keys the
 * snapshot did not have), unless the resource is read-only.
 */
export const s3Type: ResourceType = {
  type: 's3',
  checkPath: (_repoRoot, path) => formatS3Url(parseS3Url(path)),
  locate(repoRoot, path) {
    const { bucket } = parseS3Url(checkStoredS3Url(path));
    const id = createHash('sha256').update(path).digest('hex').slice(0, 16);
    return join(repoRoot, STRATA_DIR, 's3', `${bucket}-${id}`);
  },
  open(repoRoot, path) {
    const abs = s3Type.locate(repoRoot, path);
    mkdirSync(abs, { recursive: true });
    return abs;
  },
  checkStoredLocation: checkStoredS3Url,
  contentMode: (options) => (options.referenceOnly === true ? 'hashed' : 'stored'),
  skip: [],
  refresh: (abs, record) => pullMirror(abs, parseS3Url(record.path), endpointOf(record.options)),
  publish: (abs, record) => pushMirror(abs, parseS3Url(record.path), endpointOf(record.options)),
};
