import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import type { MetadataType } from '../staging/staging-layout.js';
import { stageAssets } from '../staging/stage-assets.js';
import type { StagingAsset } from '../staging/staging-plan.js';
import { writeSampleAssets } from '../staging/test-support/sample-assets.js';
import type { Exporter } from './exporter.js';
import { runExporter } from './run-export.js';
import { openStagedSource } from './staged-source.js';

/** How the suite reads back what an adapter exported. */
export interface ExportedTarget {
  /** A content file's bytes, undefined when absent; null when the adapter exports no content. */
  content(path: string): Promise<Buffer | undefined> | null;
  /** The records found for a metadata type (files of that type, or the table it fills). */
  records(type: MetadataType): Promise<Record<string, unknown>[]>;
}

/** What the suite needs from an adapter under test. */
export interface ExporterConformanceContext {
  /** A fresh exporter to the live, empty target. */
  exporter(): Promise<Exporter>;
  /** An exporter whose target is down; `secret` is a value from its config that must never show. */
  downExporter(): Promise<{ exporter: Exporter; secret?: string }>;
  readonly target: ExportedTarget;
  cleanup(): Promise<void>;
}

/** A digest of every file under `root` (paths and bytes): equal digests mean nothing changed. */
function treeDigest(root: string): string {
  const parts: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs, `${rel}${name}/`);
      else parts.push(`${rel}${name}:${hashBytes(readFileSync(abs))}`);
    }
  };
  walk(root, '');
  return hashBytes(Buffer.from(parts.join('\n')));
}

const ids = (records: Record<string, unknown>[], key: string) => records.map((r) => String(r[key])).sort();

/**
 * The behaviour every Exporter adapter must have, run once per adapter (as the ObjectStore
 * conformance suite is): chosen metadata types only, content byte-for-byte, idempotent repeats,
 * a staging left untouched, and a down target that fails after the retries with a redacted error.
 */
export function runExporterConformance(
  name: string,
  create: () => Promise<ExporterConformanceContext>,
): void {
  describe(`Exporter conformance: ${name}`, () => {
    let ctx: ExporterConformanceContext;
    let dir: string;
    let staging: string;
    let assets: StagingAsset[];

    before(async () => {
      ctx = await create();
      dir = mkdtempSync(join(tmpdir(), 'strata-export-conformance-'));
      const ingress = join(dir, 'ingress');
      staging = join(dir, 'staging');
      assets = writeSampleAssets(ingress, 3, 2, 3000);
      await stageAssets({
        ingressRoot: ingress,
        stagingRoot: staging,
        assets,
        writeMode: 'copy',
        journalPath: join(dir, 'journal.json'),
        chunkBytes: 600,
      });
    });
    after(async () => {
      await ctx.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    const allFileIds = () => assets.flatMap((a) => a.files.map((f) => f.id)).sort();
    const allAssetIds = () => assets.map((a) => a.id).sort();

    it('exports only the chosen metadata types, and the content byte for byte', async () => {
      const before = treeDigest(staging);
      const exporter = await ctx.exporter();
      const counts = await exporter.export(openStagedSource(staging), { metadataTypes: ['asset'] });
      await exporter.close();
      assert.deepEqual(ids(await ctx.target.records('asset'), 'asset_id'), allAssetIds());
      assert.deepEqual(await ctx.target.records('file'), []);
      const probe = ctx.target.content(assets[1]!.files[1]!.path);
      if (probe !== null) {
        assert.equal(counts.files, 6);
        assert.equal(counts.bytes, 6 * 3000);
        for (const f of assets.flatMap((a) => a.files)) {
          assert.deepEqual(await ctx.target.content(f.path), readFileSync(join(staging, 'content', f.path)));
        }
      }
      assert.equal(treeDigest(staging), before, 'the staging must not change');
    });

    it('exports chunk types with every record, and a repeat leaves one record per id', async () => {
      for (let round = 0; round < 2; round++) {
        const exporter = await ctx.exporter();
        await exporter.export(openStagedSource(staging), { metadataTypes: ['file-chunk', 'asset', 'file'] });
        await exporter.close();
      }
      assert.deepEqual(ids(await ctx.target.records('file-chunk'), 'file_id'), allFileIds());
      assert.deepEqual(ids(await ctx.target.records('file'), 'file_id'), allFileIds());
      assert.deepEqual(ids(await ctx.target.records('asset'), 'asset_id'), allAssetIds());
      const record = (await ctx.target.records('file')).find((r) => r.file_id === assets[0]!.files[1]!.id);
      assert.equal(record?.asset_id, assets[0]!.id);
      assert.equal(record?.filepath, assets[0]!.files[1]!.path);
    });

    it('a target that is down: retries with backoff, then a clear redacted failure; staging intact', async () => {
      const before = treeDigest(staging);
      const { exporter, secret } = await ctx.downExporter();
      const lines: string[] = [];
      const report = await runExporter(exporter, openStagedSource(staging), {
        metadataTypes: ['asset', 'file'],
        retry: { attempts: 3, backoff_ms: 10 },
        secrets: secret ? [secret] : [],
        log: (line) => lines.push(line),
      });
      assert.equal(report.ok, false);
      assert.equal(report.attempts, 3);
      assert.match(report.error ?? '', new RegExp(`^${exporter.name} export failed after 3 attempts: .+`));
      assert.equal(lines.length, 3);
      assert.match(lines[0]!, /attempt 1\/3 failed: .*; retrying$/);
      assert.doesNotMatch(lines[2]!, /retrying/);
      if (secret) for (const text of [report.error!, ...lines]) assert.ok(!text.includes(secret), text);
      assert.equal(treeDigest(staging), before, 'the staging must not change');
    });
  });
}
