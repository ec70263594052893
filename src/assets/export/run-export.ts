import { resolve } from 'node:path';
import type { AssetConfig } from '../config/asset-config.js';
import type { MetadataType } from '../staging/staging-layout.js';
import { describeError } from './describe-error.js';
import type { Exporter } from './exporter.js';
import { redactText } from './redact-text.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { StagedSource } from './staged-source.js';

/** One exporter's entry in the config. */
export type ExporterConfig = AssetConfig['exporters'][number];

/** How one exporter did: an entry of `export --json`'s `exporters`. */
export interface ExporterReport {
  readonly name: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly files?: number;
  readonly bytes?: number;
  readonly metadata?: number;
  /** Redacted. */
  readonly error?: string;
}

/** Builds the adapter for a config entry; drivers load only for the exporters configured. */
export async function createExporter(config: ExporterConfig, baseDir: string): Promise<Exporter> {
  switch (config.name) {
    case 'disk': {
      const { createDiskExporter } = await import('./disk/disk-exporter.js');
      return createDiskExporter({ targetDirectory: resolve(baseDir, config.target_directory) });
    }
    case 's3': {
      const { createS3Exporter } = await import('./s3/s3-exporter.js');
      return createS3Exporter({
        bucket: config.bucket,
        region: config.region,
        endpoint: config.endpoint,
        accessKey: config.access_key,
        secretKey: config.secret_key,
      });
    }
    case 'module': {
      const { loadExporterModule } = await import('./module/module-exporter.js');
      return loadExporterModule(resolve(baseDir, config.module), config.options);
    }
    case 'postgres': {
      const { createPostgresExporter } = await import('./postgres/postgres-exporter.js');
      return createPostgresExporter({ connectionString: config.url, schema: config.schema });
    }
  }
}

/** Options of `runExporter`. */
export interface RunExporterOptions {
  readonly metadataTypes: readonly MetadataType[];
  readonly retry: RetryPolicy;
  /** Strings to hide in every message (see `secretValues`). */
  readonly secrets: readonly string[];
  readonly redactHash?: boolean;
  /** One line per failed attempt (already redacted). */
  readonly log?: (line: string) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Runs one exporter with retries and exponential backoff; never throws. A target that stays down
 * gives `{ ok: false, attempts, error }` with a redacted message, and the staging is untouched
 * (exporters only read it).
 */
export async function runExporter(
  exporter: Exporter,
  source: StagedSource,
  options: RunExporterOptions,
): Promise<ExporterReport> {
  const redact = (text: string) => redactText(text, options.secrets, options.redactHash);
  try {
    const outcome = await withRetry(
      options.retry,
      () => exporter.export(source, { metadataTypes: options.metadataTypes, onProgress: options.onProgress }),
      (err, attempt, willRetry) =>
        options.log?.(
          redact(
            `export ${exporter.name}: attempt ${attempt}/${options.retry.attempts} failed: ${describeError(err)}` +
              (willRetry ? '; retrying' : ''),
          ),
        ),
    );
    if (outcome.ok) return { name: exporter.name, ok: true, attempts: outcome.attempts, ...outcome.value };
    return {
      name: exporter.name,
      ok: false,
      attempts: outcome.attempts,
      error: redact(
        `${exporter.name} export failed after ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}: ${describeError(outcome.error)}`,
      ),
    };
  } finally {
    await exporter.close().catch(() => undefined);
  }
}
