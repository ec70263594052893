import { existsSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ResourceRecord } from '../../catalog/catalog.js';
import type { SectionValue } from '../../repo/commit/create-commit.js';
import { readHead } from '../../repo/refs/refs.js';
import type { Repository } from '../../repo/repository.js';
import { resourceType } from '../../repo/resources/types/index.js';
import { scanFolder, type ScannedFile } from '../../repo/worktree/scan-folder.js';
import { writeFileDurable } from '../../util/durable-fs.js';
import { getParam, resultsTemplates } from '../config/params.js';
import {
  executeMoves,
  removePlan,
  resourceRoots,
  rollbackMoves,
  writePlan,
  type MovePlan,
  type PlannedMove,
} from './move-plan.js';
import { filedAwayPattern, renderTemplate, templateValues } from './results-folder.js';

/** The results resources a snapshot files away: writable results folders (not git repositories). */
export async function resultsResources(repo: Repository): Promise<ResourceRecord[]> {
  return (await repo.catalog.listResources()).filter(
    (r) => r.role === 'results' && r.type !== 'git' && r.options.readOnly !== true,
  );
}

/** The new files of a results resource: those not inside an earlier snapshot's folder. */
export function newResultFiles(root: string, templates: readonly string[]) {
  const filed = templates.map(filedAwayPattern);
  return scanFolder(root).filter((f) => !filed.some((p) => p.test(f.path)));
}

/**
 * The entries to move: a top-level entry whose every file is new moves whole (one rename for a
 * folder of thousands of files); one holding filed-away results, or the one the snapshot folder
 * goes into, moves file by file.
 */
export function planMoves(
  files: readonly ScannedFile[],
  isNew: (path: string) => boolean,
  destinationTop: string,
): { entries: string[]; files: number } {
  const byTop = new Map<string, { total: number; fresh: string[] }>();
  for (const f of files) {
    const slash = f.path.indexOf('/');
    const top = slash < 0 ? f.path : f.path.slice(0, slash);
    let group = byTop.get(top);
    if (!group) byTop.set(top, (group = { total: 0, fresh: [] }));
    group.total++;
    if (isNew(f.path)) group.fresh.push(f.path);
  }
  const entries: string[] = [];
  let count = 0;
  for (const [top, group] of byTop) {
    count += group.fresh.length;
    if (group.fresh.length === 0) continue;
    if (top !== destinationTop && group.fresh.length === group.total) entries.push(top);
    else entries.push(...group.fresh);
  }
  return { entries, files: count };
}

/** A results move in progress: done before the commit, finished or undone after it. */
export interface ResultsMove {
  /** The snapshot folder, relative to each results resource; null when nothing moved. */
  readonly folder: string | null;
  readonly files: number;
  /** The commit's `results` section (null: this snapshot filed no results). */
  readonly section: SectionValue | null;
  /** Removes the durable plan once the commit is visible. */
  finish(): void;
  /** Moves everything back (the commit failed). */
  rollback(): void;
}

/**
 * Moves the new files of every results resource into the snapshot's folder (template
 * `results.template`), writing the plan durably first, and `lineage.json` beside them when the
 * snapshot has a lineage section. The caller commits, then calls `finish` (or `rollback`).
 */
export async function moveResults(
  repo: Repository,
  options: { readonly tags: readonly string[]; readonly lineage?: unknown },
): Promise<ResultsMove> {
  const { current: template, all: templates } = await resultsTemplates(repo);
  const host = (await getParam(repo, 'hostname')).value;
  const values = templateValues(host, options.tags);
  const roots: string[] = [];
  const moves: PlannedMove[] = [];
  let folder = renderTemplate(template, values);
  const candidates = await Promise.all(
    (await resultsResources(repo)).map(async (r) => {
      // Checked through its real path: results are moved only inside the repository.
      const root = resourceType(r.type).open(repo.root, r.path);
      return { root, files: existsSync(root) ? scanFolder(root) : [] };
    }),
  );
  const filed = templates.map(filedAwayPattern);
  const isNew = (path: string) => !filed.some((p) => p.test(path));
  const nonEmpty = candidates.filter((c) => c.files.some((f) => isNew(f.path)));
  const nothing: ResultsMove = { folder: null, files: 0, section: null, finish() {}, rollback() {} };
  if (nonEmpty.length === 0) return nothing;
  // A folder left by a deleted snapshot whose results were kept: never mix two snapshots' files.
  const taken = (f: string) =>
    nonEmpty.some((c) => existsSync(join(c.root, f)) && readdirSync(join(c.root, f)).length > 0);
  for (let n = 2; taken(folder); n++) folder = `${renderTemplate(template, values)}-${n}`;
  let files = 0;
  for (const c of nonEmpty) {
    roots.push(c.root);
    const planned = planMoves(c.files, isNew, folder.split('/')[0]!);
    files += planned.files;
    for (const path of planned.entries)
      moves.push({ from: join(c.root, path), to: join(c.root, folder, path) });
  }
  const head = await readHead(repo);
  const lineageFiles = options.lineage === undefined ? [] : roots.map((r) => join(r, folder, 'lineage.json'));
  const token = randomBytes(8).toString('hex');
  const plan: MovePlan = {
    version: 1,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    token,
    branch: head.branch,
    head: head.commit,
    folder,
    folders: roots.map((r) => join(r, folder)),
    moves,
    written: lineageFiles,
  };
  writePlan(repo, plan);
  executeMoves(plan, roots);
  for (const file of lineageFiles)
    writeFileDurable(file, JSON.stringify({ snapshot: folder, lineage: options.lineage }, null, 2) + '\n');
  return {
    folder,
    files,
    section: { folder, token, files, perCommit: true },
    finish: () => removePlan(repo),
    rollback: () => {
      rollbackMoves(plan, resourceRoots(plan));
      removePlan(repo);
    },
  };
}
