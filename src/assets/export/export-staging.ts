import type { AssetConfig } from '../config/asset-config.js';
import { callWebhooks, type WebhookReport } from '../webhooks/call-webhooks.js';
import type { Exporter } from './exporter.js';
import { redactText, secretValues } from './redact-text.js';
import { createExporter, runExporter, type ExporterConfig, type ExporterReport } from './run-export.js';
import { openStagedSource } from './staged-source.js';

/** What `export` did: the shape of `strata assets export --json`. */
export interface ExportResult {
  /** True when every exporter and every webhook succeeded. */
  readonly ok: boolean;
  readonly exporters: readonly ExporterReport[];
  /** Called only after every exporter succeeded; empty otherwise. */
  readonly webhooks: readonly WebhookReport[];
  /** Why the webhooks were not called, when they were not. */
  readonly webhooksSkipped?: string;
}

/** Options of `exportStaging`. */
export interface ExportStagingOptions {
  readonly stagingRoot: string;
  readonly config: Pick<AssetConfig, 'exporters' | 'webhooks' | 'redact_regex' | 'redact_hash'>;
  /** Relative export targets resolve here (the repository root). */
  readonly baseDir: string;
  readonly log?: (line: string) => void;
  readonly onProgress?: (label: string, done: number, total: number) => void;
  /** Checked before each exporter and before the webhooks: aborted, it rejects with its reason. */
  readonly signal?: AbortSignal;
  /** Tests: build adapters another way. */
  readonly createExporter?: (config: ExporterConfig, baseDir: string) => Promise<Exporter>;
}

/**
 * `export`: sends the staging to every configured exporter in turn (each with its metadata
 * types and retry policy), then — only if all succeeded — calls the webhooks. Failures are
 * reported, redacted, never thrown; the staging is only read.
 */
export async function exportStaging(options: ExportStagingOptions): Promise<ExportResult> {
  const { config } = options;
  const source = openStagedSource(options.stagingRoot);
  const secrets = secretValues(config, config.redact_regex);
  const make = options.createExporter ?? createExporter;
  const exporters: ExporterReport[] = [];
  for (const entry of config.exporters) {
    options.signal?.throwIfAborted();
    let exporter: Exporter;
    try {
      exporter = await make(entry, options.baseDir);
    } catch (err) {
      const message = redactText(
        `${entry.name} exporter: ${(err as Error).message}`,
        secrets,
        config.redact_hash,
      );
      exporters.push({ name: entry.name, ok: false, attempts: 0, error: message });
      continue;
    }
    exporters.push(
      await runExporter(exporter, source, {
        metadataTypes: entry.metadata_types,
        retry: entry.retry,
        secrets,
        redactHash: config.redact_hash,
        log: options.log,
        onProgress: (done, total) => options.onProgress?.(`export ${entry.name}`, done, total),
      }),
    );
  }
  const exportsOk = exporters.every((e) => e.ok);
  if (!exportsOk) {
    return {
      ok: false,
      exporters,
      webhooks: [],
      ...(config.webhooks.length > 0 ? { webhooksSkipped: 'an exporter failed' } : {}),
    };
  }
  options.signal?.throwIfAborted();
  const webhooks = await callWebhooks(config.webhooks, {
    redactRegex: config.redact_regex,
    redactHash: config.redact_hash,
    secrets,
    log: options.log,
  });
  return { ok: webhooks.every((w) => w.ok), exporters, webhooks };
}
