import path from 'node:path';
import type { AssetStore, AssetStoreSummary, StoredFile, StoredFileStat } from '../store/asset-store.js';
import { hashBytes, loadSmallHasher } from '../../util/hash.js';
import type { NamingGrammar } from '../naming/grammar.js';
import { scanIngressDigested, type ScannedFile } from '../scan/scan-ingress.js';
import type { SpecificationSet } from '../specs/load-specifications.js';
import { readFiles } from '../traits/read-pool.js';
import type { ReadRequest } from '../traits/read-file.js';
import {
  ASSET_ROOT_FIELD,
  FILE_SUMMARY_FIELD,
  assetPathOf,
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
  /** Aborting stops the update before it writes the tables (they stay as they were). */
  readonly signal?: AbortSignal;
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
  /** How many stored files are gone from the ingress folder. */
  readonly removed: number;
}

const FINGERPRINT = 'fingerprint';
const SCAN_DIGEST = 'scan_digest';
/** The summary of the tables as the update that wrote `scan_digest` left them (JSON). */
const SUMMARY = 'summary';

/** Bump when reading or validating changes meaning: every file is then read again once. */
const PIPELINE_VERSION = 'update-1';

const sameStat = (a: StoredFileStat, b: ScannedFile) =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** A stored file without its asset and the errors grouping gave it, ready to be grouped again. */
function ungrouped(f: StoredFile): UngroupedFile {
  const { assetId: _assetId, ...rest } = f;
  return f.errors.some((e) => e.field === ASSET_ROOT_FIELD)
    ? { ...rest, errors: f.errors.filter((e) => e.field !== ASSET_ROOT_FIELD) }
    : rest;
}

/**
 * Updates the file and asset tables from the ingress folder: scan (include / exclude regexes on
 * the relative path), route each new or changed file to its specification by parsing its name,
 * read content ids and traits in a worker pool, group files into assets and validate each asset
 * once, all or nothing.
 *
 * Incremental: a file whose size, mtime and inode are unchanged (under unchanged specification
 * modules) is not read again, and only assets that gained, lost or changed a file are grouped
 * and validated again; deleted files disappear. One transaction writes only what changed.
 */
export async function updateAssets(input: UpdateInput): Promise<UpdateReport> {
  const { store, specs, grammar } = input;
  // File and asset ids are hashes of a few bytes each (failing to load only costs speed).
  await loadSmallHasher().catch(() => undefined);
  const scan = await scanIngressDigested(input.ingress, {
    include: input.include,
    exclude: input.exclude,
  });
  const fingerprint = hashBytes(Buffer.from(`${PIPELINE_VERSION}\0${specs.fingerprint}`));
  const sameSpecs = (await store.meta(FINGERPRINT)) === fingerprint;
  // Nothing changed since the last update (same files, same stats, same specifications): the
  // tables are right as they are, and so is the summary stored with the digest. The scan's
  // digest (hashed by the scan threads) saves loading 100,000 stored stats and building the
  // scanned files at all.
  const digest = scan.digest;
  if (sameSpecs && (await store.meta(SCAN_DIGEST)) === digest) {
    const stored = await store.meta(SUMMARY);
    return report(
      stored === undefined ? await store.summary() : (JSON.parse(stored) as AssetStoreSummary),
      0,
      0,
    );
  }
  const scanned = scan.files();
  const oldStats = await store.fileStats();
  const before = new Map<string, StoredFileStat>();
  for (const f of oldStats) before.set(f.path, f);

  // Which files to read again; the stored rows of the others stay as they are.
  const kept = new Set<string>();
  const changed: { file: ScannedFile; routed: RoutedName }[] = [];
  for (const s of scanned) {
    const old = before.get(s.path);
    if (old && sameSpecs && sameStat(old, s)) kept.add(s.path);
    else changed.push({ file: s, routed: routeName(path.posix.basename(s.path), specs.byName, grammar) });
  }
  const retired = oldStats.filter((f) => !kept.has(f.path));

  const modules: Record<string, string> = {};
  for (const [name, loaded] of specs.byName) modules[name] = loaded.modulePath;
  const requests: ReadRequest[] = changed.map(({ file, routed }, k) => ({
    index: k,
    path: file.absolutePath,
    relativePath: file.path,
    fields: routed.traits.length > 0 ? routed.fields : {},
    traits: routed.traits,
    spec: routed.specification,
    sizeHint: file.size,
  }));
  const read =
    requests.length === 0
      ? []
      : await readFiles(requests, { modules, grammar, threads: input.threads, onProgress: input.onProgress });
  // Cancelled while reading (a server job): nothing has been written yet, and nothing will be.
  input.signal?.throwIfAborted();
  const fresh: UngroupedFile[] = changed.map(({ file, routed }, k) => {
    const r = read[k]!;
    const loaded = routed.specification === null ? undefined : specs.byName.get(routed.specification);
    const errors = [...routed.errors, ...r.errors];
    if (loaded) errors.push(...validateFields(loaded, routed.fields, r.traits));
    return {
      fileId: r.fileId,
      path: file.path,
      filename: path.posix.basename(file.path),
      size: file.size,
      mtimeMs: file.mtimeMs,
      ino: file.ino,
      specification: routed.specification,
      fields: routed.fields as Readonly<Record<string, unknown>>,
      grammarVersion: routed.grammarVersion,
      traits: r.traits,
      errors,
    };
  });

  // The assets to group again: those that lost or changed a file, and those a new file joins.
  const affected = new Set<string>();
  for (const f of retired) if (f.assetId !== null) affected.add(f.assetId);
  if (fresh.length > 0) {
    const assetAt = new Map((await store.assetPaths()).map((a) => [a.assetPath, a.assetId]));
    for (const f of fresh) {
      const loaded = f.specification === null ? undefined : specs.byName.get(f.specification);
      const at = loaded ? assetPathOf(loaded.spec, f.path).at : undefined;
      const id = at === undefined ? undefined : assetAt.get(at);
      if (id !== undefined) affected.add(id);
    }
  }
  const keptMembers =
    affected.size === 0
      ? []
      : (await store.filesOfAssets([...affected])).filter((f) => kept.has(f.path)).map(ungrouped);
  const grouping = groupAssets([...keptMembers, ...fresh], specs.byName, grammar);

  const previousAsset = new Map(keptMembers.map((f) => [f.fileId, f]));
  const oldAssetOf = new Map(oldStats.map((f) => [f.fileId, f.assetId]));
  const putFiles = grouping.files.filter(
    (f) => !previousAsset.has(f.fileId) || oldAssetOf.get(f.fileId) !== f.assetId,
  );
  const newAssets = new Set(grouping.assets.map((a) => a.assetId));
  const changes = {
    putFiles,
    deleteFiles: retired.map((f) => f.fileId),
    putAssets: grouping.assets,
    deleteAssets: [...affected].filter((id) => !newAssets.has(id)),
    // The digest is written with the summary below, once the tables are read back: a process
    // killed in between leaves no digest, and the next update compares stats again.
    meta: { [FINGERPRINT]: fingerprint, [SCAN_DIGEST]: '', grammar_version: grammar.grammarVersion },
  };
  await store.apply(changes);
  const summary = await store.summary();
  await store.apply({
    putFiles: [],
    deleteFiles: [],
    putAssets: [],
    deleteAssets: [],
    meta: { [SCAN_DIGEST]: digest, [SUMMARY]: JSON.stringify(summary) },
  });

  const present = new Set(scanned.map((s) => s.path));
  return report(summary, changed.length, oldStats.filter((f) => !present.has(f.path)).length);
}

function report(summary: AssetStoreSummary, reread: number, removed: number): UpdateReport {
  const errors: UpdateError[] = [];
  for (const { path: p, errors: list } of summary.fileErrors)
    for (const e of list)
      errors.push({
        path: p,
        ...(e.field !== undefined ? { field: e.field } : {}),
        ...(e.offset !== undefined ? { offset: e.offset } : {}),
        message: e.message,
      });
  for (const { assetPath, errors: list } of summary.assetErrors)
    for (const e of list)
      if (e.field !== FILE_SUMMARY_FIELD)
        errors.push({
          path: assetPath,
          ...(e.field !== undefined ? { field: e.field } : {}),
          message: e.message,
        });
  return {
    files: summary.files,
    assets: summary.assets,
    valid: summary.valid,
    invalid: summary.assets - summary.valid,
    errors,
    reread,
    removed,
  };
}
