import type { ScanState } from '../../catalog/catalog.js';
import type { FileChange } from '../diff/diff-trees.js';
import type { RootTree } from '../objects/commit-object.js';
import type { Repository } from '../repository.js';
import type { WorkingState } from './working-types.js';
import { scanFingerprint } from './working-types.js';

/** A resource whose last scan describes HEAD's map and whose folder matched HEAD before a rewrite. */
export type CleanScans = ReadonlyMap<string, ScanState>;

/**
 * The resources a rewrite can hand a scan state on to: their last scan's folder digests describe
 * HEAD's map and the working folder held exactly HEAD's files when the rewrite read it.
 */
export async function cleanScans(repo: Repository, head: RootTree, state: WorkingState): Promise<CleanScans> {
  const states = await repo.catalog.loadScanStates();
  const clean = new Map<string, ScanState>();
  for (const [name, scan] of states) {
    const base = head.resources[name];
    if (
      scan.folders !== undefined &&
      base !== undefined &&
      scan.mapRoot === base.map &&
      state.tree.resources[name]?.map === base.map
    )
      clean.set(name, scan);
  }
  return clean;
}

/** The digest of a folder a rewrite touched: never equal to a scan's, so the folder is always read. */
const TOUCHED = '';

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * The scan states after a rewrite that moved clean resources from HEAD to `target`: a resource
 * qualifies when every file that differs between HEAD and the target (`moved`) was written
 * (`written`), so its folder now holds the target's files. Its state then names the target's map,
 * keeps the digests of the folders the rewrite did not touch (their files did not change) and
 * marks those it touched with a digest no scan gives, so the next scan reads those folders'
 * stat-cache rows (or, if one is gone, its rows as removals) and edits the target's map instead
 * of rebuilding it from every row. `recordedMs` stays the
 * last scan's: the kept digests were taken then, and the racy window must stay theirs.
 */
export function scanStatesAfterRewrite(
  clean: CleanScans,
  target: RootTree,
  moved: readonly FileChange[],
  written: readonly FileChange[],
): ScanState[] {
  const count = (changes: readonly FileChange[]) => {
    const byResource = new Map<string, number>();
    for (const c of changes) byResource.set(c.resource, (byResource.get(c.resource) ?? 0) + 1);
    return byResource;
  };
  const movedCount = count(moved);
  const writtenCount = count(written);
  const out: ScanState[] = [];
  for (const [name, scan] of clean) {
    const after = target.resources[name];
    if (!after || (after.content ?? 'stored') !== 'stored') continue;
    if ((movedCount.get(name) ?? 0) !== (writtenCount.get(name) ?? 0)) continue;
    const folders = new Map(scan.folders);
    for (const c of written) if (c.resource === name) folders.set(parentOf(c.path), TOUCHED);
    out.push({
      resource: name,
      fingerprint: scanFingerprint(folders),
      mapRoot: after.map,
      files: after.files,
      bytes: after.bytes,
      recordedMs: scan.recordedMs,
      folders,
    });
  }
  return out;
}
