/**
 * The ingest pipeline's entry for the CLI: loaded lazily (by URL, outside the CLI bundle) so zod,
 * yaml, sharp and the worker pool cost nothing to commands that do not use them.
 */
import { NotFoundError } from '../../errors/index.js';
import { redactSecrets } from '../config/redact.js';
import type { AssetStoreOpener } from '../asset-store-port.js';
import type { FieldName, NamingGrammar } from '../naming/grammar.js';
import { buildAssetGraph, type GraphNode } from '../graph/asset-graph.js';
import { searchAssets, type SearchAssetsOptions } from '../search/search-assets.js';
import { searchPage, type SearchPageResult } from '../search/search-page.js';
import { loadSpecifications } from '../specs/load-specifications.js';
import { ingressRoot, loadAssetConfig, type LoadedAssetConfig } from './config-source.js';
import { updateAssets, type UpdateReport } from './update-assets.js';

export { loadAssetConfig, ingressRoot, DEFAULT_CONFIG_FILE } from './config-source.js';
export type { LoadedAssetConfig } from './config-source.js';
export { checkGraphFormat, graphToDot } from '../graph/asset-graph.js';
export type { GraphNode } from '../graph/asset-graph.js';
export type { UpdateReport, UpdateError } from './update-assets.js';
export type { SearchPageResult } from '../search/search-page.js';

/** Options of `runUpdate`. */
export interface RunUpdateOptions {
  /** `--config FILE` (relative to `cwd`). */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly threads?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the update before it writes the tables. */
  readonly signal?: AbortSignal;
}

/** `strata assets update`: the config, its specifications, the ingress folder, the tables. */
export async function runUpdate(
  repositoryRoot: string,
  tables: AssetStoreOpener,
  options: RunUpdateOptions = {},
): Promise<UpdateReport> {
  const loaded = loadAssetConfig(repositoryRoot, options.configPath, options.env, options.cwd);
  const specs = await loadSpecifications(loaded.config.specification_files, loaded.baseDir, loaded.grammar);
  const store = await tables.open();
  try {
    return await updateAssets({
      store,
      ingress: ingressRoot(repositoryRoot, loaded.config),
      specs,
      grammar: loaded.grammar,
      include: loaded.config.include_regex,
      exclude: loaded.config.exclude_regex,
      threads: options.threads ?? loaded.config.workers,
      onProgress: options.onProgress,
      signal: options.signal,
    });
  } finally {
    await store.close();
  }
}

async function requireTables(tables: AssetStoreOpener): Promise<void> {
  if (!(await tables.updated()))
    throw new NotFoundError('no asset tables yet: run `strata assets update` first', {
      what: 'asset tables',
    });
}

/** Options of `runSearch`: the search's own (they win over the config's `search` limits) and where the config is. */
export interface RunSearchOptions extends SearchAssetsOptions {
  /** `--config FILE` (relative to `cwd`); else the usual places. A missing config means defaults. */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The asset config's `search` limits as search options, or none without a config. */
function configuredLimits(repositoryRoot: string, options: RunSearchOptions): SearchAssetsOptions {
  let loaded: LoadedAssetConfig;
  try {
    loaded = loadAssetConfig(repositoryRoot, options.configPath, options.env, options.cwd);
  } catch (err) {
    if (options.configPath === undefined && (err as { data?: { key?: string } }).data?.key === 'config')
      return {};
    throw err;
  }
  const limits = loaded.config.search ?? {};
  return { timeoutSeconds: limits.timeout_seconds, maxRows: limits.max_rows, maxBytes: limits.max_bytes };
}

/**
 * `strata assets search`: rows of one read-only statement over `data`, within the limits given,
 * else the config's (`search.timeout_seconds`, `search.max_rows`, `search.max_bytes`), else the defaults.
 */
export async function runSearch(
  repositoryRoot: string,
  tables: AssetStoreOpener,
  sql: string,
  options: RunSearchOptions = {},
): Promise<Record<string, unknown>[]> {
  await requireTables(tables);
  const configured = configuredLimits(repositoryRoot, options);
  const store = await tables.open();
  try {
    return await searchAssets(store, sql, {
      grouping: options.grouping,
      timeoutSeconds: options.timeoutSeconds ?? configured.timeoutSeconds,
      maxRows: options.maxRows ?? configured.maxRows,
      maxBytes: options.maxBytes ?? configured.maxBytes,
    });
  } finally {
    await store.close();
  }
}

/**
 * One page of a search and the size of the whole result (the server's `/api/assets` and
 * `/api/assets/search`): the database pages (see `searchPage`), so a page of 10⁶ rows costs a
 * page, not the result. Limits and refusals as for `runSearch`.
 */
export async function runSearchPage(
  repositoryRoot: string,
  tables: AssetStoreOpener,
  sql: string,
  options: RunSearchOptions & { readonly offset: number; readonly limit: number; readonly count?: boolean },
): Promise<SearchPageResult> {
  await requireTables(tables);
  const configured = configuredLimits(repositoryRoot, options);
  const store = await tables.open();
  try {
    const limits = {
      grouping: options.grouping,
      timeoutSeconds: options.timeoutSeconds ?? configured.timeoutSeconds,
      maxRows: options.maxRows ?? configured.maxRows,
      maxBytes: options.maxBytes ?? configured.maxBytes,
    };
    return await searchPage(sql, options, (statement) => searchAssets(store, statement, limits));
  } finally {
    await store.close();
  }
}

/** `strata assets graph`: the tree of folders and assets with validity. */
export async function runGraph(tables: AssetStoreOpener): Promise<GraphNode> {
  await requireTables(tables);
  const store = await tables.open();
  try {
    return buildAssetGraph(await store.files(), await store.assets());
  } finally {
    await store.close();
  }
}

/** What `strata assets parse --config` needs: the grammar and each specification's filename fields. */
export async function parseContext(
  repositoryRoot: string | undefined,
  configPath: string | undefined,
  cwd: string = process.cwd(),
): Promise<{ grammar: NamingGrammar; fieldsOf: Map<string, readonly FieldName[]> } | undefined> {
  let loaded: LoadedAssetConfig;
  if (repositoryRoot === undefined && configPath === undefined) return undefined;
  try {
    loaded = loadAssetConfig(repositoryRoot ?? cwd, configPath, process.env, cwd);
  } catch (err) {
    // Without --config, a repository without an asset config simply has no specifications.
    if (configPath === undefined && (err as { data?: { key?: string } }).data?.key === 'config')
      return undefined;
    throw err;
  }
  const specs = await loadSpecifications(loaded.config.specification_files, loaded.baseDir, loaded.grammar);
  const fieldsOf = new Map<string, readonly FieldName[]>();
  for (const [name, s] of specs.byName) fieldsOf.set(name, s.spec.filenameFields);
  return { grammar: loaded.grammar, fieldsOf };
}

/** The config as it may be shown: secrets (keys matching `redact_regex`) replaced. */
export function redactedConfig(loaded: LoadedAssetConfig): unknown {
  return redactSecrets(loaded.config, loaded.config.redact_regex, loaded.config.redact_hash);
}
