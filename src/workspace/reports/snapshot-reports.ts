import { readFileContent } from '../../repo/objects/file-content.js';
import { existsSync } from 'node:fs';
import { NotFoundError } from '../../errors/index.js';
import { readPrefix } from '../../repo/merkle/read-map.js';
import { decodeFileEntry } from '../../repo/objects/file-entry.js';
import { readCommit, readCommitTree } from '../../repo/objects/read-objects.js';
import { resolveRevision } from '../../repo/refs/refs.js';
import type { Repository } from '../../repo/repository.js';
import { resourceType } from '../../repo/resources/types/index.js';
import { status } from '../../repo/worktree/status.js';
import type { ObjectId } from '../../util/hash.js';
import { resultsTemplates } from '../config/params.js';
import { ownMetrics, readNewMetrics } from '../metrics/metrics-provider.js';
import { ownSection } from '../metrics/own-sections.js';
import type { MetricValue } from '../metrics/read-metrics.js';
import { recoverResultsMove, type RecoveryOutcome } from '../results/move-plan.js';
import { newResultFiles, resultsResources } from '../results/take-results.js';

/** `report status`: the workspace now. */
export interface WorkspaceStatus {
  readonly branch: string | null;
  readonly head: ObjectId | null;
  /** What recovery did with a results move left by a killed snapshot. */
  readonly recovery: RecoveryOutcome;
  readonly resources: readonly {
    readonly name: string;
    readonly type: string;
    readonly role: string;
    readonly path: string;
    readonly readOnly: boolean;
    readonly changes: number;
    readonly git?: unknown;
  }[];
  /** Result files the next snapshot will file away, per results resource. */
  readonly newResults: Readonly<Record<string, number>>;
  /** Metrics in the new results.json files. */
  readonly pendingMetrics: Readonly<Record<string, MetricValue>>;
}

export async function workspaceStatus(repo: Repository): Promise<WorkspaceStatus> {
  const recovery = await recoverResultsMove(repo);
  const report = await status(repo);
  const templates = (await resultsTemplates(repo)).all;
  const newResults: Record<string, number> = {};
  for (const r of await resultsResources(repo)) {
    const root = resourceType(r.type).locate(repo.root, r.path);
    newResults[r.name] = existsSync(root) ? newResultFiles(root, templates).length : 0;
  }
  const resources = (await repo.catalog.listResources()).map((r) => {
    const type = resourceType(r.type);
    const abs = type.locate(repo.root, r.path);
    return {
      name: r.name,
      type: r.type,
      role: r.role,
      path: r.path,
      readOnly: r.options.readOnly === true,
      changes: report.changes.filter((c) => c.resource === r.name).length,
      ...(existsSync(abs) && type.describe ? type.describe(abs) : {}),
    };
  });
  return {
    branch: report.branch,
    head: report.commit,
    recovery,
    resources,
    newResults,
    pendingMetrics: (await readNewMetrics(repo))?.values ?? {},
  };
}

/** `report results`: what one snapshot filed away. */
export interface ResultsReport {
  readonly id: ObjectId;
  readonly folder: string | null;
  readonly metrics: Readonly<Record<string, MetricValue>>;
  /** The parameters the results files recorded (`parameters` of results.json). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /**
   * The general properties of the results files besides metrics and parameters (step, start time,
   * duration, description, ...), as recorded.
   */
  readonly properties: Readonly<Record<string, unknown>>;
  /** Files of the snapshot's results folder, as `resource/path`. */
  readonly files: readonly string[];
}

/**
 * `report results`: what a snapshot filed away — its results folder, the files in it, their
 * metrics, parameters and other properties. `resource` limits it to one results resource.
 */
export async function resultsReport(
  repo: Repository,
  revision = 'HEAD',
  options: { readonly resource?: string } = {},
): Promise<ResultsReport> {
  const { commit: id } = await resolveRevision(repo, revision);
  const tree = await readCommitTree(repo, id);
  if (options.resource !== undefined && tree.resources[options.resource]?.role !== 'results') {
    throw new NotFoundError(
      `snapshot ${id.slice(0, 12)} has no results resource named '${options.resource}'`,
      {
        what: 'resource',
        name: options.resource,
      },
    );
  }
  const own = await ownSection(repo, id, tree, 'results');
  const folder = (own as { folder?: string } | undefined)?.folder ?? null;
  const files: string[] = [];
  const parameters: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  if (folder) {
    for (const [name, snap] of Object.entries(tree.resources)) {
      if (snap.role !== 'results' || (options.resource !== undefined && name !== options.resource)) continue;
      for (const entry of await readPrefix(repo.nodes, snap.map, folder + '/')) {
        files.push(`${name}/${entry.key}`);
        if (!entry.key.endsWith('/results.json') || (snap.content ?? 'stored') !== 'stored') continue;
        const results = parseResults(await readFileContent(repo.store, decodeFileEntry(entry.value)));
        for (const [key, value] of Object.entries(results)) {
          if (key === 'metrics') continue;
          if (key === 'parameters' && typeof value === 'object' && value !== null)
            Object.assign(parameters, value);
          else properties[key] = value;
        }
      }
    }
  }
  return { id, folder, metrics: await ownMetrics(repo, id), parameters, properties, files };
}

/** A results.json's top-level object; anything else (a hand-written file) counts as empty. */
function parseResults(bytes: Uint8Array): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** `report lineage`: the lineage section a snapshot stored, as is (undefined when none). */
export async function lineageReport(
  repo: Repository,
  revision = 'HEAD',
): Promise<{ id: ObjectId; message: string; lineage: unknown }> {
  const { commit: id } = await resolveRevision(repo, revision);
  const tree = await readCommitTree(repo, id);
  return { id, message: (await readCommit(repo, id)).message, lineage: tree.lineage };
}

/** A metric that differs between two snapshots. */
export interface MetricChange {
  readonly name: string;
  readonly before?: MetricValue;
  readonly after?: MetricValue;
}

/** The metrics that differ from revision `a` to revision `b`. */
export async function diffMetrics(repo: Repository, a: string, b: string): Promise<MetricChange[]> {
  const before = await ownMetrics(repo, (await resolveRevision(repo, a)).commit);
  const after = await ownMetrics(repo, (await resolveRevision(repo, b)).commit);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names
    .filter((n) => before[n] !== after[n])
    .map((name) => ({ name, before: before[name], after: after[name] }));
}

/** A resource-level change between two snapshots that file changes do not show. */
export interface ResourceChange {
  readonly resource: string;
  /** `added` / `removed` resource, `git` (another HEAD commit or dirtiness), `registration` (role, type, path). */
  readonly change: 'added' | 'removed' | 'git' | 'registration';
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Resources added, removed, re-registered, or whose git state moved, from `a` to `b`. */
export async function diffResources(repo: Repository, a: string, b: string): Promise<ResourceChange[]> {
  const left = (await readCommitTree(repo, (await resolveRevision(repo, a)).commit)).resources;
  const right = (await readCommitTree(repo, (await resolveRevision(repo, b)).commit)).resources;
  const out: ResourceChange[] = [];
  for (const name of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
    const l = left[name];
    const r = right[name];
    if (!l) out.push({ resource: name, change: 'added', after: { type: r!.type, role: r!.role } });
    else if (!r) out.push({ resource: name, change: 'removed', before: { type: l.type, role: l.role } });
    else if (l.type !== r.type || l.role !== r.role || l.path !== r.path)
      out.push({
        resource: name,
        change: 'registration',
        before: { type: l.type, role: l.role, path: l.path },
        after: { type: r.type, role: r.role, path: r.path },
      });
    else if (JSON.stringify(l.extra ?? null) !== JSON.stringify(r.extra ?? null))
      out.push({ resource: name, change: 'git', before: l.extra?.git, after: r.extra?.git });
  }
  return out;
}
