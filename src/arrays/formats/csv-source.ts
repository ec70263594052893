import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.js';
import { ITEM_SIZE, type DType } from '../dtype.js';
import type { ArraySource, BatchOptions, OpenOptions, SampleBatch } from './array-source.js';
import { samplesPerBatch } from './batch-plan.js';
import { readLines, splitFields } from './csv-lines.js';
import { isSafeIntegerText, parseNumber, putValue } from './csv-values.js';

/** What a first pass over a CSV file found. */
interface CsvLayout {
  readonly headerLine: number | undefined;
  readonly columns: number;
  readonly rows: number;
  readonly dtype: DType;
}

function csvError(path: string, line: number, column: number | undefined, why: string): InvalidArgumentError {
  const where = column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
  return new InvalidArgumentError(`${path}: ${where}: ${why}`, { file: path, line, column, reason: why });
}

/**
 * Checks every row (same number of fields, each a number of the dtype) and finds the header, the
 * column count and, unless given, the dtype: int64 when every value is a whole number within
 * ±2^53, else float64.
 */
async function scanCsv(path: string, options: OpenOptions): Promise<CsvLayout> {
  let headerLine: number | undefined;
  let columns = -1;
  let rows = 0;
  let allIntegers = true;
  const scratch = new DataView(new ArrayBuffer(8));
  for await (const lines of readLines(path)) {
    for (const { number, text } of lines) {
      if (text.trim() === '') continue;
      const fields = splitFields(text);
      if (columns < 0) {
        columns = fields.length;
        const numeric = fields.every((f) => parseNumber(f) !== undefined);
        if (options.csvHeader ?? !numeric) {
          headerLine = number;
          continue;
        }
      }
      if (fields.length !== columns) {
        throw csvError(path, number, undefined, `has ${fields.length} values where ${columns} are expected`);
      }
      for (let c = 0; c < fields.length; c++) {
        const field = fields[c]!;
        if (options.dtype) {
          const why = putValue(scratch, 0, options.dtype, field);
          if (why) throw csvError(path, number, c + 1, `'${field}' ${why}`);
        } else if (!(allIntegers && isSafeIntegerText(field))) {
          if (parseNumber(field) === undefined)
            throw csvError(path, number, c + 1, `'${field}' is not a number`);
          allIntegers = false;
        }
      }
      rows++;
    }
  }
  if (columns < 0) columns = 0;
  return { headerLine, columns, rows, dtype: options.dtype ?? (allIntegers ? 'int64' : 'float64') };
}

/**
 * A CSV file of numbers as a source: each row one sample of shape (columns,). The file is read
 * twice: once up front to check it whole (so a bad value fails before any sample is imported) and
 * find the dtype and count, once as batches are asked for.
 */
export async function openCsvSource(path: string, options: OpenOptions = {}): Promise<ArraySource> {
  const layout = await scanCsv(path, options);
  return {
    path,
    name: basename(path, extname(path)),
    dtype: layout.dtype,
    sampleShape: [layout.columns],
    count: layout.rows,
    batches: (batchOptions) => csvBatches(path, layout, batchOptions),
  };
}

async function* csvBatches(
  path: string,
  layout: CsvLayout,
  options: BatchOptions = {},
): AsyncGenerator<SampleBatch> {
  const { dtype, columns, rows, headerLine } = layout;
  if (rows === 0) return;
  const shape = [columns];
  const sampleBytes = columns * ITEM_SIZE[dtype];
  const perBatch = Math.min(rows, samplesPerBatch(dtype, shape, options.maxBytes));
  const buffer = new Uint8Array(Math.max(1, perBatch * sampleBytes));
  const view = new DataView(buffer.buffer);
  const totalBytes = (await stat(path)).size;
  let inBatch = 0;
  let emitted = 0;
  let bytesRead = 0;
  const flush = (): SampleBatch => {
    const batch = { dtype, shape, count: inBatch, data: buffer.subarray(0, inBatch * sampleBytes) };
    emitted += inBatch;
    inBatch = 0;
    options.onBytes?.(bytesRead, totalBytes);
    return batch;
  };
  for await (const lines of readLines(path, (n) => (bytesRead = n))) {
    for (const { number, text } of lines) {
      if (number === headerLine || text.trim() === '') continue;
      const fields = splitFields(text);
      // The first pass checked the file; a file changed since is caught here rather than misread.
      if (fields.length !== columns) throw csvError(path, number, undefined, 'changed while being read');
      let offset = inBatch * sampleBytes;
      for (let c = 0; c < columns; c++, offset += ITEM_SIZE[dtype]) {
        const why = putValue(view, offset, dtype, fields[c]!);
        if (why) throw csvError(path, number, c + 1, `'${fields[c]}' ${why}`);
      }
      if (++inBatch === perBatch) yield flush();
    }
  }
  if (inBatch > 0) yield flush();
  if (emitted !== rows) throw csvError(path, 0, undefined, 'changed while being read');
}
