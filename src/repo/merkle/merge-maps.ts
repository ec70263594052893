import type { MapEdit } from './edit-map.js';
import { diffMaps, type MapChange, type NodeSource } from './read-map.js';
import type { ObjectId } from '../../util/hash.js';

/** How a key conflicts in a three-way merge. */
export type MergeConflictKind = 'both-added' | 'deleted-and-changed' | 'both-changed';

export interface MapConflict {
  readonly key: string;
  readonly kind: MergeConflictKind;
}

/** Which side wins every conflict, when the caller chose one. */
export type MergeStrategy = 'ours' | 'theirs';

/** Decides whether two stored values hold the same content (values may also carry locations). */
export type SameContent = (a: Uint8Array, b: Uint8Array) => boolean;

const bytesEqual: SameContent = (a, b) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

function realChanges(changes: readonly MapChange[], same: SameContent): Map<string, MapChange> {
  const out = new Map<string, MapChange>();
  for (const c of changes) if (!(c.before && c.after && same(c.before, c.after))) out.set(c.key, c);
  return out;
}

/**
 * Three-way merge of two maps that descend from `base`, at entry level: the edits to apply to
 * `ours` to take in what `theirs` changed, and the keys both sides changed differently. Reads only
 * the changed parts of each map (two `diffMaps`). With a strategy, conflicts resolve wholesale to
 * one side and are still listed, so a caller can report what it overrode.
 */
export async function mergeMaps(
  source: NodeSource,
  base: ObjectId,
  ours: ObjectId,
  theirs: ObjectId,
  options: { same?: SameContent; strategy?: MergeStrategy } = {},
): Promise<{ edits: MapEdit[]; conflicts: MapConflict[] }> {
  const same = options.same ?? bytesEqual;
  const oursChanged = realChanges(await diffMaps(source, base, ours), same);
  const theirsChanged = realChanges(await diffMaps(source, base, theirs), same);
  const edits: MapEdit[] = [];
  const conflicts: MapConflict[] = [];
  for (const [key, their] of theirsChanged) {
    const our = oursChanged.get(key);
    if (!our) {
      edits.push(their.after ? { key, value: their.after } : { key });
      continue;
    }
    const agree = our.after && their.after ? same(our.after, their.after) : !our.after && !their.after;
    if (agree) continue;
    const kind: MergeConflictKind =
      their.before === undefined
        ? 'both-added'
        : !our.after || !their.after
          ? 'deleted-and-changed'
          : 'both-changed';
    conflicts.push({ key, kind });
    if (options.strategy === 'theirs') edits.push(their.after ? { key, value: their.after } : { key });
  }
  edits.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  conflicts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { edits, conflicts };
}
