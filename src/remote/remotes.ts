import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { normalizeRemoteUrl, parseRemoteUrl } from './remote-url.js';

/** A named remote of this repository. */
export interface RemoteConfig {
  readonly name: string;
  readonly url: string;
  /** The S3-compatible endpoint of an `s3://` remote (not a secret; credentials come from `AWS_*`). */
  readonly s3Endpoint?: string;
}

/** A remote as stored: its URL, or its URL and endpoint. */
type StoredRemote = string | { readonly url: string; readonly s3_endpoint?: string };

function fromStored(name: string, stored: StoredRemote): RemoteConfig {
  if (typeof stored === 'string') return { name, url: stored };
  return { name, url: stored.url, ...(stored.s3_endpoint ? { s3Endpoint: stored.s3_endpoint } : {}) };
}

/** Catalog config key holding every remote as a JSON object name → URL. */
const REMOTES_KEY = 'strata.remotes';
/** Where fetched branches of a remote are remembered: `refs/remotes/<remote>/<branch>`. */
export const TRACKING_PREFIX = 'refs/remotes/';

export function trackingRef(remote: string, branch: string): string {
  return `${TRACKING_PREFIX}${remote}/${branch}`;
}

/** A remote name: letters, digits, `.`, `_`, `-`, not starting with a punctuation mark. */
export function checkRemoteName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) || name.endsWith('.lock'))
    throw new InvalidArgumentError(`invalid remote name '${name}' (letters, digits, '.', '_' and '-')`, {
      name,
    });
  return name;
}

async function readRemotes(repo: Pick<Repository, 'catalog'>): Promise<Record<string, StoredRemote>> {
  const text = await repo.catalog.getConfig(REMOTES_KEY);
  return text ? (JSON.parse(text) as Record<string, StoredRemote>) : {};
}

/** The repository's remotes, sorted by name. */
export async function listRemotes(repo: Repository): Promise<RemoteConfig[]> {
  const remotes = await readRemotes(repo);
  return Object.keys(remotes)
    .sort()
    .map((name) => fromStored(name, remotes[name]!));
}

/** One remote by name; `NotFoundError` names the known ones when it is unknown. */
export async function getRemote(repo: Pick<Repository, 'catalog'>, name: string): Promise<RemoteConfig> {
  const remotes = await readRemotes(repo);
  const stored = remotes[name];
  if (stored === undefined) {
    const known = Object.keys(remotes).sort();
    throw new NotFoundError(
      `no remote named '${name}'${known.length ? ` (remotes: ${known.join(', ')})` : ''}; add one with 'strata remote add ${name} URL'`,
      { what: 'remote', name },
    );
  }
  return fromStored(name, stored);
}

/**
 * Adds a remote; a path is stored absolute. Refuses a name in use. `s3Endpoint` (an `s3://`
 * remote's S3-compatible endpoint) is stored with it; a credential never is.
 */
export async function addRemote(
  repo: Repository,
  name: string,
  url: string,
  options: { cwd?: string; s3Endpoint?: string } = {},
): Promise<RemoteConfig> {
  checkRemoteName(name);
  const remotes = await readRemotes(repo);
  if (remotes[name] !== undefined)
    throw new AlreadyExistsError(`remote '${name}' exists already (${fromStored(name, remotes[name]).url})`, {
      what: 'remote',
      name,
    });
  const normalized = normalizeRemoteUrl(url, options.cwd);
  if (options.s3Endpoint !== undefined && parseRemoteUrl(normalized).kind !== 's3')
    throw new InvalidArgumentError('--s3-endpoint applies to s3:// remotes only', { url: normalized });
  const stored: StoredRemote =
    options.s3Endpoint === undefined ? normalized : { url: normalized, s3_endpoint: options.s3Endpoint };
  await repo.catalog.setConfig(REMOTES_KEY, JSON.stringify({ ...remotes, [name]: stored }));
  return fromStored(name, stored);
}

/** Removes a remote and the branches fetched from it (`refs/remotes/<name>/…`). */
export async function removeRemote(repo: Repository, name: string): Promise<RemoteConfig> {
  const removed = await getRemote(repo, name);
  const remotes = await readRemotes(repo);
  delete remotes[name];
  for (const ref of await repo.catalog.listRefs(`${TRACKING_PREFIX}${name}/`)) {
    await repo.catalog.deleteRef(ref.name);
  }
  await repo.catalog.setConfig(REMOTES_KEY, JSON.stringify(remotes));
  return removed;
}

/** How to open a configured remote's transport: its stored S3 endpoint, if any. */
export function transportOptions(remote: RemoteConfig): { s3Endpoint?: string } {
  return remote.s3Endpoint === undefined ? {} : { s3Endpoint: remote.s3Endpoint };
}
