import { iterateMap } from '../repo/merkle/read-map.js';
import { ITEM_SIZE } from '../arrays/dtype.js';
import { elementCount } from '../arrays/shape.js';
import type { Checkout } from './checkout.js';
import { decodeEntry } from './entry.js';
import type { ColumnKind, ColumnLayout } from './schema.js';

/** One column in a summary. */
export interface ColumnSummary {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly dtype?: string;
  readonly shape?: readonly number[];
  readonly variable: boolean;
  readonly layout: ColumnLayout;
  readonly compression: string;
  readonly count: number;
  /** Sum of the samples' bytes (what numpy would hold). */
  readonly rawBytes: number;
  /** Bytes of the column's data chunks in the store. */
  readonly storedBytes: number;
  readonly chunks: number;
}

/** The columns of a checkout: schema, counts and sizes (reads each column's index once). */
export async function summarizeColumns(checkout: Checkout): Promise<ColumnSummary[]> {
  const out: ColumnSummary[] = [];
  for (const name of checkout.columnNames()) {
    const column = checkout.column(name);
    const record = column.record;
    const s = record.schema;
    let rawBytes = 0;
    const fixed =
      s.kind === 'ndarray' && !s.variable ? elementCount(s.shape!) * ITEM_SIZE[s.dtype!] : undefined;
    if (fixed !== undefined) rawBytes = fixed * record.count;
    else {
      for await (const e of iterateMap(checkout.nodes, record.index)) {
        const entry = decodeEntry(e.value, `${name}/${e.key}`);
        rawBytes += 'inline' in entry ? entry.inline.byteLength : entry.location.length;
      }
    }
    let storedBytes = 0;
    for (const id of record.chunks) storedBytes += await checkout.repo.store.size(id);
    out.push({
      name,
      kind: s.kind,
      ...(s.dtype ? { dtype: s.dtype } : {}),
      ...(s.shape ? { shape: s.shape } : {}),
      variable: s.variable,
      layout: s.layout,
      compression: s.compression,
      count: record.count,
      rawBytes,
      storedBytes,
      chunks: record.chunks.length,
    });
  }
  return out;
}
