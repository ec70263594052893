// Reads a `.npy` file (NumPy's format, versions 1–3) far enough to show a sample: dtype, shape
// and values as a typed array. Fortran order is reported, not transposed.

export interface NpyArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
  readonly values: ArrayLike<number | bigint | boolean>;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const CONSTRUCTORS: Record<string, (b: ArrayBuffer, o: number, n: number) => ArrayLike<number | bigint>> = {
  u1: (b, o, n) => new Uint8Array(b, o, n),
  i1: (b, o, n) => new Int8Array(b, o, n),
  u2: (b, o, n) => new Uint16Array(b, o, n),
  i2: (b, o, n) => new Int16Array(b, o, n),
  u4: (b, o, n) => new Uint32Array(b, o, n),
  i4: (b, o, n) => new Int32Array(b, o, n),
  u8: (b, o, n) => new BigUint64Array(b, o, n),
  i8: (b, o, n) => new BigInt64Array(b, o, n),
  f4: (b, o, n) => new Float32Array(b, o, n),
  f8: (b, o, n) => new Float64Array(b, o, n),
};

/** Parses `.npy` bytes; throws on anything that is not a little-endian numeric or boolean array. */
export function parseNpy(buffer: ArrayBuffer): NpyArray {
  const bytes = new Uint8Array(buffer);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error('not a .npy file');
  const major = bytes[6]!;
  const view = new DataView(buffer);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || shapeText === undefined) throw new Error('.npy header without descr or shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const fortranOrder = /'fortran_order':\s*True/.test(header);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLength;
  const kind = descr.replace(/^[<|=]/, '');
  if (descr.startsWith('>')) throw new Error(`big-endian dtype ${descr} is not shown`);
  const body = buffer.slice(offset, offset + count * itemSize(kind));
  let values: NpyArray['values'];
  if (kind === 'b1') values = Array.from(new Uint8Array(body), (v) => v !== 0);
  else if (kind === 'f2') values = float16(new Uint16Array(body));
  else {
    const make = CONSTRUCTORS[kind];
    if (!make) throw new Error(`dtype ${descr} is not shown`);
    values = make(body, 0, count);
  }
  return { dtype: DTYPE_NAMES[kind] ?? kind, shape, fortranOrder, values };
}

const DTYPE_NAMES: Record<string, string> = {
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
};

function itemSize(kind: string): number {
  const n = Number(kind.slice(1));
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function float16(halves: Uint16Array): number[] {
  return Array.from(halves, (h) => {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
    if (exp === 31) return frac ? NaN : sign * Infinity;
    return sign * 2 ** (exp - 15) * (1 + frac / 1024);
  });
}

/** Whether an array looks like an image: height × width, with 1, 3 or 4 channels at most. */
export function isImageShape(shape: readonly number[] | undefined): boolean {
  if (!shape) return false;
  if (shape.length === 2) return shape[0]! > 1 && shape[1]! > 1;
  return shape.length === 3 && shape[0]! > 1 && shape[1]! > 1 && [1, 3, 4].includes(shape[2]!);
}

/** Draws an image-shaped array as a PNG data URL (uint8 as is, other dtypes scaled min..max). */
export function arrayToImage(array: NpyArray): string {
  const [h, w, c = 1] = array.shape as [number, number, number?];
  const values = Array.from(array.values as ArrayLike<number>, Number);
  let min = 0;
  let max = 255;
  if (array.dtype !== 'uint8') {
    min = Math.min(...values);
    max = Math.max(...values);
  }
  const scale = max > min ? 255 / (max - min) : 0;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const px = (k: number) => (values[i * c + Math.min(k, c - 1)]! - min) * scale;
    img.data[i * 4] = px(0);
    img.data[i * 4 + 1] = c >= 3 ? px(1) : px(0);
    img.data[i * 4 + 2] = c >= 3 ? px(2) : px(0);
    img.data[i * 4 + 3] = c === 4 ? px(3) : 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}
