import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../../errors/index.js';
import type { Exporter } from '../exporter.js';

/**
 * Loads a custom exporter (config: `name: module`): a JavaScript module exporting
 * `createExporter(options)` that returns an object with the Exporter port's shape (`name`,
 * `export(source, options)`, `close()`). This is how targets Strata has no adapter for (a Girder
 * server, a catalogue service) plug in; retries, redaction and reporting stay Strata's.
 *
 * @example
 * ```js
 * // girder-exporter.mjs
 * export function createExporter(options) {
 *   return { name: 'girder', async export(source, { metadataTypes }) { ... }, async close() {} };
 * }
 * ```
 */
export async function loadExporterModule(
  path: string,
  options: Readonly<Record<string, unknown>>,
): Promise<Exporter> {
  if (!existsSync(path)) throw new ConfigError(`exporter module ${path} does not exist`, { module: path });
  const loaded = (await import(pathToFileURL(path).href)) as { createExporter?: unknown };
  if (typeof loaded.createExporter !== 'function') {
    throw new ConfigError(`exporter module ${path} does not export a createExporter(options) function`, {
      module: path,
    });
  }
  const exporter = (await (loaded.createExporter as (o: unknown) => unknown)(
    options,
  )) as Partial<Exporter> | null;
  if (!exporter || typeof exporter.export !== 'function' || typeof exporter.name !== 'string') {
    throw new ConfigError(
      `exporter module ${path}: createExporter must return { name, export(source, options), close() }`,
      { module: path },
    );
  }
  return {
    name: exporter.name,
    export: exporter.export.bind(exporter),
    close: exporter.close?.bind(exporter) ?? (async () => undefined),
  };
}
