import { ConfigError } from '../../errors/index.js';
import { Ok } from '../../protocol/common.js';
import { REMOTE_PROTOCOL, RemoteInfoBody } from '../../protocol/remote.js';
import type { ObjectId } from '../../util/hash.js';
import type { RemoteInfo, RemoteRef, Transport } from '../transport.js';
import { savedToken } from './credentials-file.js';
import { HttpObjects } from './http-objects.js';
import { RemoteHttp } from './remote-http.js';

/**
 * The `http` transport: a repository served by `strata serve`, reached through its
 * `/api/remote/…` routes with a bearer token (read to fetch and clone, write to push). The token
 * comes from `STRATA_TOKEN`, else from what `strata login URL` saved; it is never written into a
 * repository.
 */
export class HttpTransport implements Transport {
  readonly objects: HttpObjects;

  private constructor(
    readonly url: string,
    private readonly http: RemoteHttp,
    private readonly first: RemoteInfoBody,
  ) {
    this.objects = new HttpObjects(http);
  }

  static async open(url: string, options: { token?: string } = {}): Promise<HttpTransport> {
    const token = options.token ?? (process.env.STRATA_TOKEN || undefined) ?? savedToken(url);
    const http = new RemoteHttp(url, token);
    const info = await http.json('GET', 'api/remote', undefined, RemoteInfoBody);
    if (info.protocol > REMOTE_PROTOCOL)
      throw new ConfigError(
        `remote ${url} speaks remote protocol ${info.protocol}, newer than this Strata's (${REMOTE_PROTOCOL}): upgrade Strata`,
        { remote: url, found: info.protocol, supported: REMOTE_PROTOCOL },
      );
    return new HttpTransport(url, http, info);
  }

  info(): Promise<RemoteInfo> {
    return Promise.resolve({ head: this.first.head, bare: this.first.bare });
  }

  /** The refs as the server has them now (asked again: a push compares against them). */
  async listRefs(): Promise<RemoteRef[]> {
    return (await this.http.json('GET', 'api/remote', undefined, RemoteInfoBody)).refs;
  }

  /** A read token (or a read-only server) is refused here: `RemoteRefusedError`, nothing sent. */
  async checkPushAllowed(): Promise<void> {
    await this.http.json('GET', 'api/remote/push-access', undefined, Ok);
  }

  async updateRef(name: string, target: ObjectId, expected: ObjectId | null): Promise<void> {
    await this.http.json('POST', 'api/remote/refs', { name, target, expected }, Ok);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
