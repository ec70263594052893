import type { MetadataType } from '../staging/staging-layout.js';
import type { StagedSource } from './staged-source.js';

/** What one export wrote. */
export interface ExportCounts {
  /** Content files sent (0 for exporters that take metadata only). */
  readonly files: number;
  readonly bytes: number;
  /** Metadata records or files sent. */
  readonly metadata: number;
}

/** Options of one `Exporter.export` call. */
export interface ExportOptions {
  readonly metadataTypes: readonly MetadataType[];
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The Exporter port: sends a staging (read-only) to one target. Adapters live in
 * `export/<name>/`, are idempotent (exporting the same staging twice leaves the target as after
 * once: files overwritten, records upserted by id) and throw on failure; retries, redaction and
 * reporting are the caller's (`runExporter`).
 */
export interface Exporter {
  /** `disk`, `s3`, `postgres`. */
  readonly name: string;
  export(source: StagedSource, options: ExportOptions): Promise<ExportCounts>;
  /** Releases connections; called once, after the last attempt. */
  close(): Promise<void>;
}
