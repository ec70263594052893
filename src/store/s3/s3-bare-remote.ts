import { ConfigError, ConflictError, NotARepositoryError } from '../../errors/index.js';
import { isObjectId, type ObjectId } from '../../util/hash.js';
import { forEachBounded } from './bounded.js';
import type { S3Gateway } from './s3-gateway.js';
import { S3KeptPackIndex } from './s3-kept-pack-index.js';
import { S3Layout } from './s3-layout.js';
import { S3ObjectStore } from './s3-object-store.js';

/** The format of a bare S3 remote this Strata writes and reads. */
export const S3_REMOTE_FORMAT = 1;

/** What `PREFIX/strata-remote.json` says about the remote. */
export interface S3RemoteMeta {
  readonly format: number;
  /** The branch a clone checks out. */
  readonly head: string | null;
}

/**
 * A bare remote in an S3 prefix: the object store's packs and big objects (`packs/`, `objects/`),
 * an index kept beside them (`index/`, see `S3KeptPackIndex`), one key per ref (`refs/heads/main`
 * holding the commit id) and `strata-remote.json` marking the prefix as a Strata remote.
 *
 * A ref moves by a conditional PUT: `If-None-Match: *` to create, `If-Match: <etag read>` to move.
 * On a server that honours them (AWS S3 since 2024, recent MinIO) two racing writers cannot both
 * win; on one that ignores them (s3rver) the value is still compared just before the PUT, which
 * narrows the race to the time between that read and that write (docs/remotes.md).
 */
export class S3BareRemote {
  readonly objects: S3ObjectStore;
  private readonly layout: S3Layout;

  constructor(
    private readonly gateway: S3Gateway,
    prefix: string,
  ) {
    this.layout = new S3Layout(prefix);
    this.objects = new S3ObjectStore({
      gateway,
      prefix,
      index: new S3KeptPackIndex(gateway, this.layout.prefix),
    });
  }

  private get metaKey(): string {
    return `${this.layout.prefix}strata-remote.json`;
  }

  private refKey(name: string): string {
    return `${this.layout.prefix}${name}`;
  }

  /** `s3://bucket/prefix` at the endpoint, for messages. */
  describe(): string {
    return `s3://${this.gateway.target.bucket}/${this.layout.prefix} (${this.gateway.target.endpoint})`;
  }

  /** The remote's marker; throws `NotARepositoryError` when the prefix holds none. */
  async readMeta(): Promise<S3RemoteMeta | undefined> {
    const body = await this.gateway.get(this.metaKey);
    if (body === undefined) return undefined;
    let meta: Partial<S3RemoteMeta> | undefined;
    try {
      meta = JSON.parse(body.toString('utf8')) as Partial<S3RemoteMeta>;
    } catch {
      meta = undefined;
    }
    if (!meta || typeof meta.format !== 'number')
      throw new NotARepositoryError(`${this.describe()}: strata-remote.json is not a Strata remote marker`, {
        remote: this.describe(),
      });
    if (meta.format > S3_REMOTE_FORMAT)
      throw new ConfigError(
        `${this.describe()} was written by a newer Strata (remote format ${meta.format}, this one knows ${S3_REMOTE_FORMAT}): upgrade Strata`,
        { remote: this.describe(), found: meta.format, supported: S3_REMOTE_FORMAT },
      );
    return { format: meta.format, head: typeof meta.head === 'string' ? meta.head : null };
  }

  /** Marks an empty prefix as a remote (a first push); keeps a marker another pusher wrote meanwhile. */
  async create(head: string): Promise<S3RemoteMeta> {
    const meta: S3RemoteMeta = { format: S3_REMOTE_FORMAT, head };
    const made = await this.gateway.putIf(this.metaKey, Buffer.from(JSON.stringify(meta) + '\n'), {
      ifNoneMatch: '*',
    });
    return made ? meta : ((await this.readMeta()) ?? meta);
  }

  /** Branches and tags with their targets, sorted by name. */
  async listRefs(): Promise<{ name: string; target: ObjectId }[]> {
    const keys: string[] = [];
    for (const folder of ['refs/heads/', 'refs/tags/'])
      for await (const key of this.gateway.listKeys(this.refKey(folder))) keys.push(key);
    const refs: { name: string; target: ObjectId }[] = [];
    await forEachBounded(keys, 8, async (key) => {
      const body = await this.gateway.get(key);
      if (body === undefined) return; // deleted since the listing
      refs.push({ name: key.slice(this.layout.prefix.length), target: parseTarget(body, key) });
    });
    return refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Sets ref `name` to `target` only if it now points at `expected` (null: must not exist);
   * `ConflictError` when another writer moved it first.
   */
  async updateRef(name: string, target: ObjectId, expected: ObjectId | null): Promise<void> {
    const key = this.refKey(name);
    const current = await this.gateway.getTagged(key);
    const currentTarget = current === undefined ? null : parseTarget(current.body, key);
    if (currentTarget !== expected)
      throw new ConflictError(`ref ${name} on ${this.describe()} moved (another writer won)`, {
        ref: name,
        expected,
        found: currentTarget,
      });
    const body = Buffer.from(`${target}\n`);
    const stored = await this.gateway.putIf(
      key,
      body,
      current === undefined ? { ifNoneMatch: '*' } : { ifMatch: current.etag },
    );
    if (!stored)
      throw new ConflictError(`ref ${name} on ${this.describe()} moved (another writer won)`, {
        ref: name,
        expected,
      });
  }

  close(): Promise<void> {
    return this.objects.close();
  }
}

function parseTarget(body: Buffer, key: string): ObjectId {
  const text = body.toString('utf8').trim();
  if (!isObjectId(text))
    throw new NotARepositoryError(`${key} does not hold a commit id: not a Strata ref`, { where: key });
  return text;
}
