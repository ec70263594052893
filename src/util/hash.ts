import { createRequire } from 'node:module';

type BlakeBinding = typeof import('@napi-rs/blake-hash');

/**
 * The BLAKE3 binding. `@napi-rs/blake-hash`'s loader asks `process.report.getReport()` whether the
 * C library is musl before it picks a platform package, which cost 5-10 ms of every command's
 * start here. On Linux the glibc package is tried first, directly; if it is not installed or does
 * not load (a musl system), the package's own loader decides as before. Same native code either way.
 */
function loadBlake(): BlakeBinding {
  const require = createRequire(import.meta.url);
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) {
    try {
      const direct = require(`@napi-rs/blake-hash-linux-${process.arch}-gnu`) as BlakeBinding;
      if (typeof direct.blake3 === 'function' && typeof direct.Blake3Hasher === 'function') return direct;
    } catch {
      // Not installed, or not loadable here: the package's loader below.
    }
  }
  return require('@napi-rs/blake-hash') as BlakeBinding;
}

const { Blake3Hasher } = loadBlake();

/**
 * The one place that decides how content is hashed. BLAKE3 (native binding) measured 7.0 GB/s on
 * large buffers and 2.7 µs per 4 KiB object on this machine, against 1.8 GB/s and 3.4 µs for
 * SHA-256 from node:crypto, so object ids are BLAKE3-256 digests in lowercase hex.
 */
export const HASH_ALGORITHM = 'blake3';

/** A content hash in lowercase hex: 64 characters. */
export type ObjectId = string;

const OBJECT_ID = /^[0-9a-f]{64}$/;

/** True when `value` has the shape of an object id. */
export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}

/**
 * The hasher `hashBytes` reuses (reset before each use; calls are synchronous, so never shared by
 * two at once). `blake3(buffer)` returns a native Buffer per call whose memory the process did not
 * give back: 10^6 calls for 1 KiB files grew the RSS by ~330 MB with nothing kept, against ~0 with
 * one reused hasher, which is also no slower.
 */
const sharedHasher = new Blake3Hasher();

/** Hashes one buffer. */
export function hashBytes(data: Uint8Array): ObjectId {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  sharedHasher.reset();
  sharedHasher.update(buffer);
  return sharedHasher.digest('hex');
}

/** Inputs up to this many bytes go through the WebAssembly hasher once it is loaded. */
const SMALL_INPUT = 64 * 1024;
let small: ((data: Uint8Array | string) => string) | undefined;
let smallLoading: Promise<void> | undefined;

/**
 * Loads (once per thread) the WebAssembly BLAKE3 that `hashSmall` uses: for inputs of a few
 * bytes it measured 0.8–1.3 µs against 2.2–3.0 µs through the native binding, whose per-call
 * overhead dominates (asset update hashes two small inputs per file).
 */
export function loadSmallHasher(): Promise<void> {
  smallLoading ??= import('hash-wasm').then(async ({ createBLAKE3 }) => {
    const hasher = await createBLAKE3(256);
    small = (data) => {
      hasher.init();
      hasher.update(data);
      return hasher.digest('hex');
    };
  });
  return smallLoading;
}

/**
 * The same digest as `hashBytes` (a string is hashed as its UTF-8 bytes), cheaper for small
 * inputs once `loadSmallHasher` has run in this thread; before that, or for big inputs, the
 * native binding.
 */
export function hashSmall(data: Uint8Array | string): ObjectId {
  if (small !== undefined && (typeof data === 'string' ? data.length * 3 : data.byteLength) <= SMALL_INPUT)
    return small(data);
  return hashBytes(typeof data === 'string' ? Buffer.from(data) : data);
}

/** An incremental hasher for content that arrives in pieces (streams of big files). */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): ObjectId;
}

/** Creates an incremental hasher. */
export function createHasher(): Hasher {
  const hasher = new Blake3Hasher();
  return {
    update(chunk) {
      hasher.update(
        Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
    },
    digest() {
      return hasher.digest('hex');
    },
  };
}

/**
 * Short digests of many small buffers, for sample identities. Calling the native binding once per
 * sample costs ~3 µs of call overhead (0.3 s per 100,000 samples); hash-wasm's BLAKE3 keeps its
 * state inside WebAssembly and costs ~1.5 µs. Digests are BLAKE3 truncated to `DIGEST_BYTES`
 * (128 bits: collisions need ~2^64 samples); whole objects keep full 256-bit ids.
 */
export const SAMPLE_DIGEST_BYTES = 16;

/** Hashes a prefix plus a buffer into `out` at `outOffset`. */
export type SampleDigester = (
  prefix: Uint8Array,
  data: Uint8Array,
  out: Uint8Array,
  outOffset: number,
) => void;

let digester: Promise<SampleDigester> | undefined;

/** The batch digester (the WebAssembly module loads once, on first use). */
export function loadSampleDigester(): Promise<SampleDigester> {
  digester ??= import('hash-wasm').then(async ({ createBLAKE3 }) => {
    const hasher = await createBLAKE3(SAMPLE_DIGEST_BYTES * 8);
    return (prefix, data, out, outOffset) => {
      hasher.init();
      if (prefix.byteLength > 0) hasher.update(prefix);
      hasher.update(data);
      out.set(hasher.digest('binary'), outOffset);
    };
  });
  return digester;
}
