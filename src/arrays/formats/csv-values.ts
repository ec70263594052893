import type { DType } from '../dtype.js';
import { float16Bits, float16Value } from './float16.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const SPECIAL = /^([+-]?)(nan|inf|infinity)$/i;

/** The number a CSV field spells (decimal, exponent, nan, inf), or undefined. */
export function parseNumber(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  const special = SPECIAL.exec(text);
  if (!special) return undefined;
  if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

/** True when the field is a whole number within ±2^53 (the int64 guess of CSV inference). */
export function isSafeIntegerText(text: string): boolean {
  return INTEGER.test(text) && Number.isSafeInteger(Number(text));
}

const INT_RANGES: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
};
const BIG_RANGES: Partial<Record<DType, readonly [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/**
 * Writes the field `text` as `dtype` at `offset` (little-endian); returns why it cannot, or
 * undefined when it did.
 */
export function putValue(view: DataView, offset: number, dtype: DType, text: string): string | undefined {
  if (dtype === 'bool') {
    const t = text.toLowerCase();
    if (t === '1' || t === 'true') view.setUint8(offset, 1);
    else if (t === '0' || t === 'false') view.setUint8(offset, 0);
    else return 'is not a bool (0, 1, true, false)';
    return undefined;
  }
  const big = BIG_RANGES[dtype];
  if (big) {
    if (text.length <= 15 && INTEGER.test(text)) {
      // Up to 15 digits is exact as a double: write the two 32-bit halves, no BigInt (10x faster).
      const n = Number(text);
      if (dtype === 'uint64' && n < 0) return `is out of range for ${dtype}`;
      const high = Math.floor(n / 2 ** 32);
      view.setUint32(offset, n - high * 2 ** 32, true);
      view.setInt32(offset + 4, high, true);
      return undefined;
    }
    let value: bigint;
    if (INTEGER.test(text)) value = BigInt(text);
    else {
      const n = parseNumber(text);
      if (n === undefined) return 'is not a number';
      if (!Number.isSafeInteger(n)) return `is not a whole number within ±2^53 for ${dtype}`;
      value = BigInt(n);
    }
    if (value < big[0] || value > big[1]) return `is out of range for ${dtype}`;
    if (dtype === 'int64') view.setBigInt64(offset, value, true);
    else view.setBigUint64(offset, value, true);
    return undefined;
  }
  const n = parseNumber(text);
  if (n === undefined) return 'is not a number';
  const range = INT_RANGES[dtype];
  if (range) {
    if (!Number.isInteger(n)) return `is not a whole number for ${dtype}`;
    if (n < range[0] || n > range[1]) return `is out of range for ${dtype}`;
    switch (dtype) {
      case 'int8':
        view.setInt8(offset, n);
        break;
      case 'int16':
        view.setInt16(offset, n, true);
        break;
      case 'int32':
        view.setInt32(offset, n, true);
        break;
      case 'uint8':
        view.setUint8(offset, n);
        break;
      case 'uint16':
        view.setUint16(offset, n, true);
        break;
      default:
        view.setUint32(offset, n, true);
    }
    return undefined;
  }
  if (dtype === 'float32') view.setFloat32(offset, n, true);
  else if (dtype === 'float64') view.setFloat64(offset, n, true);
  else view.setUint16(offset, float16Bits(n), true);
  return undefined;
}

/** A number as CSV text that parses back to the same value (`-0` keeps its sign). */
function numberText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** The value of `dtype` at `offset` (little-endian) as CSV text that reads back to the same bytes. */
export function valueText(view: DataView, offset: number, dtype: DType): string {
  switch (dtype) {
    case 'bool':
      return view.getUint8(offset) === 0 ? '0' : '1';
    case 'int8':
      return String(view.getInt8(offset));
    case 'int16':
      return String(view.getInt16(offset, true));
    case 'int32':
      return String(view.getInt32(offset, true));
    case 'int64':
      return String(view.getBigInt64(offset, true));
    case 'uint8':
      return String(view.getUint8(offset));
    case 'uint16':
      return String(view.getUint16(offset, true));
    case 'uint32':
      return String(view.getUint32(offset, true));
    case 'uint64':
      return String(view.getBigUint64(offset, true));
    case 'float16':
      return numberText(float16Value(view.getUint16(offset, true)));
    case 'float32':
      return numberText(view.getFloat32(offset, true));
    case 'float64':
      return numberText(view.getFloat64(offset, true));
  }
}
