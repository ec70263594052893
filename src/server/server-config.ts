import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ComputeFunction } from '../api/index.js';

const CollectionEntry = z.strictObject({
  /** The ES module exporting the function, relative to the config file. */
  module: z.string().min(1),
  /** The export holding the function; default the collection's name. */
  export: z.string().min(1).optional(),
  code_version: z.string().min(1).default('0'),
  /** Worker threads per run (0: in the server's thread); default one per CPU. */
  threads: z.number().int().min(0).max(256).optional(),
});

const ServerConfigFile = z.strictObject({
  compute: z
    .strictObject({ collections: z.record(z.string().min(1), CollectionEntry).default({}) })
    .optional(),
});

/** A collection the server may compute: its function, loaded once at start. */
export interface ServedCollection {
  readonly name: string;
  readonly fn: ComputeFunction<unknown, unknown>;
  readonly module: string;
  readonly export: string;
  readonly codeVersion: string;
  readonly threads?: number;
}

/** What the server's own config names: today the computable collections. */
export interface ServerConfig {
  readonly collections: ReadonlyMap<string, ServedCollection>;
}

export const EMPTY_SERVER_CONFIG: ServerConfig = { collections: new Map() };

/**
 * Reads the server's config (YAML or JSON) and imports the compute modules it names, once, at
 * start: a request picks a collection by name and can never make the server load other code.
 */
export async function loadServerConfig(file: string): Promise<ServerConfig> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the server config ${file}: ${(err as Error).message}`, { file });
  }
  const parsed = ServerConfigFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`server config ${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`, {
      file,
      key: issue.path.join('.'),
    });
  }
  const collections = new Map<string, ServedCollection>();
  for (const [name, entry] of Object.entries(parsed.data.compute?.collections ?? {})) {
    const module = resolve(dirname(file), entry.module);
    const exportName = entry.export ?? name;
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(pathToFileURL(module).href)) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`server config ${file}: cannot import ${module}: ${(err as Error).message}`, {
        file,
        key: `compute.collections.${name}.module`,
      });
    }
    const fn = loaded[exportName];
    if (typeof fn !== 'function')
      throw new ConfigError(`server config ${file}: ${module} has no function export '${exportName}'`, {
        file,
        key: `compute.collections.${name}.export`,
      });
    collections.set(name, {
      name,
      fn: fn as ComputeFunction<unknown, unknown>,
      module,
      export: exportName,
      codeVersion: entry.code_version,
      threads: entry.threads,
    });
  }
  return { collections };
}
