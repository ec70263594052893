import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import type { SectionValue } from '../../repo/commit/create-commit.js';
import type { SectionContext, SectionProvider } from '../../repo/commit/section-provider.js';
import { readCommitTree } from '../../repo/objects/read-objects.js';
import type { Repository } from '../../repo/repository.js';
import type { ObjectId } from '../../util/hash.js';
import { resourceType } from '../../repo/resources/types/index.js';
import { resultsTemplates } from '../config/params.js';
import { newResultFiles, resultsResources } from '../results/take-results.js';
import { ownSection } from './own-sections.js';
import { readResultsFile, type MetricValue } from './read-metrics.js';

/** The `metrics` section of a commit. */
export interface MetricsSection extends SectionValue {
  readonly values: Readonly<Record<string, MetricValue>>;
  /** The results.json files read, as `resource/path`. */
  readonly sources: readonly string[];
  /** Metrics belong to the snapshot whose results produced them: never inherited by a child. */
  readonly perCommit: true;
}

/**
 * Reads the metrics of the new `results.json` files of every results resource (those the snapshot
 * is about to file away). One at a resource's top keeps its names; one in a subfolder prefixes
 * them with that folder (`sub/accuracy`); the first file to name a metric wins.
 */
export async function readNewMetrics(repo: Repository): Promise<MetricsSection | undefined> {
  const templates = (await resultsTemplates(repo)).all;
  const values: Record<string, MetricValue> = {};
  const sources: string[] = [];
  for (const r of await resultsResources(repo)) {
    const root = resourceType(r.type).open(repo.root, r.path);
    if (!existsSync(root)) continue;
    for (const f of newResultFiles(root, templates)) {
      // A symbolic link named results.json is versioned as a link, never followed and read.
      if (posix.basename(f.path) !== 'results.json' || f.linkTarget) continue;
      const shown = `${r.name}/${f.path}`;
      const dir = posix.dirname(f.path);
      for (const [k, v] of Object.entries(readResultsFile(f.abs, shown))) {
        const key = dir === '.' ? k : `${dir}/${k}`;
        if (!(key in values)) values[key] = v;
      }
      sources.push(shown);
    }
  }
  return sources.length === 0 ? undefined : { values, sources, perCommit: true };
}

/** The section provider that stores the metrics found in results with each snapshot. */
export const metricsProvider: SectionProvider = {
  section: 'metrics',
  perSnapshot: true,
  prepare: (context: SectionContext) => readNewMetrics(context.repo),
};

/** The metrics a commit's root tree holds ({} when none). */
export function metricsOf(tree: Readonly<Record<string, unknown>>): Readonly<Record<string, MetricValue>> {
  const section = tree.metrics as { values?: Record<string, MetricValue> } | undefined;
  return section?.values ?? {};
}

/**
 * The metrics of a commit's own results ({} for a merge, a column commit or a snapshot that filed
 * no new results.json), even in commits made before metrics were marked per-commit.
 */
export async function ownMetrics(
  repo: Repository,
  id: ObjectId,
): Promise<Readonly<Record<string, MetricValue>>> {
  const tree = await readCommitTree(repo, id);
  return metricsOf({ metrics: await ownSection(repo, id, tree, 'metrics') });
}
