import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHasher, hashSmall } from '../../util/hash.js';
import type { StoredError } from '../store/asset-store.js';
import type { NameMetadata } from '../naming/parse-name.js';
import type { FileTrait, ImageHeader, TraitFile } from '../specs/specification.js';
import { fileIdOf } from '../update/ids.js';
import { readImageHeader } from './image-header.js';

/** One file to read: its content id always, its traits when its specification has any. */
export interface ReadRequest {
  readonly index: number;
  readonly path: string;
  readonly relativePath: string;
  readonly fields: NameMetadata;
  /** Trait name → built-in trait name, or null for a function trait of `spec`. */
  readonly traits: readonly (readonly [string, string | null])[];
  readonly spec: string | null;
  /**
   * The size the scan just saw, if known: a small file is then read without an fstat first
   * (one syscall of four per file; a file that grew since is still read whole).
   */
  readonly sizeHint?: number;
}

/** What reading a file found. */
export interface ReadResult {
  readonly index: number;
  /** BLAKE3 of the content; null when the file could not be read. */
  readonly contentHash: string | null;
  /** The file's stable id (path and content), computed here so the hashing runs on every core. */
  readonly fileId: string;
  readonly traits: Record<string, unknown>;
  readonly errors: StoredError[];
}

/** Finds a specification's function trait (in workers: imported from the specification's module). */
export type TraitLookup = (spec: string, trait: string) => Promise<FileTrait | undefined>;

const BLOCK = 4 * 1024 * 1024;
const TAIL = 16;

/** Reads up to `into.length` bytes of `fd` from `position`; returns how many (fewer only at the end). */
function readInto(fd: number, into: Buffer, position = 0): number {
  let read = 0;
  while (read < into.length) {
    const n = readSync(fd, into, read, into.length - read, position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}

function wholeContent(bytes: Buffer, read: number) {
  const whole = bytes.subarray(0, read);
  return { hash: hashSmall(whole), bytes: whole, tail: whole.subarray(Math.max(0, read - TAIL)), size: read };
}

/** Reads the file once: small ones whole (hash and image header share the bytes), big ones in blocks. */
function readContent(
  path: string,
  sizeHint?: number,
): { hash: string; bytes: Buffer | undefined; tail: Buffer; size: number } {
  const fd = openSync(path, 'r');
  try {
    if (sizeHint !== undefined && sizeHint < BLOCK) {
      // One read of one byte more than the scan saw: exactly the scanned size back means the
      // file is that long (no fstat, no second read to see the end); anything else reads on.
      const bytes = Buffer.allocUnsafe(sizeHint + 1);
      const first = readSync(fd, bytes, 0, bytes.length, 0);
      if (first === sizeHint) return wholeContent(bytes, first);
      const read = first === 0 ? 0 : first + readInto(fd, bytes.subarray(first), first);
      if (read <= sizeHint) return wholeContent(bytes, read);
    }
    const size = fstatSync(fd).size;
    if (size <= BLOCK) {
      const bytes = Buffer.allocUnsafe(size);
      return wholeContent(bytes, readInto(fd, bytes));
    }
    const hasher = createHasher();
    const block = Buffer.allocUnsafe(BLOCK);
    let total = 0;
    let last = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, block, 0, BLOCK, total);
      if (n === 0) break;
      hasher.update(block.subarray(0, n));
      last = Buffer.concat([last, block.subarray(0, n)]).subarray(-TAIL);
      total += n;
    }
    return { hash: hasher.digest(), bytes: undefined, tail: Buffer.from(last), size: total };
  } finally {
    closeSync(fd);
  }
}

const BUILTIN: Record<string, (h: ImageHeader) => unknown> = {
  width: (h) => h.width,
  height: (h) => h.height,
  channels: (h) => h.channels,
  bit_depth: (h) => h.bitDepth,
  format: (h) => h.format,
};

/**
 * Reads one file: its content hash, then each trait. The image header is read at most once per
 * file whatever number of traits ask. A trait that throws becomes an error on the file (field =
 * the trait's name); nothing here throws. Synchronous when the file has no traits.
 */
export function readFile(request: ReadRequest, lookup: TraitLookup): ReadResult | Promise<ReadResult> {
  let content: ReturnType<typeof readContent>;
  try {
    content = readContent(request.path, request.sizeHint);
  } catch (err) {
    return {
      index: request.index,
      contentHash: null,
      fileId: fileIdOf(request.relativePath, null),
      traits: {},
      errors: [{ message: `cannot read file: ${(err as Error).message}` }],
    };
  }
  // No traits (names and stat only): no promise per file.
  if (request.traits.length === 0)
    return {
      index: request.index,
      contentHash: content.hash,
      fileId: fileIdOf(request.relativePath, content.hash),
      traits: {},
      errors: [],
    };
  return readTraits(request, content, lookup);
}

async function readTraits(
  request: ReadRequest,
  content: ReturnType<typeof readContent>,
  lookup: TraitLookup,
): Promise<ReadResult> {
  const traits: Record<string, unknown> = {};
  const errors: StoredError[] = [];
  let header: Promise<ImageHeader> | undefined;
  const file: TraitFile = {
    path: request.path,
    relativePath: request.relativePath,
    fields: request.fields,
    size: content.size,
    image: () => (header ??= readImageHeader(content.bytes ?? request.path, content.tail)),
  };
  // A header that cannot be read fails every image trait the same way: one error names them all.
  const headerFailures: string[] = [];
  let headerError = '';
  for (const [name, builtin] of request.traits) {
    try {
      let value: unknown;
      if (builtin !== null) {
        let h: ImageHeader;
        try {
          h = await file.image();
        } catch (err) {
          headerFailures.push(name);
          headerError = (err as Error).message;
          continue;
        }
        value = BUILTIN[builtin]!(h);
      } else {
        const fn = await lookup(request.spec!, name);
        if (!fn) throw new Error(`no trait function '${name}'`);
        value = await fn(file);
      }
      traits[name] = value === undefined ? null : JSON.parse(JSON.stringify(value));
    } catch (err) {
      errors.push({ field: name, message: `trait ${name}: ${(err as Error).message ?? String(err)}` });
    }
  }
  if (headerFailures.length > 0)
    errors.unshift({
      field: headerFailures[0]!,
      message: `trait${headerFailures.length > 1 ? 's' : ''} ${headerFailures.join(', ')}: ${headerError}`,
    });
  return {
    index: request.index,
    contentHash: content.hash,
    fileId: fileIdOf(request.relativePath, content.hash),
    traits,
    errors,
  };
}
