import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { explainForeignKeys } from './foreign-keys.js';
import { ConfigError } from '../../errors/index.js';

const WORKFLOW_STEPS = ['delete', 'update', 'create', 'export'] as const;
const METADATA_TYPES = ['asset', 'file', 'asset-chunk', 'file-chunk'] as const;

/** A regular expression given as a string; compiled to check it. */
const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

/** A path with no `..` segment: configs name folders, never climb out of them. */
const safePath = z
  .string()
  .min(1)
  .refine((p) => !p.split(/[\\/]/).includes('..'), { message: "must not contain '..'" });

const retry = z.object({
  attempts: z.number().int().min(1).max(100).default(3),
  backoff_ms: z.number().int().min(0).default(500),
});

const exporter = z.discriminatedUnion('name', [
  z.object({
    name: z.literal('module'),
    /** A JavaScript module (relative to the repository root) exporting `createExporter(options)`. */
    module: safePath,
    options: z.record(z.string(), z.unknown()).default({}),
    metadata_types: z.array(z.enum(METADATA_TYPES)).default(['asset', 'file']),
    retry: retry.default({ attempts: 3, backoff_ms: 500 }),
  }),
  z.object({
    name: z.literal('disk'),
    target_directory: safePath,
    metadata_types: z.array(z.enum(METADATA_TYPES)).default(['asset', 'file']),
    retry: retry.default({ attempts: 3, backoff_ms: 500 }),
  }),
  z.object({
    name: z.literal('s3'),
    bucket: z.string().min(3),
    region: z.string().default('us-east-1'),
    endpoint: z.string().optional(),
    access_key: z.string().optional(),
    secret_key: z.string().optional(),
    metadata_types: z.array(z.enum(METADATA_TYPES)).default(['asset', 'file']),
    retry: retry.default({ attempts: 3, backoff_ms: 500 }),
  }),
  z.object({
    name: z.literal('postgres'),
    url: z.string().min(1),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('public'),
    metadata_types: z.array(z.enum(METADATA_TYPES)).default(['asset', 'file']),
    retry: retry.default({ attempts: 3, backoff_ms: 500 }),
  }),
]);

const webhook = z.object({
  url: z.string().url(),
  method: z.enum(['get', 'post', 'put', 'patch', 'delete']).default('post'),
  headers: z.record(z.string(), z.string()).default({}),
  json: z.unknown().optional(),
  data: z.unknown().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  timeout: z.number().positive().default(10),
  retry: retry.default({ attempts: 3, backoff_ms: 500 }),
});

/** Limits of `assets search` (defaults: 10 s, 100,000 rows, 64 MiB); the CLI's flags win over them. */
const search = z
  .object({
    timeout_seconds: z.number().positive().max(86_400).optional(),
    max_rows: z.number().int().min(1).optional(),
    max_bytes: z.number().int().min(1).optional(),
  })
  .strict();

/**
 * The asset-ingest config, in the seed's vocabulary (snake_case keys), with Strata's changes: a
 * worker count instead of a Dask cluster, naming-grammar overrides, and `postgres` among the
 * exporters. Unknown keys are refused, so a typo never silently does nothing.
 */
export const assetConfigSchema = z
  .object({
    ingress_directory: safePath,
    staging_directory: safePath,
    specification_files: z.array(safePath).default([]),
    include_regex: regex.default(''),
    exclude_regex: regex.default('\\.DS_Store'),
    write_mode: z.enum(['copy', 'move']).default('copy'),
    redact_regex: regex.default('(_key|_id|_token|url|password)$'),
    redact_hash: z.boolean().default(false),
    workflow: z.array(z.enum(WORKFLOW_STEPS)).default(['delete', 'update', 'create', 'export']),
    workers: z.number().int().min(1).max(256).optional(),
    naming: z.record(z.string(), z.unknown()).optional(),
    exporters: z.array(exporter).default([]),
    webhooks: z.array(webhook).default([]),
    search: search.optional(),
  })
  .strict();

export type AssetConfig = z.infer<typeof assetConfigSchema>;

/** Checks a config object; the first problem becomes a ConfigError naming its key path. */
export function checkAssetConfig(value: unknown, source = 'config'): AssetConfig {
  explainForeignKeys(value, source);
  const result = assetConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new ConfigError(`${source}: ${key}: ${issue.message}`, { source, key, problem: issue.message });
}

/** Reads a config file: YAML (`.yaml`, `.yml`) or JSON (`.json`), then checks it. */
export function readAssetConfig(path: string): AssetConfig {
  if (path.split(/[\\/]/).includes('..')) {
    throw new ConfigError(`config path '${path}' must not contain '..'`, { path });
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`, { path });
  }
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `config ${path} is not valid ${extname(path).slice(1) || 'JSON'}: ${(err as Error).message.split('\n')[0]}`,
      { path },
    );
  }
  return checkAssetConfig(value, path);
}

/**
 * The config from environment variables: `STRATA_CONFIG_FILEPATH` names a file and wins over the
 * rest; otherwise `STRATA_<KEY>` for each top-level key (`STRATA_INGRESS_DIRECTORY`, …), with
 * lists and objects (`STRATA_WORKFLOW`, `STRATA_EXPORTERS`, …) written as YAML.
 */
export function assetConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AssetConfig {
  if (env.STRATA_CONFIG_FILEPATH) return readAssetConfig(env.STRATA_CONFIG_FILEPATH);
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(assetConfigSchema.shape)) {
    const raw = env[`STRATA_${key.toUpperCase()}`];
    if (raw === undefined) continue;
    const structured = [
      'specification_files',
      'workflow',
      'exporters',
      'webhooks',
      'naming',
      'redact_hash',
      'workers',
      'search',
    ];
    try {
      value[key] = structured.includes(key) ? parseYaml(raw) : raw;
    } catch (err) {
      throw new ConfigError(
        `STRATA_${key.toUpperCase()} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
        { key },
      );
    }
  }
  return checkAssetConfig(value, 'environment');
}
