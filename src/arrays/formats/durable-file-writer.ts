import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, tempPathFor } from '../../util/durable-fs.js';

const BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Writes a file crash-safely and fast: bytes go to a temp file beside the target through one
 * reused 8 MiB buffer (so many small chunks cost few system calls), then fsync and rename. A
 * failure anywhere removes the temp file, so a failed export leaves nothing half-written.
 *
 * `transform`, when given, is applied in place to each buffered run before it is written (e.g. a
 * byte swap); each run starts where the last run or `writeVerbatim` ended and is a multiple of 8
 * bytes long except the last.
 */
export class DurableFileWriter {
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private position = 0;

  private constructor(
    readonly target: string,
    private readonly temp: string,
    private readonly file: FileHandle,
    private readonly transform?: (run: Buffer) => void,
  ) {}

  static async create(target: string, transform?: (run: Buffer) => void): Promise<DurableFileWriter> {
    await mkdir(dirname(target), { recursive: true });
    const temp = tempPathFor(target);
    return new DurableFileWriter(target, temp, await open(temp, 'w'), transform);
  }

  /** Bytes written so far (buffered or not). */
  get bytesWritten(): number {
    return this.position + this.used;
  }

  /**
   * Buffers or writes `chunk`. Returns a promise only when it had to write to the file, so that
   * callers feeding many small chunks (one per sample) skip an await per chunk:
   * `const writing = writer.write(chunk); if (writing) await writing;`.
   */
  write(chunk: Uint8Array): Promise<void> | undefined {
    if (chunk.byteLength <= BUFFER_BYTES - this.used) {
      this.buffer.set(chunk, this.used);
      this.used += chunk.byteLength;
      return this.used === BUFFER_BYTES ? this.flush() : undefined;
    }
    return this.writeLarge(chunk);
  }

  private async writeLarge(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    if (!this.transform && this.used === 0 && chunk.byteLength >= BUFFER_BYTES) {
      await this.writeAll(chunk);
      return;
    }
    while (offset < chunk.byteLength) {
      const n = Math.min(BUFFER_BYTES - this.used, chunk.byteLength - offset);
      this.buffer.set(chunk.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
      if (this.used === BUFFER_BYTES) await this.flush();
    }
  }

  /** Writes bytes as they are, past `transform` (a header before swapped data). */
  async writeVerbatim(bytes: Uint8Array): Promise<void> {
    await this.flush();
    await this.writeAll(bytes);
  }

  /** Flushes, fsyncs, closes and renames onto the target. */
  async commit(): Promise<void> {
    try {
      await this.flush();
      await this.file.sync();
      await this.file.close();
    } catch (err) {
      await this.abort();
      throw err;
    }
    await rename(this.temp, this.target);
    fsyncDir(dirname(this.target));
  }

  /** Closes and removes the temp file; the target is untouched. */
  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    const run = this.buffer.subarray(0, this.used);
    this.transform?.(run);
    this.used = 0;
    await this.writeAll(run);
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let done = 0;
    while (done < data.byteLength) {
      const { bytesWritten } = await this.file.write(data, done, data.byteLength - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}

/**
 * Runs `body` with a writer for `target`, committing when it returns and aborting (temp file
 * removed, target untouched) when it throws.
 */
export async function writeDurably(
  target: string,
  body: (writer: DurableFileWriter) => Promise<void>,
  transform?: (run: Buffer) => void,
): Promise<void> {
  const writer = await DurableFileWriter.create(target, transform);
  try {
    await body(writer);
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await writer.commit();
}
