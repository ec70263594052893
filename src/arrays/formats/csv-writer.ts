import { ITEM_SIZE } from '../dtype.js';
import { elementCount } from '../shape.js';
import type { ArrayWriteInput } from './array-source.js';
import { valueText } from './csv-values.js';
import { writeDurably } from './durable-file-writer.js';
import { checkWriteInput, checkedChunks } from './write-input.js';

/**
 * Writes a CSV of numbers: one row per sample, flattened in C order, no header. Values are
 * written so that reading the file back with the same dtype gives the same bytes (floats in
 * shortest round-trip form, `nan`, `inf`, `-0`). Temp file, fsync, rename.
 */
export async function writeCsv(path: string, input: ArrayWriteInput): Promise<void> {
  checkWriteInput(path, input);
  const itemSize = ITEM_SIZE[input.dtype];
  const elements = elementCount(input.sampleShape);
  const sampleBytes = elements * itemSize;
  await writeDurably(path, async (writer) => {
    if (sampleBytes === 0) {
      await writer.write(Buffer.from('\n'.repeat(input.count)));
      for await (const chunk of checkedChunks(path, input)) void chunk;
      return;
    }
    const carry = new Uint8Array(sampleBytes);
    let carried = 0;
    let text: string[] = [];
    let textLength = 0;
    const row = (bytes: Uint8Array, offset: number) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, sampleBytes);
      const values = new Array<string>(elements);
      for (let i = 0; i < elements; i++) values[i] = valueText(view, i * itemSize, input.dtype);
      const line = values.join(',') + '\n';
      text.push(line);
      textLength += line.length;
    };
    for await (const chunk of checkedChunks(path, input)) {
      let offset = 0;
      if (carried > 0) {
        const n = Math.min(sampleBytes - carried, chunk.byteLength);
        carry.set(chunk.subarray(0, n), carried);
        carried += n;
        offset = n;
        if (carried === sampleBytes) {
          row(carry, 0);
          carried = 0;
        }
      }
      for (; offset + sampleBytes <= chunk.byteLength; offset += sampleBytes) row(chunk, offset);
      if (offset < chunk.byteLength) {
        carry.set(chunk.subarray(offset), 0);
        carried = chunk.byteLength - offset;
      }
      if (textLength >= 1024 * 1024) {
        await writer.write(Buffer.from(text.join('')));
        text = [];
        textLength = 0;
      }
    }
    await writer.write(Buffer.from(text.join('')));
  });
}
