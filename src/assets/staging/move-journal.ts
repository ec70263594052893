import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError } from '../../errors/index.js';
import { fsyncDir, writeFileDurable } from '../../util/durable-fs.js';
import { copyWhole, type MoveEntry } from './move-files.js';
import { STAGING_TEMP_PREFIX } from './staging-layout.js';

/**
 * The move journal: the list of planned moves, written durably before the first file moves and
 * removed only after the staged result is committed. Its presence means a move was interrupted.
 */
interface MoveJournal {
  readonly version: 1;
  /** `copy` journals only mark targets that may be torn; `move` journals guard the only copy. */
  readonly mode: 'copy' | 'move';
  readonly created: string;
  readonly entries: readonly MoveEntry[];
}

/** What the next run does with an interrupted move. */
export type RecoveryPolicy = 'finish' | 'rollback';

/** What recovery found and did. */
export interface RecoveryReport {
  readonly policy: RecoveryPolicy;
  readonly entries: number;
  /** Files moved (finish) or moved back (rollback) by the recovery. */
  readonly moved: number;
  /** Duplicate copies removed (a cross-device move stopped between rename and unlink). */
  readonly deduplicated: number;
  /** Paths found in neither place (should never happen; reported rather than hidden). */
  readonly missing: readonly string[];
}

/** Writes the journal durably (temp, fsync, rename, fsync of its folder). */
export function writeMoveJournal(
  path: string,
  entries: readonly MoveEntry[],
  mode: 'copy' | 'move' = 'move',
): void {
  const journal: MoveJournal = { version: 1, mode, created: new Date().toISOString(), entries };
  writeFileDurable(path, JSON.stringify(journal));
}

/** The journal's entries, or undefined when no move is pending. */
export function readMoveJournal(path: string): MoveJournal | undefined {
  if (!existsSync(path)) return undefined;
  let journal: MoveJournal;
  try {
    journal = JSON.parse(readFileSync(path, 'utf8')) as MoveJournal;
  } catch (err) {
    throw new ConflictError(`move journal ${path} is unreadable: ${(err as Error).message}`, { path });
  }
  if (journal.version !== 1 || !Array.isArray(journal.entries)) {
    throw new ConflictError(`move journal ${path} has an unknown format`, { path });
  }
  return journal;
}

/** Removes the journal: the moves it lists are final. */
export function removeMoveJournal(path: string): void {
  rmSync(path, { force: true });
  fsyncDir(dirname(path));
}

function removeTempFiles(dirs: Iterable<string>): void {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names)
      if (name.startsWith(STAGING_TEMP_PREFIX)) rmSync(join(dir, name), { force: true });
  }
}

async function moveOne(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyWhole(from, to);
    fsyncDir(dirname(to));
    await unlink(from);
  }
}

/**
 * An interrupted copy-mode staging: sources are intact, but a target may be torn (copies go
 * straight to their place for speed), so every listed target is removed; the next create copies
 * again.
 */
async function recoverCopies(journalPath: string, entries: readonly MoveEntry[]): Promise<RecoveryReport> {
  const dirs = new Set(entries.map((e) => dirname(e.to)));
  removeTempFiles(dirs);
  for (const { to } of entries) rmSync(to, { force: true });
  removeMoveJournal(journalPath);
  return { policy: 'rollback', entries: entries.length, moved: 0, deduplicated: 0, missing: [] };
}

/**
 * Brings an interrupted move to a clean state, file by file: `finish` completes every move,
 * `rollback` puts every file back at its source. A target only ever appears whole (rename of a
 * fsynced temp), so a file present at its target is complete; one present in both places is the
 * cross-device case stopped before the unlink. Leftover temp files are removed. The journal is
 * removed at the end, so a crash during recovery is recovered again by the next run.
 */
export async function recoverMoves(
  journalPath: string,
  policy: RecoveryPolicy,
): Promise<RecoveryReport | undefined> {
  const journal = readMoveJournal(journalPath);
  if (!journal) return undefined;
  const entries = journal.entries;
  if (journal.mode === 'copy') return recoverCopies(journalPath, entries);
  const dirs = new Set<string>();
  for (const e of entries) dirs.add(dirname(e.to)).add(dirname(e.from));
  removeTempFiles(dirs);
  let moved = 0;
  let deduplicated = 0;
  const missing: string[] = [];
  for (const { from, to } of entries) {
    const atSource = existsSync(from);
    const atTarget = existsSync(to);
    if (atSource && atTarget) {
      await unlink(policy === 'finish' ? from : to);
      deduplicated++;
    } else if (policy === 'finish' && atSource) {
      await moveOne(from, to);
      moved++;
    } else if (policy === 'rollback' && atTarget) {
      await moveOne(to, from);
      moved++;
    } else if (!atSource && !atTarget) {
      missing.push(from);
    }
  }
  for (const dir of dirs) if (existsSync(dir)) fsyncDir(dir);
  removeMoveJournal(journalPath);
  return { policy, entries: entries.length, moved, deduplicated, missing };
}
