import { diffMaps, iterateMap, type NodeSource } from '../../repo/merkle/read-map.js';
import type { ColumnRecord } from './column-record.js';
import { publicKey, type ColumnKey } from './column-keys.js';
import { sameSample } from './entry.js';

/** One sample that differs between two states of the columns. */
export interface ColumnChange {
  readonly column: string;
  readonly key: ColumnKey;
  readonly change: 'added' | 'deleted' | 'mutated';
}

async function allKeys(
  nodes: NodeSource,
  record: ColumnRecord,
  change: 'added' | 'deleted',
  out: ColumnChange[],
): Promise<void> {
  for await (const e of iterateMap(nodes, record.index))
    out.push({ column: record.schema.name, key: publicKey(record.schema, e.key), change });
}

/**
 * Sample-level differences from `from` to `to`, per column in name order then key order. Only the
 * changed parts of each index are read; a sample stored twice (same digest) is not a change. A
 * column whose schema changed counts as all its samples deleted and added again.
 */
export async function diffColumnRecords(
  nodes: NodeSource,
  from: Readonly<Record<string, ColumnRecord>>,
  to: Readonly<Record<string, ColumnRecord>>,
): Promise<ColumnChange[]> {
  const out: ColumnChange[] = [];
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  for (const name of names) {
    const a = from[name];
    const b = to[name];
    if (a && b && JSON.stringify(a.schema) === JSON.stringify(b.schema)) {
      if (a.index === b.index) continue;
      for (const c of await diffMaps(nodes, a.index, b.index)) {
        if (c.before && c.after && sameSample(c.before, c.after)) continue;
        const change = !c.before ? 'added' : !c.after ? 'deleted' : 'mutated';
        out.push({ column: name, key: publicKey(b.schema, c.key), change });
      }
      continue;
    }
    if (a) await allKeys(nodes, a, 'deleted', out);
    if (b) await allKeys(nodes, b, 'added', out);
  }
  return out;
}
