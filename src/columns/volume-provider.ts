import { buildMap } from '../repo/merkle/build-map.js';
import { editMap } from '../repo/merkle/edit-map.js';
import { mergeMaps } from '../repo/merkle/merge-maps.js';
import { createNodeSource } from '../repo/merkle/read-map.js';
import type { SectionConflict, SectionProvider } from '../repo/commit/section-provider.js';
import { readVolumesSection, volumesSection, VOLUMES_SECTION, type VolumeRecord } from './volume-record.js';
import { sameVolumeSchema } from './volume-schema.js';

/** A chunk (or, with chunk null, a whole volume) both sides of a merge changed differently. */
export interface VolumeConflict extends SectionConflict {
  readonly column: string;
  readonly chunk: string | null;
}

const same = (a: VolumeRecord | undefined, b: VolumeRecord | undefined) =>
  a === b ||
  (a !== undefined && b !== undefined && a.index === b.index && sameVolumeSchema(a.schema, b.schema));

/**
 * Volumes in snapshots and merges. Volumes are written by commits of their own (an ingest job, a
 * region write), never staged, so `prepare` leaves the parent's section as it is; `merge` merges
 * both sides chunk by chunk (a chunk changed on both sides differently, or a volume re-created
 * with another schema or removed on one side, is a conflict).
 */
export const volumesSectionProvider: SectionProvider = {
  section: VOLUMES_SECTION,
  async prepare() {
    return undefined;
  },
  async merge({ repo, base, ours, theirs, strategy, writer }) {
    const b = readVolumesSection(base.value, `commit ${base.commit}`);
    const o = readVolumesSection(ours.value, `commit ${ours.commit}`);
    const t = readVolumesSection(theirs.value, `commit ${theirs.commit}`);
    const nodes = createNodeSource((id) => repo.store.get(id), { cacheSize: 1 << 12 });
    const records: Record<string, VolumeRecord> = {};
    const conflicts: VolumeConflict[] = [];
    for (const name of [...new Set([...Object.keys(b), ...Object.keys(o), ...Object.keys(t)])].sort()) {
      const vb = b[name];
      const vo = o[name];
      const vt = t[name];
      let result: VolumeRecord | undefined;
      if (same(vo, vt) || same(vt, vb)) result = vo;
      else if (same(vo, vb)) result = vt;
      else if (!vo || !vt || !sameVolumeSchema(vo.schema, vt.schema)) {
        conflicts.push({ kind: !vo || !vt ? 'deleted-and-changed' : 'schema', column: name, chunk: null });
        result = strategy === 'theirs' ? vt : vo;
      } else {
        let baseIndex = vb && sameVolumeSchema(vb.schema, vo.schema) ? vb.index : undefined;
        if (!baseIndex) {
          const empty = buildMap([]);
          for (const node of empty.nodes) await writer.add(node.bytes);
          baseIndex = empty.root;
        }
        const merged = await mergeMaps(nodes, baseIndex, vo.index, vt.index, { strategy });
        for (const c of merged.conflicts) conflicts.push({ kind: c.kind, column: name, chunk: c.key });
        const built = await editMap(nodes, vo.index, merged.edits);
        for (const node of built.nodes) await writer.add(node.bytes);
        result = { schema: vo.schema, index: built.root, chunks: built.count };
      }
      if (result) records[name] = result;
    }
    const value = Object.keys(records).length > 0 ? volumesSection(records) : null;
    return { value, conflicts };
  },
};
