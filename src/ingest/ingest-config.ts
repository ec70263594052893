import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors/index.js';

const range = z
  .tuple([z.number().int().min(0), z.number().int().min(1)])
  .refine(([start, stop]) => start < stop, { message: 'expected [start, stop) with start < stop' });
const positive = z.number().int().min(1);

/** The ingest job config: this shape is the contract (extend it, never break it). */
const IngestConfigSchema = z
  .object({
    target: z
      .object({
        column: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,63}$/, 'expected a column name'),
        dtype: z.enum(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']),
        chunk: z.tuple([positive, positive, positive]),
        branch: z.string().min(1).optional(),
        /** The volume's size [x, y, z] or [x, y, z, t] when the job creates it (default: the extent's stops). */
        size: z
          .union([z.tuple([positive, positive, positive]), z.tuple([positive, positive, positive, positive])])
          .optional(),
        channels: positive.optional(),
        fill: z.number().optional(),
      })
      .strict(),
    extent: z.object({ x: range, y: range, z: range, t: range.optional() }).strict(),
    tile: z.tuple([positive, positive]),
    plugin: z
      .object({ name: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() })
      .strict(),
    retries: z.number().int().min(0).max(100).optional(),
    message: z.string().min(1).optional(),
    /** Tasks that fail for good end the job `completed_with_errors` instead of `failed`. */
    allowErrors: z.boolean().optional(),
  })
  .strict();

/** A checked ingest config. */
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

/** A config as the job record keeps it: checked, with the folder relative paths resolve from. */
export interface LoadedIngestConfig {
  readonly config: IngestConfig;
  /** Absolute folder of the config file (plugin paths and params resolve from here). */
  readonly baseDir: string;
}

/** Checks a parsed config; the first problem is a `ConfigError` naming its key. */
export function checkIngestConfig(value: unknown, where = 'ingest config'): IngestConfig {
  const result = IngestConfigSchema.safeParse(value);
  if (result.success) {
    const config = result.data;
    const [tx, ty] = config.tile;
    const [cx, cy] = config.target.chunk;
    if (cx % tx !== 0 || cy % ty !== 0) {
      throw new ConfigError(
        `${where} key 'tile': tile [${tx}, ${ty}] does not divide the chunk [${cx}, ${cy}] in x and y`,
        {
          key: 'tile',
        },
      );
    }
    return config;
  }
  const issue = result.error.issues[0]!;
  const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  throw new ConfigError(`${where} key '${key}': ${issue.message}`, { key, issue: issue.message });
}

/** Reads and checks a config file (`.json`, `.yaml` or `.yml`). */
export function loadIngestConfig(path: string): LoadedIngestConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ingest config ${abs}: ${(err as Error).message}`, { path: abs });
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(abs) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `ingest config ${abs} is not valid ${/\.ya?ml$/i.test(abs) ? 'YAML' : 'JSON'}: ${(err as Error).message}`,
      {
        path: abs,
      },
    );
  }
  return { config: checkIngestConfig(value, `ingest config ${abs}`), baseDir: dirname(abs) };
}
