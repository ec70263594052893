import { CorruptObjectError } from '../errors/index.js';
import type { SectionValue } from '../repo/commit/create-commit.js';
import {
  clearStagedSection,
  readStagedSection,
  writeStagedSection,
} from '../repo/maintenance/staged-roots.js';
import type { RootTree } from '../repo/objects/commit-object.js';
import type { Repository } from '../repo/repository.js';
import type { ObjectId } from '../util/hash.js';
import type { ColumnSchema } from './schema.js';

/** A column's state in a commit (or staged): its schema, index root, sample count and data chunks. */
export interface ColumnRecord {
  readonly schema: ColumnSchema;
  /** Root of the Merkle map canonical key → entry. */
  readonly index: ObjectId;
  readonly count: number;
  /** Every data chunk an entry may point into (entries keep an 8-byte prefix of these ids). */
  readonly chunks: readonly ObjectId[];
}

/** The root-tree section name. */
export const COLUMNS_SECTION = 'columns';

/** The section value for a set of columns: the records, plus the objects gc and fsck must reach. */
export function columnsSection(records: Readonly<Record<string, ColumnRecord>>): SectionValue {
  const names = Object.keys(records).sort();
  return {
    columns: Object.fromEntries(names.map((n) => [n, records[n]!])),
    refs: [...new Set(names.flatMap((n) => records[n]!.chunks))],
    maps: names.map((n) => records[n]!.index),
  };
}

/** The columns recorded in a root tree (none when it has no columns section). */
export function readColumns(tree: RootTree, where: string): Record<string, ColumnRecord> {
  return readColumnsSection(tree[COLUMNS_SECTION], where);
}

/** The columns recorded in a columns section value (none when it is undefined). */
export function readColumnsSection(value: unknown, where: string): Record<string, ColumnRecord> {
  const section = value as { columns?: unknown } | undefined;
  if (section === undefined) return {};
  if (typeof section !== 'object' || section === null || typeof section.columns !== 'object') {
    throw new CorruptObjectError(`the columns section of ${where} is malformed`, { where });
  }
  return section.columns as Record<string, ColumnRecord>;
}

/**
 * Column changes staged on a branch and not committed: for each changed column its new record,
 * or null when it was removed. Kept as one catalog row of this working folder, replaced
 * atomically, so a crash leaves either the previous staging or the new one; its `refs` and `maps`
 * keep the staged data alive through gc.
 */
export interface ColumnStage {
  readonly branch: string;
  /** The branch head the staging was made on. */
  readonly base: ObjectId | null;
  readonly columns: Readonly<Record<string, ColumnRecord | null>>;
}

/** This working folder's column staging on a branch, if any. */
export async function readColumnStage(repo: Repository, branch: string): Promise<ColumnStage | undefined> {
  const text = await readStagedSection(repo, branch, COLUMNS_SECTION);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as ColumnStage;
    if (value.branch !== branch || typeof value.columns !== 'object') throw new Error('unexpected content');
    return value;
  } catch (err) {
    throw new CorruptObjectError(
      `the staged columns of branch '${branch}' are unreadable: ${(err as Error).message}`,
      { branch },
    );
  }
}

export async function writeColumnStage(repo: Repository, stage: ColumnStage): Promise<void> {
  const live = Object.fromEntries(Object.entries(stage.columns).filter(([, r]) => r !== null)) as Record<
    string,
    ColumnRecord
  >;
  const { refs, maps } = columnsSection(live);
  await writeStagedSection(repo, stage.branch, COLUMNS_SECTION, JSON.stringify({ ...stage, refs, maps }));
}

export async function clearColumnStage(repo: Repository, branch: string): Promise<void> {
  await clearStagedSection(repo, branch, COLUMNS_SECTION);
}

/** The committed columns with the staged changes applied. */
export function applyStage(
  committed: Readonly<Record<string, ColumnRecord>>,
  stage: ColumnStage | undefined,
): Record<string, ColumnRecord> {
  const out: Record<string, ColumnRecord> = { ...committed };
  for (const [name, record] of Object.entries(stage?.columns ?? {})) {
    if (record === null) delete out[name];
    else out[name] = record;
  }
  return out;
}
