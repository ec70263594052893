import { InvalidArgumentError } from '../errors/index.js';
import { PathTransport } from './path/path-transport.js';
import { parseRemoteUrl } from './remote-url.js';
import type { Transport } from './transport.js';

/**
 * Opens the transport for a remote URL (the one place that picks a Transport adapter). With
 * `create`, a push may create a bare repository at a path that does not exist yet.
 */
export async function openTransport(url: string, options: { create?: boolean } = {}): Promise<Transport> {
  const location = parseRemoteUrl(url);
  if (location.kind === 'path') return PathTransport.open(location.path, options);
  throw new InvalidArgumentError(
    `${location.kind} remotes (${url}) are not supported by this Strata yet: use a path or file:// remote`,
    { url, kind: location.kind },
  );
}
