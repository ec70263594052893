import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../errors/index.js';
import type { ArrayWriteInput } from './array-source.js';
import { writeDurably } from './durable-file-writer.js';
import { encodeNpyHeader } from './npy.js';
import { checkWriteInput, checkedChunks, expectedBytes } from './write-input.js';

/** One array of an `.npz`: stored as `<name>.npy`. */
export type NpzMember = ArrayWriteInput & { readonly name: string };

/**
 * Writes an `.npz` (a zip of `.npy` members, as `numpy.savez`; `compress` deflates as
 * `numpy.savez_compressed`) with yazl, streaming member by member; ZIP64 where sizes need it.
 * Temp file, fsync, rename: a failed write leaves nothing behind.
 */
export async function writeNpz(
  path: string,
  members: readonly NpzMember[],
  options: { compress?: boolean } = {},
): Promise<void> {
  const names = new Set<string>();
  for (const member of members) {
    checkWriteInput(`${path}:${member.name}`, member);
    if (member.name === '' || member.name.includes('\0') || names.has(member.name)) {
      throw new InvalidArgumentError(
        `${path}: member name '${member.name}' is empty, repeated or not allowed`,
        {
          file: path,
          member: member.name,
        },
      );
    }
    names.add(member.name);
  }
  // Loaded here: the CLI bundle keeps yazl external, where a static import loads it for every command.
  const { ZipFile } = (await import('yazl')).default;
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  // The error reaches the caller through the loop reading `output`; this keeps a second emit quiet.
  output.on('error', () => undefined);
  for (const member of members) {
    const header = encodeNpyHeader(member.dtype, [member.count, ...member.sampleShape]);
    const bytes = async function* () {
      yield header;
      // Copy: yazl may hold a chunk after asking for the next, and callers may reuse their buffers.
      for await (const chunk of checkedChunks(`${path}:${member.name}`, member)) yield Buffer.from(chunk);
    };
    zip.addReadStreamLazy(
      `${member.name}.npy`,
      { compress: options.compress ?? false, size: header.length + expectedBytes(member), mtime: new Date() },
      (cb) => {
        const stream = Readable.from(bytes(), { objectMode: false, highWaterMark: 1 });
        // yazl does not listen for a lazy stream's errors (e.g. too few bytes): end the output with it.
        stream.on('error', (err) => output.destroy(err));
        cb(null, stream);
      },
    );
  }
  // yazl reports its own failures (e.g. a size mismatch) on the zip, not on its output stream.
  zip.on('error', (err: Error) => output.destroy(err));
  zip.end();
  await writeDurably(path, async (writer) => {
    for await (const chunk of output as AsyncIterable<Buffer>) await writer.write(chunk);
  });
}
