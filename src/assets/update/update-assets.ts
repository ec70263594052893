import path from 'node:path';
import type { AssetStore, StoredAsset, StoredError, StoredFile } from '../../catalog/asset-store.js';
import type { NamingGrammar } from '../naming/grammar.js';
import { scanIngress, type ScannedFile } from '../scan/scan-ingress.js';
import type { SpecificationSet } from '../specs/load-specifications.js';
import { readFiles } from '../traits/read-pool.js';
import type { ReadRequest } from '../traits/read-file.js';
import {
  ASSET_ROOT_FIELD,
  FILE_SUMMARY_FIELD,
  fileIdOf,
  groupAssets,
  type UngroupedFile,
} from './group-assets.js';
import { routeName, validateFields, type RoutedName } from './route-file.js';

/** What `updateAssets` needs. */
export interface UpdateInput {
  readonly store: AssetStore;
  /** Absolute path of the ingress folder. */
  readonly ingress: string;
  readonly specs: SpecificationSet;
  readonly grammar: NamingGrammar;
  readonly include?: string;
  readonly exclude?: string;
  /** Read-pool threads (default every core). */
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One problem for the report: the file or asset path (relative to the ingress root) and what. */
export interface UpdateError {
  readonly path: string;
  readonly field?: string;
  readonly offset?: number;
  readonly message: string;
}

/** What an update found (the `--json` output of `strata assets update`). */
export interface UpdateReport {
  readonly files: number;
  readonly assets: number;
  readonly valid: number;
  readonly invalid: number;
  readonly errors: UpdateError[];
  /** How many files were read again (new or changed stat); the rest came from the store. */
  readonly reread: number;
  readonly removed: number;
}

const FINGERPRINT = 'fingerprint';

const sameStat = (a: StoredFile, b: ScannedFile) =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

function sameFile(a: StoredFile, b: StoredFile): boolean {
  return (
    a.fileId === b.fileId &&
    a.assetId === b.assetId &&
    a.path === b.path &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ino === b.ino
  );
}

function sameAsset(a: StoredAsset, b: StoredAsset): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Updates the file and asset tables from the ingress folder: scan (include / exclude regexes on
 * the relative path), route each new or changed file to its specification by parsing its name,
 * read content ids and traits in a worker pool, group files into assets and validate each asset
 * once, all or nothing. Files whose size, mtime and inode are unchanged (and specifications whose
 * modules are unchanged) are not read again; deleted files disappear. One transaction writes only
 * what changed.
 */
export async function updateAssets(input: UpdateInput): Promise<UpdateReport> {
  const { store, specs, grammar } = input;
  const scanned = scanIngress(input.ingress, { include: input.include, exclude: input.exclude });
  const previous = await store.files();
  const sameSpecs = (await store.meta(FINGERPRINT)) === specs.fingerprint;
  const before = new Map<string, StoredFile>();
  for (const f of previous) before.set(f.path, f);

  const current: (UngroupedFile | undefined)[] = new Array(scanned.length);
  const changed: { index: number; routed: RoutedName }[] = [];
  for (let i = 0; i < scanned.length; i++) {
    const s = scanned[i]!;
    const old = before.get(s.path);
    if (old && sameSpecs && sameStat(old, s)) {
      const own = old.errors.some((e) => e.field === ASSET_ROOT_FIELD)
        ? old.errors.filter((e) => e.field !== ASSET_ROOT_FIELD)
        : old.errors;
      current[i] = {
        fileId: old.fileId,
        path: old.path,
        filename: old.filename,
        size: old.size,
        mtimeMs: old.mtimeMs,
        ino: old.ino,
        specification: old.specification,
        fields: old.fields,
        grammarVersion: old.grammarVersion,
        traits: old.traits,
        errors: own,
      };
    } else {
      changed.push({ index: i, routed: routeName(path.posix.basename(s.path), specs.byName, grammar) });
    }
  }

  const modules: Record<string, string> = {};
  for (const [name, loaded] of specs.byName) modules[name] = loaded.modulePath;
  const requests: ReadRequest[] = changed.map(({ index, routed }, k) => ({
    index: k,
    path: scanned[index]!.absolutePath,
    relativePath: scanned[index]!.path,
    fields: routed.fields,
    traits: routed.traits,
    spec: routed.specification,
  }));
  const read = await readFiles(requests, {
    modules,
    grammar,
    threads: input.threads,
    onProgress: input.onProgress,
  });
  for (let k = 0; k < changed.length; k++) {
    const { index, routed } = changed[k]!;
    const s = scanned[index]!;
    const r = read[k]!;
    const loaded = routed.specification === null ? undefined : specs.byName.get(routed.specification);
    const errors: StoredError[] = [...routed.errors, ...r.errors];
    if (loaded) errors.push(...validateFields(loaded, routed.fields, r.traits));
    current[index] = {
      fileId: fileIdOf(s.path, r.contentHash),
      path: s.path,
      filename: path.posix.basename(s.path),
      size: s.size,
      mtimeMs: s.mtimeMs,
      ino: s.ino,
      specification: routed.specification,
      fields: routed.fields as Readonly<Record<string, unknown>>,
      grammarVersion: routed.grammarVersion,
      traits: r.traits,
      errors,
    };
  }
  if (changed.length === 0) input.onProgress?.(0, 0);

  const grouping = groupAssets(current as UngroupedFile[], specs.byName, grammar);

  // Write only what differs from the stored tables.
  const byId = new Map(previous.map((f) => [f.fileId, f]));
  const putFiles = grouping.files.filter((f) => {
    const old = byId.get(f.fileId);
    return !old || !sameFile(old, f) || JSON.stringify(old.errors) !== JSON.stringify(f.errors);
  });
  const keepFiles = new Set(grouping.files.map((f) => f.fileId));
  const deleteFiles = previous.filter((f) => !keepFiles.has(f.fileId)).map((f) => f.fileId);
  const oldAssets = new Map((await store.assets()).map((a) => [a.assetId, a]));
  const putAssets = grouping.assets.filter((a) => {
    const old = oldAssets.get(a.assetId);
    return !old || !sameAsset(old, a);
  });
  const keepAssets = new Set(grouping.assets.map((a) => a.assetId));
  const deleteAssets = [...oldAssets.keys()].filter((id) => !keepAssets.has(id));
  if (putFiles.length + deleteFiles.length + putAssets.length + deleteAssets.length > 0 || !sameSpecs) {
    await store.apply({
      putFiles,
      deleteFiles,
      putAssets,
      deleteAssets,
      meta: { [FINGERPRINT]: specs.fingerprint, grammar_version: grammar.grammarVersion },
    });
  }
  const present = new Set(scanned.map((s) => s.path));
  const removed = previous.filter((f) => !present.has(f.path)).length;
  return report(grouping.files, grouping.assets, changed.length, removed);
}

function report(
  files: readonly StoredFile[],
  assets: readonly StoredAsset[],
  reread: number,
  removed: number,
): UpdateReport {
  const errors: UpdateError[] = [];
  for (const f of files)
    for (const e of f.errors)
      errors.push({
        path: f.path,
        ...(e.field !== undefined ? { field: e.field } : {}),
        ...(e.offset !== undefined ? { offset: e.offset } : {}),
        message: e.message,
      });
  for (const a of assets)
    for (const e of a.errors)
      if (e.field !== FILE_SUMMARY_FIELD)
        errors.push({
          path: a.assetPath,
          ...(e.field !== undefined ? { field: e.field } : {}),
          message: e.message,
        });
  const valid = assets.filter((a) => a.valid).length;
  return {
    files: files.length,
    assets: assets.length,
    valid,
    invalid: assets.length - valid,
    errors,
    reread,
    removed,
  };
}
