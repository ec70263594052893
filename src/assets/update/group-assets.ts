import type { StoredAsset, StoredError, StoredFile } from '../store/asset-store.js';
import { assetIdOf } from './ids.js';
import { formatName } from '../naming/format-name.js';
import type { FieldName, NamingGrammar } from '../naming/grammar.js';
import type { NameMetadata } from '../naming/parse-name.js';
import type { LoadedSpecification } from '../specs/load-specifications.js';
import type { Specification } from '../specs/specification.js';

/** A file before grouping: everything but its asset. */
export type UngroupedFile = Omit<StoredFile, 'assetId'>;

/** Files grouped into assets, each validated once. */
export interface Grouping {
  /** Every file, with its asset id (null when it belongs to none), in path order. */
  readonly files: StoredFile[];
  readonly assets: StoredAsset[];
}

/** A file error with this field comes from grouping (no asset root), not from the file itself. */
export { assetIdOf, fileIdOf } from './ids.js';

export const ASSET_ROOT_FIELD = 'asset_root';

/** Asset errors with this field only repeat a file's own errors (the reason stays on the file). */
export const FILE_SUMMARY_FIELD = 'files';

const dirname = (p: string) => {
  const i = p.lastIndexOf('/');
  return i === -1 ? '' : p.slice(0, i);
};
const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Where a file's asset is: the file itself, its folder (sequence), or the root the spec finds (complex). */
export function assetPathOf(spec: Specification, path: string): { at?: string; error?: string } {
  switch (spec.assetType) {
    case 'file':
      return { at: path };
    case 'sequence':
      return { at: dirname(path) };
    case 'complex': {
      try {
        const root = spec.findAssetRoot!(path);
        if (root === undefined)
          return { error: `specification '${spec.name}' finds no asset root for this file` };
        if (typeof root !== 'string')
          return { error: `findAssetRoot of '${spec.name}' returned a non-string` };
        const clean = root.replace(/\/+$/, '');
        if (clean !== '' && path !== clean && !path.startsWith(clean + '/'))
          return {
            error: `findAssetRoot of '${spec.name}' returned '${root}', which does not contain the file`,
          };
        return { at: clean };
      } catch (err) {
        return { error: `findAssetRoot of '${spec.name}' failed: ${(err as Error).message}` };
      }
    }
  }
}

function pick(fields: NameMetadata, names: readonly FieldName[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of names) {
    const v = (fields as Record<string, unknown>)[f];
    if (v !== undefined) out[f] = v;
  }
  return out;
}

function runValidators(
  validators: readonly ((v: never) => string | undefined)[],
  value: unknown,
  field: string,
  errors: StoredError[],
): void {
  for (const validator of validators) {
    let problem: string | undefined;
    try {
      problem = (validator as (v: unknown) => string | undefined)(value);
    } catch (err) {
      problem = `validator failed: ${(err as Error).message}`;
    }
    if (problem !== undefined) errors.push({ field, message: `${field}: ${problem}` });
  }
}

/**
 * Groups files into assets and validates each asset once, all or nothing: one file with an error
 * makes the whole asset invalid (the reason stays on that file; the asset lists which files).
 * A sequence's folder name must equal the name built from its files' `assetNameFields`.
 */
export function groupAssets(
  files: readonly UngroupedFile[],
  specs: ReadonlyMap<string, LoadedSpecification>,
  grammar: NamingGrammar,
): Grouping {
  const groups = new Map<string, { spec: LoadedSpecification; files: number[] }>();
  const extra = new Map<number, StoredError>();
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const loaded = f.specification === null ? undefined : specs.get(f.specification);
    if (!loaded) continue;
    const where = assetPathOf(loaded.spec, f.path);
    if (where.at === undefined) {
      extra.set(i, { field: ASSET_ROOT_FIELD, message: where.error! });
      continue;
    }
    const group = groups.get(where.at);
    if (group) group.files.push(i);
    else groups.set(where.at, { spec: loaded, files: [i] });
  }

  const assetOf = new Array<string | null>(files.length).fill(null);
  const assets: StoredAsset[] = [];
  for (const [assetPath, group] of groups) {
    const spec = group.spec.spec;
    const members = group.files.map((i) => files[i]!);
    const errors: StoredError[] = [];
    for (const f of members) {
      if (f.specification !== spec.name)
        errors.push({
          field: 'specification',
          message: `${f.path}: specification '${f.specification}' differs from the asset's '${spec.name}'`,
        });
    }
    // The asset's name, from the first file whose name parsed; every file must name the same asset.
    const named = members.filter((f) => f.errors.every((e) => e.offset === undefined));
    let assetName = basename(assetPath);
    let metadata: Record<string, unknown> = {};
    if (named.length > 0) {
      metadata = pick(named[0]!.fields, spec.assetNameFields);
      try {
        assetName = formatName(metadata, spec.assetNameFields, grammar);
      } catch {
        // A name whose asset-name fields are missing: its file already carries the error.
      }
      const names = new Set(named.map((f) => JSON.stringify(pick(f.fields, spec.assetNameFields))));
      if (names.size > 1)
        errors.push({
          field: 'name',
          message: `files name ${names.size} different assets (fields ${spec.assetNameFields.join(', ')} differ)`,
        });
    }
    if (spec.assetType === 'sequence' && basename(assetPath) !== assetName)
      errors.push({
        field: 'name',
        message: `folder '${basename(assetPath) || '(ingress root)'}' does not match the asset name '${assetName}' built from its files`,
      });
    for (const [field, validators] of Object.entries(spec.assetValidators ?? {})) {
      const values = members.map((f) =>
        field in f.fields ? (f.fields as Record<string, unknown>)[field] : f.traits[field],
      );
      if (values.some((v) => v === undefined)) continue; // the files missing it are invalid already
      runValidators(validators, values, field, errors);
    }
    for (const check of spec.assetChecks ?? []) {
      let problem: string | undefined;
      try {
        problem = check({
          assetPath,
          assetName,
          files: members.map((f) => ({ path: f.path, fields: f.fields, traits: f.traits })),
        });
      } catch (err) {
        problem = `asset check failed: ${(err as Error).message}`;
      }
      if (problem !== undefined) errors.push({ field: 'asset', message: problem });
    }
    for (const f of members) {
      if (f.errors.length > 0)
        errors.push({
          field: FILE_SUMMARY_FIELD,
          message: `${f.path}: ${f.errors.map((e) => e.message).join('; ')}`,
        });
    }
    const fileIds = members.map((f) => f.fileId);
    const assetId = assetIdOf(assetPath, fileIds);
    for (const i of group.files) assetOf[i] = assetId;
    assets.push({
      assetId,
      assetName,
      assetPath,
      assetType: spec.assetType,
      specification: spec.name,
      valid: errors.length === 0,
      errors,
      fileIds,
      metadata,
    });
  }
  return {
    files: files.map((f, i) => {
      const more = extra.get(i);
      // Spelled out rather than spread: one object per file, 100,000 at a time, and the spread
      // was the biggest cost of grouping.
      return {
        fileId: f.fileId,
        assetId: assetOf[i]!,
        path: f.path,
        filename: f.filename,
        size: f.size,
        mtimeMs: f.mtimeMs,
        ino: f.ino,
        specification: f.specification,
        fields: f.fields,
        grammarVersion: f.grammarVersion,
        traits: f.traits,
        errors: more ? [...f.errors, more] : f.errors,
      };
    }),
    assets,
  };
}
