import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExporterConformance } from '../exporter-conformance.js';
import { createDiskExporter } from './disk-exporter.js';

runExporterConformance('disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-disk-export-'));
  const target = join(dir, 'archive');
  // A file where the target's parent folder should be: the target can never be created.
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  return {
    exporter: async () => createDiskExporter({ targetDirectory: target }),
    downExporter: async () => ({
      exporter: createDiskExporter({ targetDirectory: join(dir, 'not-a-folder', 'archive') }),
    }),
    target: {
      content: async (path) =>
        existsSync(join(target, 'content', path)) ? readFileSync(join(target, 'content', path)) : undefined,
      records: async (type) => {
        const folder = join(target, 'metadata', type);
        if (!existsSync(folder)) return [];
        return readdirSync(folder).flatMap((name) => {
          const value = JSON.parse(readFileSync(join(folder, name), 'utf8')) as unknown;
          return (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
        });
      },
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
