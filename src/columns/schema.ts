import { InvalidArgumentError } from '../errors/index.js';
import { checkCodec, DEFAULT_CODEC, type Codec } from '../arrays/codecs/codec.js';
import { checkDType, ITEM_SIZE, type DType, type TypedArray } from '../arrays/dtype.js';
import { checkShapeSpec, elementCount, shapeMismatch } from '../arrays/shape.js';
import { canonicalJson } from '../util/canonical-json.js';

/** What a column holds: n-dimensional arrays of one dtype, raw bytes, or text. */
export type ColumnKind = 'ndarray' | 'bytes' | 'str';
/** Flat: key → sample. Nested: key → subkey → sample. */
export type ColumnLayout = 'flat' | 'nested';

/** A column's schema, fixed when it is created. */
export interface ColumnSchema {
  readonly name: string;
  readonly kind: ColumnKind;
  /** ndarray only. */
  readonly dtype?: DType;
  /** ndarray only: every sample's shape, or (variable) the max shape, same rank. */
  readonly shape?: readonly number[];
  readonly variable: boolean;
  readonly layout: ColumnLayout;
  readonly compression: Codec;
}

/** What `createColumn` takes: the schema, with defaults for everything but name and kind. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind?: ColumnKind;
  readonly dtype?: DType | string;
  readonly shape?: readonly number[];
  readonly variable?: boolean;
  readonly layout?: ColumnLayout;
  readonly compression?: Codec | string;
}

const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

export function checkColumnName(name: string): string {
  if (!COLUMN_NAME.test(name)) {
    throw new InvalidArgumentError(
      `invalid column name ${JSON.stringify(name)}: a letter, then up to 63 letters, digits, '.', '_', '-'`,
      { column: name },
    );
  }
  return name;
}

/** Checks a spec from a user and fills in the defaults. */
export function checkColumnSpec(spec: ColumnSpec): ColumnSchema {
  const name = checkColumnName(spec.name);
  const kind = spec.kind ?? 'ndarray';
  if (!['ndarray', 'bytes', 'str'].includes(kind)) {
    throw new InvalidArgumentError(`column '${name}': unknown kind '${kind}'; use ndarray, bytes or str`, {
      column: name,
    });
  }
  const layout = spec.layout ?? 'flat';
  if (layout !== 'flat' && layout !== 'nested') {
    throw new InvalidArgumentError(`column '${name}': unknown layout '${layout}'; use flat or nested`, {
      column: name,
    });
  }
  const compression = checkCodec(spec.compression ?? DEFAULT_CODEC);
  if (kind !== 'ndarray') {
    if (spec.dtype !== undefined || spec.shape !== undefined) {
      throw new InvalidArgumentError(`column '${name}': a ${kind} column has no dtype or shape`, {
        column: name,
      });
    }
    return { name, kind, variable: true, layout, compression };
  }
  if (spec.dtype === undefined) {
    throw new InvalidArgumentError(`column '${name}': an ndarray column needs a dtype`, { column: name });
  }
  if (spec.shape === undefined) {
    throw new InvalidArgumentError(`column '${name}': an ndarray column needs a shape (or max shape)`, {
      column: name,
    });
  }
  const dtype = checkDType(spec.dtype);
  const shape = checkShapeSpec(spec.shape, `column '${name}' shape`);
  const variable = spec.variable ?? false;
  if (variable && shape.length === 0) {
    throw new InvalidArgumentError(
      `column '${name}': a variable-shape column needs a max shape of rank >= 1`,
      {
        column: name,
      },
    );
  }
  return { name, kind, dtype, shape, variable, layout, compression };
}

/** An n-dimensional sample: typed data in C order plus its shape. */
export interface NdArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** float16 and bool come as raw Uint16Array / Uint8Array. */
  readonly data: TypedArray;
}

/** What `set` accepts for an ndarray column: a typed array (shape implied) or data with a shape. */
export type NdInput =
  | TypedArray
  | readonly number[]
  | { readonly data: TypedArray | readonly number[]; readonly shape: readonly number[] };
/** What `set` accepts for any column. */
export type SampleInput = NdInput | Uint8Array | string;

/** A sample made ready to store: its bytes and (ndarray) its shape. */
export interface EncodedSample {
  readonly bytes: Uint8Array;
  readonly shape: readonly number[];
}

const TYPED_ARRAY_FOR: Readonly<Record<DType, string>> = {
  bool: 'Uint8Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  int32: 'Int32Array',
  int64: 'BigInt64Array',
  uint8: 'Uint8Array',
  uint16: 'Uint16Array',
  uint32: 'Uint32Array',
  uint64: 'BigUint64Array',
  float16: 'Uint16Array',
  float32: 'Float32Array',
  float64: 'Float64Array',
};

function refuse(schema: ColumnSchema, key: string, expected: string, got: string): never {
  throw new InvalidArgumentError(`column '${schema.name}', key ${key}: expected ${expected}, got ${got}`, {
    column: schema.name,
    key,
    expected,
    got,
  });
}

function typedArrayName(value: unknown): string {
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (Array.isArray(value)) return 'Array';
  return value === null ? 'null' : typeof value;
}

function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Checks a sample against the schema and returns its bytes; the error names column, key,
 * expected and got. `keyLabel` is the key as the user wrote it (for messages).
 */
export function encodeSample(schema: ColumnSchema, keyLabel: string, value: unknown): EncodedSample {
  if (schema.kind === 'str') {
    if (typeof value !== 'string') refuse(schema, keyLabel, 'a string', typedArrayName(value));
    return { bytes: Buffer.from(value, 'utf8'), shape: [] };
  }
  if (schema.kind === 'bytes') {
    if (!(value instanceof Uint8Array)) refuse(schema, keyLabel, 'a Uint8Array', typedArrayName(value));
    return { bytes: value, shape: [] };
  }
  const dtype = schema.dtype!;
  let data: unknown = value;
  let shape: readonly number[] | undefined;
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !Array.isArray(value)) {
    const v = value as { data?: unknown; shape?: unknown };
    if (!Array.isArray(v.shape))
      refuse(schema, keyLabel, 'a typed array or { data, shape }', 'an object without shape');
    data = v.data;
    shape = v.shape as number[];
  }
  let typed: TypedArray;
  if (Array.isArray(data)) {
    typed = fromNumbers(schema, keyLabel, dtype, data as number[]);
  } else {
    const expectedType = TYPED_ARRAY_FOR[dtype];
    if (!ArrayBuffer.isView(data) || data.constructor.name !== expectedType) {
      refuse(schema, keyLabel, `dtype ${dtype} (${expectedType})`, typedArrayName(data));
    }
    typed = data as TypedArray;
  }
  const elements = typed.byteLength / ITEM_SIZE[dtype];
  if (!shape) {
    if (schema.variable) {
      if (schema.shape!.length !== 1) {
        refuse(
          schema,
          keyLabel,
          `{ data, shape } (rank ${schema.shape!.length}, variable)`,
          'data without a shape',
        );
      }
      shape = [elements];
    } else {
      shape = schema.shape!;
    }
  }
  const mismatch = shapeMismatch({ shape: schema.shape!, variable: schema.variable }, shape);
  if (mismatch)
    refuse(
      schema,
      keyLabel,
      `shape [${schema.shape!.join(', ')}]${schema.variable ? ' at most' : ''}`,
      mismatch,
    );
  if (elementCount(shape) !== elements) {
    refuse(
      schema,
      keyLabel,
      `${elementCount(shape)} elements for shape [${shape.join(', ')}]`,
      `${elements}`,
    );
  }
  return { bytes: bytesOf(typed), shape };
}

function fromNumbers(schema: ColumnSchema, key: string, dtype: DType, values: readonly number[]): TypedArray {
  switch (dtype) {
    case 'int64':
    case 'uint64':
      if (!values.every(Number.isSafeInteger))
        refuse(schema, key, `whole numbers for ${dtype}`, 'a non-integer');
      return dtype === 'int64'
        ? BigInt64Array.from(values, (v) => BigInt(v))
        : BigUint64Array.from(values, (v) => BigInt(v));
    case 'float16':
      return refuse(schema, key, 'a Uint16Array of raw float16 bits', 'a number array');
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values);
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'uint16':
      return Uint16Array.from(values);
    case 'uint32':
      return Uint32Array.from(values);
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
  }
}

/** The prefix a sample's digest covers besides its bytes: dtype and shape (see sampleId). */
export function digestPrefix(schema: ColumnSchema, shape: readonly number[]): string {
  return schema.kind === 'ndarray' ? `${schema.dtype}[${shape.join(',')}]\n` : `${schema.kind}\n`;
}

/**
 * True when two schemas are the same, whatever the order of their fields: a schema read back
 * from a commit has its keys sorted (canonical JSON), one made in this process does not.
 */
export function sameSchema(a: ColumnSchema, b: ColumnSchema): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
