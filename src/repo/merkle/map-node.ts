import { CorruptObjectError } from '../../errors/index.js';
import type { ObjectId } from '../../util/hash.js';
import { ByteReader, ByteWriter } from '../../util/varint.js';

/** One key → value pair of a Merkle map. Keys are unique; entries are kept sorted by key. */
export interface MapEntry {
  readonly key: string;
  readonly value: Uint8Array;
}

/** A child of an internal node: the subtree's last key, its root id and how many entries it holds. */
export interface ChildRef {
  readonly lastKey: string;
  readonly id: ObjectId;
  readonly count: number;
}

export type MapNode =
  | { readonly kind: 'leaf'; readonly entries: readonly MapEntry[] }
  | { readonly kind: 'internal'; readonly level: number; readonly children: readonly ChildRef[] };

const LEAF = 0x4c; // 'L'
const INTERNAL = 0x49; // 'I'

/** Binary node format: a tag byte, then varint-prefixed fields. Compact and cheap to hash. */
export function encodeMapNode(node: MapNode): Buffer {
  if (node.kind === 'leaf') {
    const fast = encodeAsciiLeaf(node.entries);
    if (fast) return fast;
  }
  // Sized up front (keys are mostly ASCII): growing by doubling copied more than it wrote.
  let estimate = 16;
  if (node.kind === 'leaf') for (const e of node.entries) estimate += e.key.length + e.value.byteLength + 8;
  else for (const c of node.children) estimate += c.lastKey.length + 48;
  const w = new ByteWriter(estimate);
  if (node.kind === 'leaf') {
    w.byte(LEAF).uint(node.entries.length);
    for (const e of node.entries) w.string(e.key).bytes(e.value);
  } else {
    w.byte(INTERNAL).uint(node.level).uint(node.children.length);
    for (const c of node.children) w.string(c.lastKey).hex(c.id).uint(c.count);
  }
  return w.finish();
}

function varintSize(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

function putVarint(out: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/**
 * The same bytes as the general encoder for a leaf whose keys are ASCII (column indexes: 10^5
 * entries a commit), written into one exactly sized buffer with no per-key string encoding;
 * undefined when a key is not ASCII.
 */
function encodeAsciiLeaf(entries: readonly MapEntry[]): Buffer | undefined {
  let size = 1 + varintSize(entries.length);
  for (const e of entries) {
    size += varintSize(e.key.length) + e.key.length + varintSize(e.value.byteLength) + e.value.byteLength;
  }
  const out = Buffer.allocUnsafe(size);
  out[0] = LEAF;
  let at = putVarint(out, 1, entries.length);
  for (const e of entries) {
    const key = e.key;
    at = putVarint(out, at, key.length);
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c >= 0x80) return undefined;
      out[at++] = c;
    }
    at = putVarint(out, at, e.value.byteLength);
    out.set(e.value, at);
    at += e.value.byteLength;
  }
  return out;
}

/** Decodes a node; a malformed one is a `CorruptObjectError` naming the object. */
export function decodeMapNode(bytes: Uint8Array, id: ObjectId): MapNode {
  try {
    const r = new ByteReader(bytes);
    const tag = r.raw(1)[0];
    if (tag === LEAF) {
      const count = r.uint();
      const entries: MapEntry[] = new Array(count);
      for (let i = 0; i < count; i++) entries[i] = { key: r.string(), value: r.bytes() };
      if (!r.done) throw new RangeError('trailing bytes');
      return { kind: 'leaf', entries };
    }
    if (tag === INTERNAL) {
      const level = r.uint();
      const count = r.uint();
      const children: ChildRef[] = new Array(count);
      for (let i = 0; i < count; i++) {
        children[i] = { lastKey: r.string(), id: Buffer.from(r.raw(32)).toString('hex'), count: r.uint() };
      }
      if (!r.done) throw new RangeError('trailing bytes');
      return { kind: 'internal', level, children };
    }
    throw new RangeError(`unknown node tag ${tag}`);
  } catch (err) {
    throw new CorruptObjectError(`object ${id} is not a valid tree node: ${(err as Error).message}`, {
      id,
      reason: (err as Error).message,
    });
  }
}

/**
 * True when the node is a leaf, read from its tag alone: a walk that does not open a leaf's
 * entries (a transfer of a column map, whose leaves reference nothing) skips decoding them. The
 * bytes were verified against their id when read; a malformed body is `decodeMapNode`'s to find.
 */
export function isLeafNode(bytes: Uint8Array, id: ObjectId): boolean {
  if (bytes[0] === LEAF) return true;
  if (bytes[0] === INTERNAL) return false;
  throw new CorruptObjectError(`object ${id} is not a valid tree node: unknown node tag ${bytes[0]}`, {
    id,
    reason: 'unknown node tag',
  });
}

/** The level of a node: 0 for leaves. */
export function nodeLevel(node: MapNode): number {
  return node.kind === 'leaf' ? 0 : node.level;
}
