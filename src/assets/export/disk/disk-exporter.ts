import { mkdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../../../errors/index.js';
import { copyFiles } from '../../staging/copy-files.js';
import { stagingLayout } from '../../staging/staging-layout.js';
import type { ExportCounts, ExportOptions, Exporter } from '../exporter.js';
import type { StagedSource } from '../staged-source.js';

/** Options of the disk exporter (config: `name: disk`). */
export interface DiskExporterOptions {
  /** Absolute path of the folder to export into; it mirrors the staging's `content/` and `metadata/`. */
  readonly targetDirectory: string;
  readonly threads?: number;
}

/**
 * Exports to a folder: content files copied (cloned where the filesystem can) under
 * `<target>/content/`, the chosen metadata types under `<target>/metadata/<type>/`.
 */
export function createDiskExporter(options: DiskExporterOptions): Exporter {
  const target = stagingLayout(options.targetDirectory);
  return {
    name: 'disk',
    async export(source: StagedSource, { metadataTypes, onProgress }: ExportOptions): Promise<ExportCounts> {
      const from = resolve(source.layout.root);
      const to = resolve(options.targetDirectory);
      if (to === from || to.startsWith(from + sep) || from.startsWith(to + sep)) {
        throw new InvalidArgumentError(
          `disk export target '${options.targetDirectory}' overlaps the staging folder '${source.layout.root}'`,
          { target: options.targetDirectory, staging: source.layout.root },
        );
      }
      mkdirSync(options.targetDirectory, { recursive: true });
      const content = source.contentFiles();
      const metadata = metadataTypes.flatMap((type) =>
        source.metadataFiles(type).map((f) => ({ from: f.abs, to: join(target.metadataDir(type), f.name) })),
      );
      const entries = [
        ...content.map((f) => ({ from: f.abs, to: join(target.content, f.path) })),
        ...metadata,
      ];
      await copyFiles(entries, { threads: options.threads, onProgress });
      let bytes = 0;
      for (const f of content) bytes += statSync(f.abs).size;
      return { files: content.length, bytes, metadata: metadata.length };
    },
    close: async () => undefined,
  };
}
