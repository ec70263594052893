import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { CorruptTransferError, InvalidArgumentError } from '../../errors/index.js';
import {
  ByteReader,
  FRAME_HEADER_BYTES,
  frameHeader,
  parseFrameHeader,
} from '../../protocol/remote-frames.js';
import { HaveResult, PackResult, REMOTE_BATCH, SizesResult } from '../../protocol/remote.js';
import type { ObjectWriter } from '../../store/object-store.js';
import { createHasher, hashBytes, type ObjectId } from '../../util/hash.js';
import type { RemoteObjects } from '../transport.js';
import type { RemoteHttp } from './remote-http.js';

/**
 * The objects of a `strata serve` remote: `hasMany`, `sizeMany` and `getMany` send one request per
 * batch of up to 2,000 ids, big objects stream to a file, and each writer is one streamed upload
 * of one pack. Every object read is hashed here and refused when it does not match its id.
 */
export class HttpObjects implements RemoteObjects {
  constructor(private readonly http: RemoteHttp) {}

  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    const have = new Set<ObjectId>();
    for (let i = 0; i < ids.length; i += REMOTE_BATCH) {
      const batch = ids.slice(i, i + REMOTE_BATCH);
      for (const id of (await this.http.json('POST', 'api/remote/have', { ids: batch }, HaveResult)).have)
        have.add(id);
    }
    return have;
  }

  async sizeMany(ids: readonly ObjectId[]): Promise<Map<ObjectId, number>> {
    const sizes = new Map<ObjectId, number>();
    for (let i = 0; i < ids.length; i += REMOTE_BATCH) {
      const batch = ids.slice(i, i + REMOTE_BATCH);
      const got = (await this.http.json('POST', 'api/remote/sizes', { ids: batch }, SizesResult)).sizes;
      for (const id of batch) sizes.set(id, got[id]!);
    }
    return sizes;
  }

  async size(id: ObjectId): Promise<number> {
    return (await this.sizeMany([id])).get(id)!;
  }

  async getMany(ids: readonly ObjectId[]): Promise<Map<ObjectId, Buffer>> {
    const found = new Map<ObjectId, Buffer>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += REMOTE_BATCH) {
      const batch = unique.slice(i, i + REMOTE_BATCH);
      const response = await this.http.download('POST', 'api/remote/objects', {
        json: JSON.stringify({ ids: batch }),
      });
      try {
        const reader = new ByteReader(response);
        while (!(await reader.atEnd())) {
          const { id, length } = parseFrameHeader(await reader.read(FRAME_HEADER_BYTES));
          const data = await reader.read(length);
          const actual = hashBytes(data);
          if (actual !== id) throw altered(id, actual, this.http.url);
          found.set(id, data);
        }
      } catch (err) {
        response.destroy();
        throw this.http.unreachable(err);
      }
      const missing = batch.find((id) => !found.has(id));
      if (missing) throw altered(missing, 'nothing', this.http.url);
    }
    return found;
  }

  /** One request per `REMOTE_BATCH` ids; each frame is hashed as it arrives and handed over. */
  async *streamMany(ids: readonly ObjectId[]): AsyncIterable<readonly [ObjectId, Buffer]> {
    for (let i = 0; i < ids.length; i += REMOTE_BATCH) {
      const batch = ids.slice(i, i + REMOTE_BATCH);
      const response = await this.http.download('POST', 'api/remote/objects', {
        json: JSON.stringify({ ids: batch }),
      });
      let next = 0;
      try {
        const reader = new ByteReader(response);
        while (!(await reader.atEnd())) {
          const { id, length } = parseFrameHeader(await reader.read(FRAME_HEADER_BYTES));
          if (id !== batch[next])
            throw new CorruptTransferError(
              `${this.http.url} sent object ${id} where ${batch[next] ?? 'nothing more'} was asked for; nothing was referenced`,
              { id, expected: batch[next] ?? null, remote: this.http.url },
            );
          const data = await reader.read(length);
          const actual = hashBytes(data);
          if (actual !== id) throw altered(id, actual, this.http.url);
          next += 1;
          yield [id, data] as const;
        }
      } catch (err) {
        response.destroy();
        throw this.http.unreachable(err);
      }
      if (next < batch.length) throw altered(batch[next]!, 'nothing', this.http.url);
    }
  }

  async readToFile(id: ObjectId, path: string, options: { mode?: number } = {}): Promise<void> {
    const response = await this.http.download('GET', `api/remote/objects/${id}`);
    const temp = `${path}.strata-${process.pid}-${Date.now()}.tmp`;
    const handle = await open(temp, 'wx', options.mode ?? 0o666);
    const hasher = createHasher();
    try {
      try {
        for await (const chunk of response as AsyncIterable<Buffer>) {
          hasher.update(chunk);
          for (let done = 0; done < chunk.byteLength;)
            done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
        }
      } catch (err) {
        response.destroy();
        throw this.http.unreachable(err);
      }
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    const actual = hasher.digest();
    if (actual !== id) {
      await rm(temp, { force: true });
      throw altered(id, actual, this.http.url);
    }
    await rename(temp, path);
  }

  createWriter(): ObjectWriter {
    return new HttpPackWriter(this.http);
  }
}

function altered(id: ObjectId, actual: string, remote: string): CorruptTransferError {
  return new CorruptTransferError(
    `object ${id} arrived from ${remote} with bytes that hash to ${actual}; nothing was referenced`,
    { id, actual, remote },
  );
}

/**
 * One pack pushed as one streamed request: frames are written as objects are added (with
 * backpressure, so memory holds what the socket has not taken yet), and `commit` ends the body and
 * waits for the server's answer: it answers only after its own writer made every object durable.
 */
class HttpPackWriter implements ObjectWriter {
  private body: PassThrough | undefined;
  private response: Promise<Response> | undefined;
  /** Settles (never rejects) when the server has answered or the request failed. */
  private answered: Promise<void> | undefined;
  private failure: unknown;
  private settled = false;
  private readonly abortController = new AbortController();
  private readonly seen = new Set<ObjectId>();
  private state: 'open' | 'done' = 'open';

  constructor(private readonly http: RemoteHttp) {}

  async add(data: Uint8Array): Promise<ObjectId> {
    const id = hashBytes(data);
    await this.addCheckedByReceiver(id, data);
    return id;
  }

  /** The server hashes every object it receives: one altered on the way is refused there. */
  async addCheckedByReceiver(id: ObjectId, data: Uint8Array): Promise<void> {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    await this.write(frameHeader(id, data.byteLength));
    await this.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  async addFile(path: string): Promise<{ id: ObjectId; size: number }> {
    // The id goes before the bytes: hash the file once, then stream it.
    const hasher = createHasher();
    for await (const chunk of createReadStream(path)) hasher.update(chunk as Buffer);
    const id = hasher.digest();
    const { size } = await stat(path);
    if (this.seen.has(id)) return { id, size };
    this.seen.add(id);
    await this.write(frameHeader(id, size));
    let sent = 0;
    for await (const chunk of createReadStream(path)) {
      sent += (chunk as Buffer).byteLength;
      await this.write(chunk as Buffer);
    }
    if (sent !== size) throw new InvalidArgumentError(`${path} changed while it was being sent`, { path });
    return { id, size };
  }

  async commit(): Promise<void> {
    this.checkOpen();
    this.state = 'done';
    if (!this.body) return;
    this.body.end();
    let response: Response;
    try {
      response = await this.response!;
    } catch (err) {
      throw this.failure ?? err;
    }
    PackResult.parse(
      await response.json().catch((err: unknown) => Promise.reject(this.http.unreachable(err))),
    );
  }

  async abort(): Promise<void> {
    this.state = 'done';
    if (!this.body) return;
    this.abortController.abort();
    this.body.destroy();
    await this.response?.catch(() => {});
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new InvalidArgumentError('this pack writer is finished', {});
  }

  private start(): PassThrough {
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    // A write after the connection was cut fails through `failure`, not as an unhandled 'error'.
    body.on('error', () => {});
    this.body = body;
    this.response = this.http.upload('api/remote/packs', body, {
      type: 'application/octet-stream',
      signal: this.abortController.signal,
    });
    // An early answer (an error) or a cut connection must wake a writer waiting for 'drain'.
    this.answered = this.response.then(
      () => {
        this.settled = true;
      },
      (err: unknown) => {
        this.settled = true;
        this.failure ??= err;
        body.destroy();
      },
    );
    return body;
  }

  private async write(chunk: Buffer): Promise<void> {
    this.checkOpen();
    const body = this.body ?? this.start();
    if (this.failure !== undefined) throw this.failure;
    if (!body.write(chunk) && !this.settled) {
      // The listeners of this wait are removed when it ends: left behind, every wait of a big
      // pack added a 'close' and an 'error' listener (a leak, and a warning on stderr).
      const done = new AbortController();
      try {
        await Promise.race([
          once(body, 'drain', { signal: done.signal }).catch(() => {}),
          once(body, 'close', { signal: done.signal }).catch(() => {}),
          this.answered!,
        ]);
      } finally {
        done.abort();
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
