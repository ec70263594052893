import { InvalidArgumentError } from '../errors/index.js';
import { saveToken } from './http/credentials-file.js';
import { HttpTransport } from './http/http-transport.js';
import { parseRemoteUrl } from './remote-url.js';

/** What `login` did. */
export interface LoginResult {
  readonly url: string;
  /** Where the token was saved (mode 0600, outside every repository). */
  readonly file: string;
  /** Branches and tags the server showed with this token. */
  readonly refs: number;
}

/**
 * Checks `token` against the Strata server at `url` (one read of its remote refs) and saves it for
 * later fetches, pushes and clones of that server. A token the server refuses is not saved.
 */
export async function login(url: string, token: string): Promise<LoginResult> {
  const location = parseRemoteUrl(url);
  if (location.kind !== 'http')
    throw new InvalidArgumentError(`strata login takes a server URL (http:// or https://), not ${url}`, {
      url,
    });
  if (token.trim() === '') throw new InvalidArgumentError('the token is empty', {});
  const transport = await HttpTransport.open(location.url, { token: token.trim() });
  const refs = (await transport.listRefs()).length;
  await transport.close();
  return { url: location.url, file: saveToken(location.url, token.trim()), refs };
}
