import { InvalidArgumentError } from '../errors/index.js';

/** The element types a column can hold. float16 is stored raw (JS has no float16 arrays). */
export const DTYPES = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
] as const;
export type DType = (typeof DTYPES)[number];

/** Bytes per element. */
export const ITEM_SIZE: Readonly<Record<DType, number>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
};

/** numpy's `descr` for each dtype, little-endian (`|` where byte order does not apply). */
const NUMPY_DESCR: Readonly<Record<DType, string>> = {
  bool: '|b1',
  int8: '|i1',
  int16: '<i2',
  int32: '<i4',
  int64: '<i8',
  uint8: '|u1',
  uint16: '<u2',
  uint32: '<u4',
  uint64: '<u8',
  float16: '<f2',
  float32: '<f4',
  float64: '<f8',
};

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** Checks a dtype name from a user, naming the valid ones. */
export function checkDType(name: string): DType {
  if (!(DTYPES as readonly string[]).includes(name)) {
    throw new InvalidArgumentError(`unknown dtype '${name}'; expected one of ${DTYPES.join(', ')}`, {
      dtype: name,
      expected: DTYPES,
    });
  }
  return name as DType;
}

export function numpyDescr(dtype: DType): string {
  return NUMPY_DESCR[dtype];
}

/**
 * The dtype of a numpy `descr`, accepting either byte-order mark where it is the machine's
 * (`<`, `=`, `|`); big-endian data is reported so the caller can swap it.
 */
export function dtypeFromNumpy(descr: string): { dtype: DType; bigEndian: boolean } {
  const match = /^([<>=|])([biuf])(\d+)$/.exec(descr);
  if (match) {
    const [, order, kind, size] = match;
    const name =
      kind === 'b' ? 'bool' : `${kind === 'i' ? 'int' : kind === 'u' ? 'uint' : 'float'}${Number(size) * 8}`;
    if ((DTYPES as readonly string[]).includes(name) && ITEM_SIZE[name as DType] === Number(size)) {
      return { dtype: name as DType, bigEndian: order === '>' && Number(size) > 1 };
    }
  }
  throw new InvalidArgumentError(`unsupported numpy dtype '${descr}'`, { descr });
}

/** A typed-array view of raw little-endian bytes (float16 and bool stay bytes). */
export function viewAs(dtype: DType, bytes: Uint8Array): TypedArray {
  const aligned = bytes.byteOffset % ITEM_SIZE[dtype] === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset, byteLength } = aligned;
  const n = byteLength / ITEM_SIZE[dtype];
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, n);
    case 'int8':
      return new Int8Array(buffer, byteOffset, n);
    case 'int16':
      return new Int16Array(buffer, byteOffset, n);
    case 'int32':
      return new Int32Array(buffer, byteOffset, n);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, n);
    case 'uint16':
    case 'float16':
      return new Uint16Array(buffer, byteOffset, n);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, n);
    case 'uint64':
      return new BigUint64Array(buffer, byteOffset, n);
    case 'float32':
      return new Float32Array(buffer, byteOffset, n);
    case 'float64':
      return new Float64Array(buffer, byteOffset, n);
  }
}

/** Reverses the byte order of each element in place (big-endian files to little-endian). */
export function swapBytes(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 2) Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap16();
  else if (itemSize === 4) Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap32();
  else if (itemSize === 8) Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).swap64();
}
