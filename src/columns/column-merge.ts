import type { ObjectWriter } from '../store/object-store.js';
import { buildMap } from '../repo/merkle/build-map.js';
import { editMap } from '../repo/merkle/edit-map.js';
import { mergeMaps, type MergeConflictKind, type MergeStrategy } from '../repo/merkle/merge-maps.js';
import type { NodeSource } from '../repo/merkle/read-map.js';
import { ConflictError } from '../errors/index.js';
import { chunkPrefix } from './chunks.js';
import type { ColumnRecord } from './column-record.js';
import { publicKey, type ColumnKey } from './column-keys.js';
import { sameSample } from './entry.js';
import { sameSchema } from './schema.js';

/** A sample (or, with key null, a whole column) both sides changed in ways that do not agree. */
export interface ColumnConflict {
  readonly column: string;
  readonly key: ColumnKey | null;
  readonly kind: MergeConflictKind | 'schema';
}

type Records = Readonly<Record<string, ColumnRecord>>;

const same = (a: ColumnRecord | undefined, b: ColumnRecord | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.index === b.index && sameSchema(a.schema, b.schema));

/** Every chunk of both records, checking that their id prefixes stay unique. */
function unionChunks(a: ColumnRecord, b: ColumnRecord): string[] {
  const byPrefix = new Map<string, string>();
  for (const id of [...a.chunks, ...b.chunks]) {
    const prefix = chunkPrefix(id);
    const other = byPrefix.get(prefix);
    if (other && other !== id) {
      throw new ConflictError(
        `chunks ${other} and ${id} share an id prefix; cannot merge column '${a.schema.name}'`,
        {
          column: a.schema.name,
        },
      );
    }
    byPrefix.set(prefix, id);
  }
  return [...byPrefix.values()];
}

/**
 * Three-way merge of the columns of two commits at sample level. New index nodes go to `writer`.
 * Conflicts (added on both sides with different values, deleted on one side and changed on the
 * other, changed differently on both; whole columns removed on one side and changed on the other
 * or re-created with another schema) are listed; with a strategy they resolve to that side.
 */
export async function mergeColumnRecords(
  nodes: NodeSource,
  writer: ObjectWriter,
  base: Records,
  ours: Records,
  theirs: Records,
  strategy?: MergeStrategy,
): Promise<{ records: Record<string, ColumnRecord>; conflicts: ColumnConflict[] }> {
  const records: Record<string, ColumnRecord> = {};
  const conflicts: ColumnConflict[] = [];
  const names = [...new Set([...Object.keys(base), ...Object.keys(ours), ...Object.keys(theirs)])].sort();
  for (const name of names) {
    const b = base[name];
    const o = ours[name];
    const t = theirs[name];
    let result: ColumnRecord | undefined;
    if (same(o, t) || same(t, b)) result = o;
    else if (same(o, b)) result = t;
    else if (!o || !t || (o && t && !sameSchema(o.schema, t.schema))) {
      // Removed on one side and changed on the other, or the schema differs: a column-level conflict.
      conflicts.push({ column: name, key: null, kind: !o || !t ? 'deleted-and-changed' : 'schema' });
      result = strategy === 'theirs' ? t : o;
    } else {
      let baseIndex = b && sameSchema(b.schema, o.schema) ? b.index : undefined;
      if (!baseIndex) {
        const empty = buildMap([]);
        for (const node of empty.nodes) await writer.add(node.bytes);
        baseIndex = empty.root;
      }
      const merged = await mergeMaps(nodes, baseIndex, o.index, t.index, { same: sameSample, strategy });
      for (const c of merged.conflicts)
        conflicts.push({ column: name, key: publicKey(o.schema, c.key), kind: c.kind });
      const built = await editMap(nodes, o.index, merged.edits);
      for (const node of built.nodes) await writer.add(node.bytes);
      result = { schema: o.schema, index: built.root, count: built.count, chunks: unionChunks(o, t) };
    }
    if (result) records[name] = result;
  }
  return { records, conflicts };
}
