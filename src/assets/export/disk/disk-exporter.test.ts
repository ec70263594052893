import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { runExporterConformance } from '../exporter-conformance.js';
import { openStagedSource } from '../staged-source.js';
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

it('disk: a target that overlaps the staging folder is refused before anything is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-disk-overlap-'));
  try {
    mkdirSync(join(dir, 'staging/content/a'), { recursive: true });
    writeFileSync(join(dir, 'staging/content/a/f.txt'), 'keep me');
    for (const target of [join(dir, 'staging'), join(dir, 'staging', 'archive'), dir]) {
      const exporter = createDiskExporter({ targetDirectory: target });
      await assert.rejects(exporter.export(openStagedSource(join(dir, 'staging')), { metadataTypes: [] }), {
        code: 'E_INVALID_ARGUMENT',
      });
    }
    assert.equal(readFileSync(join(dir, 'staging/content/a/f.txt'), 'utf8'), 'keep me');
    assert.equal(existsSync(join(dir, 'staging', 'archive')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
