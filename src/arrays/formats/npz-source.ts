import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { isStrataError } from '../../errors/index.js';
import type { ArraySource } from './array-source.js';
import { fileRangeBatches } from './file-range-batches.js';
import { formatError } from './format-error.js';
import { parseNpyHeader, type NpyHeader } from './npy.js';
import { streamBatches } from './stream-batches.js';

interface ZipEntry {
  readonly fileName: string;
  readonly uncompressedSize: number;
}

/** Opens the zip and calls `visit` for each entry in order until it returns true or entries end. */
async function withZip<T>(
  path: string,
  visit: (zip: yauzl.ZipFile, entry: yauzl.Entry) => Promise<T | undefined>,
): Promise<T | undefined> {
  let zip: yauzl.ZipFile;
  try {
    // Loaded here: the CLI bundle keeps yauzl external, where a static import loads it for every command.
    const { openPromise } = (await import('yauzl')).default;
    zip = await openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw formatError(path, '.npz (zip) file', (err as Error).message);
  }
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          zip.off('end', onEnd).off('error', onError);
          resolve(e);
        };
        const onEnd = () => {
          zip.off('entry', onEntry).off('error', onError);
          resolve(undefined);
        };
        const onError = (err: Error) => {
          zip.off('entry', onEntry).off('end', onEnd);
          reject(formatError(path, '.npz (zip) file', err.message));
        };
        zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
        zip.readEntry();
      });
      if (!entry) return undefined;
      const result = await visit(zip, entry);
      if (result !== undefined) return result;
    }
  } finally {
    zip.close();
  }
}

async function openMemberStream(path: string, zip: yauzl.ZipFile, entry: ZipEntry): Promise<Readable> {
  try {
    return await zip.openReadStreamPromise(entry as yauzl.Entry);
  } catch (err) {
    throw formatError(`${path}:${entry.fileName}`, '.npz member', (err as Error).message);
  }
}

/** Reads just enough of a member to parse its `.npy` header. */
async function readMemberHeader(path: string, zip: yauzl.ZipFile, entry: ZipEntry): Promise<NpyHeader> {
  const stream = await openMemberStream(path, zip, entry);
  const parts: Buffer[] = [];
  let length = 0;
  const member = `${path}:${entry.fileName}`;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      length += chunk.length;
      if (length >= 10) {
        const head = Buffer.concat(parts);
        const headerLength = head[6] === 1 ? head.readUInt16LE(8) + 10 : head.readUInt32LE(8) + 12;
        if (length >= headerLength || length >= 1024 * 1024) break;
      }
    }
  } catch (err) {
    throw formatError(member, '.npz member', (err as Error).message);
  } finally {
    stream.destroy();
  }
  return parseNpyHeader(Buffer.concat(parts), entry.uncompressedSize, member);
}

/**
 * The `.npy` members of an `.npz` file (numpy's zip of arrays, stored or deflated), one source per
 * member named without `.npy`. Members are read with yauzl, streaming; other members are ignored.
 */
export async function openNpzSources(path: string): Promise<ArraySource[]> {
  const sources: ArraySource[] = [];
  await withZip(path, async (zip, entry) => {
    if (!entry.fileName.endsWith('.npy')) return undefined;
    const header = await readMemberHeader(path, zip, entry);
    const stored = entry.compressionMethod === 0 && !entry.isEncrypted();
    sources.push(memberSource(path, entry, header, stored ? await storedDataStart(path, entry) : undefined));
    return undefined;
  });
  return sources;
}

/**
 * Where a stored (not deflated) member's bytes start in the zip: after its local header, whose
 * name and extra fields may differ in length from the central directory's.
 */
async function storedDataStart(path: string, entry: yauzl.Entry): Promise<number> {
  const file = await open(path, 'r');
  try {
    const local = Buffer.alloc(30);
    const { bytesRead } = await file.read(local, 0, 30, entry.relativeOffsetOfLocalHeader);
    if (bytesRead < 30 || local.readUInt32LE(0) !== 0x04034b50) {
      throw formatError(`${path}:${entry.fileName}`, '.npz member', 'bad local file header');
    }
    return entry.relativeOffsetOfLocalHeader + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await file.close();
  }
}

/**
 * A member as a source. Stored members (numpy.savez) are read straight from the file like a
 * `.npy`, at disk speed (without checking the zip's CRC, as a `.npy` has none); deflated ones
 * (numpy.savez_compressed) stream through yauzl.
 */
function memberSource(
  path: string,
  entry: yauzl.Entry,
  header: NpyHeader,
  storedAt: number | undefined,
): ArraySource {
  const fileName = entry.fileName;
  const [count, sampleShape] =
    header.shape.length === 0 ? [1, [] as number[]] : [header.shape[0]!, header.shape.slice(1)];
  return {
    path,
    name: fileName.slice(0, -'.npy'.length),
    dtype: header.dtype,
    sampleShape,
    count,
    batches: (options) =>
      storedAt === undefined
        ? memberBatches(path, fileName, header, count, sampleShape, options)
        : fileRangeBatches(
            {
              path,
              dtype: header.dtype,
              shape: sampleShape,
              count,
              dataOffset: storedAt + header.dataOffset,
              bigEndian: header.bigEndian,
            },
            options,
          ),
  };
}

async function* memberBatches(
  path: string,
  fileName: string,
  header: NpyHeader,
  count: number,
  sampleShape: number[],
  options?: Parameters<ArraySource['batches']>[0],
) {
  let zip: yauzl.ZipFile | undefined;
  let stream: Readable | undefined;
  await withZip(path, async (z, entry) => {
    if (entry.fileName !== fileName) return undefined;
    zip = z;
    stream = await openMemberStream(path, z, entry);
    // Keep the zip open for the stream: withZip closes it, but yauzl keeps the fd until the stream ends.
    return true;
  });
  if (!stream || !zip) throw formatError(path, '.npz file', `member ${fileName} is gone`);
  try {
    yield* streamBatches(
      stream as AsyncIterable<Uint8Array>,
      {
        file: `${path}:${basename(fileName)}`,
        dtype: header.dtype,
        shape: sampleShape,
        count,
        skip: header.dataOffset,
        bigEndian: header.bigEndian,
      },
      options,
    );
  } catch (err) {
    // yauzl reports a corrupt member (bad deflate data, wrong size) as a stream error.
    throw isStrataError(err)
      ? err
      : formatError(`${path}:${fileName}`, '.npz member', (err as Error).message);
  } finally {
    stream.destroy();
  }
}
