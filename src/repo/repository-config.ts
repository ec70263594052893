import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import { HASH_ALGORITHM } from '../util/hash.js';

/**
 * `.strata/config.json`: which adapters this repository uses. Written once by `init`. Holds no
 * secret: the PostgreSQL URL has no password and S3 credentials come from the environment.
 */
export interface RepositoryConfig {
  readonly format: 1;
  readonly hash: string;
  readonly catalog:
    | { readonly type: 'sqlite' }
    | { readonly type: 'postgres'; readonly url: string; readonly schema?: string };
  readonly store:
    | { readonly type: 'fs' }
    | { readonly type: 's3'; readonly bucket: string; readonly prefix?: string; readonly endpoint?: string };
}

/** The embedded defaults: SQLite catalog, filesystem object store. Chosen here and nowhere else. */
export const DEFAULT_CONFIG: RepositoryConfig = {
  format: 1,
  hash: HASH_ALGORITHM,
  catalog: { type: 'sqlite' },
  store: { type: 'fs' },
};

/** Reads and checks a repository config; every problem names the file and the field. */
export function readRepositoryConfig(path: string): RepositoryConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { path });
  }
  const v = value as Partial<RepositoryConfig> | null;
  const fail = (field: string, expected: string): never => {
    throw new ConfigError(`${path}: field '${field}' must be ${expected}`, { path, field, expected });
  };
  if (typeof v !== 'object' || v === null) fail('(root)', 'an object');
  if (v!.format !== 1) fail('format', '1 (this Strata reads repository format 1)');
  if (v!.hash !== HASH_ALGORITHM) fail('hash', `'${HASH_ALGORITHM}'`);
  const catalog = v!.catalog as { type?: unknown; url?: unknown } | undefined;
  if (!catalog || (catalog.type !== 'sqlite' && catalog.type !== 'postgres'))
    fail('catalog.type', "'sqlite' or 'postgres'");
  if (catalog!.type === 'postgres' && typeof catalog!.url !== 'string')
    fail('catalog.url', 'a postgres:// connection string');
  const store = v!.store as { type?: unknown; bucket?: unknown } | undefined;
  if (!store || (store.type !== 'fs' && store.type !== 's3')) fail('store.type', "'fs' or 's3'");
  if (store!.type === 's3' && typeof store!.bucket !== 'string') fail('store.bucket', 'a bucket name');
  return v as RepositoryConfig;
}
