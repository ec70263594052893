import { InvalidArgumentError } from '../errors/index.js';
import type { RepositoryConfig } from '../repo/repository-config.js';

/** What `init --catalog` names, split into what is stored and what never is. */
export interface CatalogLocation {
  /** The config entry: URL without password and without `?schema=`. */
  readonly config: Extract<RepositoryConfig['catalog'], { type: 'postgres' }>;
  /** A password written in the URL itself: used for this run, never stored. */
  readonly password?: string;
}

/**
 * Parses `postgres://USER@HOST:PORT/DB[?schema=NAME]`. The password, if the URL holds one, is
 * taken out: the repository config must never contain a secret (it comes from the environment).
 */
export function parseCatalogUrl(text: string): CatalogLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`--catalog must be a postgres:// URL, got '${redactUrl(text)}'`, {
      option: 'catalog',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new InvalidArgumentError(`--catalog must be a postgres:// URL, got '${redactUrl(text)}'`, {
      option: 'catalog',
    });
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  url.password = '';
  return {
    config: { type: 'postgres', url: url.toString(), ...(schema === undefined ? {} : { schema }) },
    ...(password === undefined ? {} : { password }),
  };
}

/** Parses `s3://BUCKET[/PREFIX]` into the store's config entry. */
export function parseStoreUrl(text: string, endpoint?: string): RepositoryConfig['store'] {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(text);
  if (!match)
    throw new InvalidArgumentError(`--store must be s3://BUCKET/PREFIX, got '${text}'`, { option: 'store' });
  const prefix = match[2]!.replace(/\/+$/, '');
  return {
    type: 's3',
    bucket: match[1]!,
    ...(prefix === '' ? {} : { prefix }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
}

/** A URL fit for messages: any password replaced by `***`. Text that is no URL is returned as is. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return text.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}

/** One line per backend, for `strata info` and the `strata config` header. */
export function describeBackends(config: RepositoryConfig): { catalog: string; store: string } {
  const catalog =
    config.catalog.type === 'sqlite'
      ? 'sqlite (.strata/catalog.db)'
      : `postgres ${redactUrl(config.catalog.url)}${config.catalog.schema ? ` (schema ${config.catalog.schema})` : ''}`;
  const store =
    config.store.type === 'fs'
      ? 'fs (.strata/objects)'
      : `s3://${config.store.bucket}/${config.store.prefix ?? ''}` +
        (config.store.endpoint ? ` (endpoint ${config.store.endpoint})` : '');
  return { catalog, store };
}
