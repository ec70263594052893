import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import { normalizeRemoteUrl } from './remote-url.js';

/** A named remote of this repository. */
export interface RemoteConfig {
  readonly name: string;
  readonly url: string;
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

async function readRemotes(repo: Repository): Promise<Record<string, string>> {
  const text = await repo.catalog.getConfig(REMOTES_KEY);
  return text ? (JSON.parse(text) as Record<string, string>) : {};
}

/** The repository's remotes, sorted by name. */
export async function listRemotes(repo: Repository): Promise<RemoteConfig[]> {
  const remotes = await readRemotes(repo);
  return Object.keys(remotes)
    .sort()
    .map((name) => ({ name, url: remotes[name]! }));
}

/** One remote by name; `NotFoundError` names the known ones when it is unknown. */
export async function getRemote(repo: Repository, name: string): Promise<RemoteConfig> {
  const remotes = await readRemotes(repo);
  const url = remotes[name];
  if (url === undefined) {
    const known = Object.keys(remotes).sort();
    throw new NotFoundError(
      `no remote named '${name}'${known.length ? ` (remotes: ${known.join(', ')})` : ''}; add one with 'strata remote add ${name} URL'`,
      { what: 'remote', name },
    );
  }
  return { name, url };
}

/** Adds a remote; a path is stored absolute. Refuses a name in use. */
export async function addRemote(
  repo: Repository,
  name: string,
  url: string,
  options: { cwd?: string } = {},
): Promise<RemoteConfig> {
  checkRemoteName(name);
  const remotes = await readRemotes(repo);
  if (remotes[name] !== undefined)
    throw new AlreadyExistsError(`remote '${name}' exists already (${remotes[name]})`, {
      what: 'remote',
      name,
    });
  const normalized = normalizeRemoteUrl(url, options.cwd);
  await repo.catalog.setConfig(REMOTES_KEY, JSON.stringify({ ...remotes, [name]: normalized }));
  return { name, url: normalized };
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
