import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../errors/index.js';
import { isObjectId, type ObjectId } from '../../util/hash.js';
import type { PackIndex, PackLocation } from '../object-store.js';
import { forEachBounded } from './bounded.js';
import type { S3Gateway } from './s3-gateway.js';

type Entry = PackLocation & { id: ObjectId };

/**
 * A `PackIndex` kept in the bucket itself, for a bare S3 remote (no catalog beside it): each
 * writer's `commit` adds one immutable file `PREFIX/index/<uuid>.json` listing the objects it
 * stored, written only after S3 confirmed their bytes (`S3ObjectWriter` calls `add` last). What the
 * remote holds is the union of those files, read once, on the first lookup.
 *
 * Reading once is enough: a ref is written only after the index files of every object it needs,
 * so whoever lists the refs before the first lookup sees every object they reach. Objects another
 * pusher stores later are merely unknown here, and are sent again at worst.
 */
export class S3KeptPackIndex implements PackIndex {
  private readonly entriesById = new Map<ObjectId, PackLocation>();
  private loading: Promise<void> | undefined;

  constructor(
    private readonly gateway: Pick<S3Gateway, 'listKeys' | 'get' | 'put'>,
    /** `''` or a prefix ending in `/`. */
    private readonly prefix: string,
  ) {}

  private get indexPrefix(): string {
    return `${this.prefix}index/`;
  }

  async lookup(ids: readonly ObjectId[]): Promise<Map<ObjectId, PackLocation>> {
    await this.load();
    const found = new Map<ObjectId, PackLocation>();
    for (const id of ids) {
      const location = this.entriesById.get(id);
      if (location) found.set(id, location);
    }
    return found;
  }

  async add(iterable: Iterable<Entry>): Promise<void> {
    const entries = [...iterable];
    await this.load();
    const body = Buffer.from(JSON.stringify(entries.map((e) => [e.id, e.pack, e.offset, e.length])));
    await this.gateway.put(`${this.indexPrefix}${randomUUID()}.json`, body);
    for (const e of entries) this.entriesById.set(e.id, { pack: e.pack, offset: e.offset, length: e.length });
  }

  remove(): Promise<void> {
    return Promise.reject(
      new InvalidArgumentError('objects of a bare S3 remote are never deleted by Strata (no gc there)', {}),
    );
  }

  async *entries(): AsyncIterable<Entry> {
    await this.load();
    for (const [id, location] of this.entriesById) yield { id, ...location };
  }

  private load(): Promise<void> {
    this.loading ??= this.readAll().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async readAll(): Promise<void> {
    const keys: string[] = [];
    for await (const key of this.gateway.listKeys(this.indexPrefix))
      if (key.endsWith('.json')) keys.push(key);
    await forEachBounded(keys, 8, async (key) => {
      const body = await this.gateway.get(key);
      if (body === undefined) return;
      for (const row of parseIndexFile(body)) {
        this.entriesById.set(row[0], { pack: row[1], offset: row[2], length: row[3] });
      }
    });
  }
}

type Row = [ObjectId, string, number, number];

/**
 * The rows of one index file. A file that does not parse is skipped, not fatal: S3 stores a PUT
 * whole or not at all, but some S3-compatible servers (s3rver) keep what arrived of a PUT cut short,
 * and such a write never returned success, so no ref was written after it. The objects it would
 * list are merely unknown here (a push sends them again).
 */
function parseIndexFile(body: Buffer): Row[] {
  let rows: unknown;
  try {
    rows = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const valid =
    Array.isArray(rows) &&
    rows.every(
      (r) =>
        Array.isArray(r) &&
        r.length === 4 &&
        typeof r[0] === 'string' &&
        isObjectId(r[0]) &&
        typeof r[1] === 'string' &&
        Number.isSafeInteger(r[2]) &&
        Number.isSafeInteger(r[3]),
    );
  return valid ? (rows as Row[]) : [];
}
