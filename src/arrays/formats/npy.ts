import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors/index.js';
import { ITEM_SIZE, dtypeFromNumpy, numpyDescr, type DType } from '../dtype.js';
import { checkShapeSpec, elementCount } from '../shape.js';
import { parsePyLiteral } from './py-literal.js';

const MAGIC = Buffer.from('\x93NUMPY', 'latin1');

/** What a `.npy` header says, checked against the file's real size. */
export interface NpyHeader {
  readonly dtype: DType;
  /** Data is big-endian on disk and must be byte-swapped when read. */
  readonly bigEndian: boolean;
  readonly shape: number[];
  /** Where the array data starts. */
  readonly dataOffset: number;
  readonly dataLength: number;
}

/** A malformed, truncated or lying `.npy` file; `data.file` names it. */
function bad(file: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`${file}: not a valid .npy file: ${why}`, { file, reason: why });
}

/** Parses a `.npy` header from the first bytes of a file whose total size is `fileSize`. */
export function parseNpyHeader(head: Uint8Array, fileSize: number, file = '.npy'): NpyHeader {
  const buf = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw bad(file, 'missing the \\x93NUMPY magic');
  const major = buf[6]!;
  if (major < 1 || major > 3) throw bad(file, `unknown format version ${major}.${buf[7]}`);
  const lengthSize = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + lengthSize;
  if (buf.length < start + headerLength) throw bad(file, `header of ${headerLength} bytes is truncated`);
  const text = buf.subarray(start, start + headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  let dict: Record<string, unknown>;
  try {
    const parsed = parsePyLiteral(text.trim());
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new SyntaxError('not a dict');
    dict = parsed as Record<string, unknown>;
  } catch (err) {
    throw bad(file, `header is not a Python dict literal (${(err as Error).message})`);
  }
  if (typeof dict.descr !== 'string') throw bad(file, "header has no 'descr' string");
  if (dict.fortran_order !== false)
    throw bad(file, 'Fortran-ordered arrays are not supported (save with C order)');
  if (!Array.isArray(dict.shape) || !dict.shape.every((d) => typeof d === 'number')) {
    throw bad(file, "header has no 'shape' tuple of integers");
  }
  const { dtype, bigEndian } = dtypeFromNumpy(dict.descr);
  const shape = checkShapeSpec(dict.shape as number[], `${file} shape`);
  const dataOffset = start + headerLength;
  const dataLength = elementCount(shape) * ITEM_SIZE[dtype];
  if (fileSize < dataOffset + dataLength) {
    throw bad(
      file,
      `truncated: shape [${shape.join(', ')}] of ${dtype} needs ${dataLength} bytes of data, the file has ${Math.max(0, fileSize - dataOffset)}`,
    );
  }
  if (fileSize > dataOffset + dataLength) {
    throw bad(file, `header says ${dataLength} bytes of data but the file has ${fileSize - dataOffset}`);
  }
  return { dtype, bigEndian, shape, dataOffset, dataLength };
}

/** Reads and checks the header of a `.npy` file on disk (only the first bytes are read). */
export function readNpyHeader(path: string): NpyHeader {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, head, 0, head.length, 0);
    return parseNpyHeader(head, size, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * The header bytes for an array, format 1.0 (2.0 when the header does not fit in 64 KiB), padded
 * so that the data starts on a 64-byte boundary as numpy does.
 */
export function encodeNpyHeader(dtype: DType, shape: readonly number[]): Buffer {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${numpyDescr(dtype)}', 'fortran_order': False, 'shape': ${tuple}, }`;
  for (const major of [1, 2]) {
    const prefix = 8 + (major === 1 ? 2 : 4);
    const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
    const headerLength = total - prefix;
    if (major === 1 && headerLength > 0xffff) continue;
    const out = Buffer.alloc(total, 0x20);
    MAGIC.copy(out, 0);
    out[6] = major;
    out[7] = 0;
    if (major === 1) out.writeUInt16LE(headerLength, 8);
    else out.writeUInt32LE(headerLength, 8);
    out.write(dict, prefix, 'latin1');
    out[total - 1] = 0x0a;
    return out;
  }
  throw new Error('unreachable');
}
