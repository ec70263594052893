import { createNodeSource, iterateMap, iterateMapChanges } from '../repo/merkle/read-map.js';
import type { Repository } from '../repo/repository.js';
import { parseChunkKey, type ChunkCoord } from './volume-chunk.js';
import { volumesAt, type VolumeRecord } from './volume-record.js';
import { sameVolumeSchema } from './volume-schema.js';

/** One chunk that differs between two revisions of a volume. */
export interface VolumeChunkChange {
  readonly column: string;
  readonly chunk: ChunkCoord;
  readonly change: 'added' | 'deleted' | 'mutated';
}

/**
 * Chunk-level differences of the volumes from revision `from` to `to`, reading only the changed
 * parts of each chunk map. A volume whose schema changed counts as all its chunks deleted and added.
 */
export async function diffVolumeRevisions(
  repo: Repository,
  from: string,
  to: string,
): Promise<VolumeChunkChange[]> {
  return diffVolumeRecords(repo, await volumesAt(repo, from), await volumesAt(repo, to));
}

/** `diffVolumeRevisions` on two sets of volume records. */
export async function diffVolumeRecords(
  repo: Repository,
  before: Readonly<Record<string, VolumeRecord>>,
  after: Readonly<Record<string, VolumeRecord>>,
): Promise<VolumeChunkChange[]> {
  const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 12 });
  const out: VolumeChunkChange[] = [];
  for (const column of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[column];
    const b = after[column];
    if (a && b && sameVolumeSchema(a.schema, b.schema)) {
      for await (const batch of iterateMapChanges(nodes, a.index, b.index))
        for (const c of batch)
          out.push({
            column,
            chunk: parseChunkKey(c.key),
            change: !c.before ? 'added' : !c.after ? 'deleted' : 'mutated',
          });
      continue;
    }
    if (a)
      for await (const e of iterateMap(nodes, a.index))
        out.push({ column, chunk: parseChunkKey(e.key), change: 'deleted' });
    if (b)
      for await (const e of iterateMap(nodes, b.index))
        out.push({ column, chunk: parseChunkKey(e.key), change: 'added' });
  }
  return out;
}
