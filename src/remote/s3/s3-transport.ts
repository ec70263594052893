import { openS3BareRemote, type S3BareRemote } from '../../backends/open-s3-remote.js';
import { NotARepositoryError, StrataError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import type { RemoteInfo, RemoteRef, Transport } from '../transport.js';

/** Where an S3 remote is and how to reach it (credentials come from the SDK's chain, never from here). */
export interface S3RemoteOptions {
  readonly bucket: string;
  readonly prefix: string;
  /** An S3-compatible endpoint (MinIO, Ceph, s3rver); default AWS S3. */
  readonly endpoint?: string;
  /** A prefix that holds no remote yet becomes one (a first push). */
  readonly create?: boolean;
}

/**
 * The `s3` transport: a bare remote of packs and refs in an S3 prefix (`S3BareRemote`). Objects
 * go up through the S3 object store's writer (one pack per writer, multipart for big objects,
 * indexed only after S3 confirmed them) and come down by ranged GETs merged per pack; refs move
 * by conditional PUT.
 */
export class S3Transport implements Transport {
  private constructor(
    readonly url: string,
    private readonly remote: S3BareRemote,
    private readonly head: string | null,
  ) {}

  get objects() {
    return this.remote.objects;
  }

  static async open(url: string, options: S3RemoteOptions): Promise<S3Transport> {
    const remote = await openS3BareRemote({
      bucket: options.bucket,
      prefix: options.prefix,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    }).catch((err: unknown) => {
      throw namingRemote(err, url);
    });
    try {
      let meta = await remote.readMeta();
      if (!meta && options.create) meta = await remote.create('main');
      if (!meta)
        throw new NotARepositoryError(
          `remote ${url} is not a Strata remote (no strata-remote.json under the prefix; a first push creates one)`,
          { remote: url },
        );
      return new S3Transport(url, remote, meta.head);
    } catch (err) {
      await remote.close();
      throw namingRemote(err, url);
    }
  }

  info(): Promise<RemoteInfo> {
    return Promise.resolve({ head: this.head, bare: true });
  }

  listRefs(): Promise<RemoteRef[]> {
    return this.remote.listRefs();
  }

  updateRef(name: string, target: ObjectId, expected: ObjectId | null): Promise<void> {
    return this.remote.updateRef(name, target, expected);
  }

  close(): Promise<void> {
    return this.remote.close();
  }
}

/** Errors reaching the bucket say which remote they are about. */
function namingRemote(err: unknown, url: string): unknown {
  if (err instanceof StrataError && !err.message.includes(url)) err.message = `remote ${url}: ${err.message}`;
  return err;
}
