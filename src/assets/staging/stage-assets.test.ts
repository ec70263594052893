import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { chunkRecords } from './metadata-writer.js';
import { readMoveJournal } from './move-journal.js';
import { stageAssets } from './stage-assets.js';
import { writeSampleAssets } from './test-support/sample-assets.js';

describe('stageAssets', () => {
  let dir: string;
  let ingress: string;
  let staging: string;
  let journalPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-stage-'));
    ingress = join(dir, 'ingress');
    staging = join(dir, 'staging');
    journalPath = join(dir, 'journal.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copy mode: content mirrors the ingress paths, metadata per file, per asset and in chunks', async () => {
    const assets = writeSampleAssets(ingress, 2, 3);
    const result = await stageAssets({
      ingressRoot: ingress,
      stagingRoot: staging,
      assets,
      writeMode: 'copy',
      journalPath,
    });
    assert.equal(result.assets, 2);
    assert.equal(result.files, 6);
    assert.equal(result.bytes, 6000);
    for (const a of assets)
      for (const f of a.files) {
        assert.deepEqual(readFileSync(join(staging, 'content', f.path)), readFileSync(join(ingress, f.path)));
      }
    const file = JSON.parse(readFileSync(join(staging, 'metadata/file/file-1-2.json'), 'utf8'));
    assert.deepEqual(file, {
      frame: 2,
      project: 'cat001',
      file_id: 'file-1-2',
      asset_id: 'asset-1',
      filepath: assets[1]!.files[1]!.path,
    });
    const asset = JSON.parse(readFileSync(join(staging, 'metadata/asset/asset-0.json'), 'utf8'));
    assert.deepEqual(asset.file_ids, ['file-0-1', 'file-0-2', 'file-0-3']);
    assert.equal(asset.asset_path, assets[0]!.path);
    const chunks = readdirSync(join(staging, 'metadata/file-chunk'));
    assert.equal(chunks.length, 1);
    const records = JSON.parse(readFileSync(join(staging, 'metadata/file-chunk', chunks[0]!), 'utf8'));
    assert.equal(records.length, 6);
    assert.equal(readdirSync(join(staging, 'metadata/asset-chunk')).length, 1);
    // The ingress keeps its files in copy mode; the journal stays until the caller commits.
    assert.ok(existsSync(join(ingress, assets[0]!.files[0]!.path)));
    assert.equal(readMoveJournal(journalPath)?.mode, 'copy');
  });

  it('move mode, same filesystem and across filesystems: files leave the ingress and arrive whole', async () => {
    for (const crossDevice of ['auto', 'always'] as const) {
      rmSync(dir, { recursive: true, force: true });
      const assets = writeSampleAssets(ingress, 2, 2, 5000);
      const expected = assets.flatMap((a) => a.files.map((f) => readFileSync(join(ingress, f.path))));
      await stageAssets({
        ingressRoot: ingress,
        stagingRoot: staging,
        assets,
        writeMode: 'move',
        journalPath,
        crossDevice,
      });
      const files = assets.flatMap((a) => a.files);
      files.forEach((f, i) => {
        assert.equal(existsSync(join(ingress, f.path)), false, crossDevice);
        assert.deepEqual(readFileSync(join(staging, 'content', f.path)), expected[i]);
      });
      const leftovers = readdirSync(join(staging, 'content', assets[0]!.path)).filter((n) =>
        n.startsWith('.'),
      );
      assert.deepEqual(leftovers, []);
    }
  });

  it('move mode across real filesystems (tmpfs to disk): the EXDEV path, sources gone, targets whole', async (t) => {
    // /dev/shm is a tmpfs on Linux: a rename from there to the temp folder fails with EXDEV.
    if (!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(dir).dev) {
      t.diagnostic('no second filesystem here; the forced cross-device case above covers the code path');
      assert.ok(true);
      return;
    }
    const shm = mkdtempSync(join('/dev/shm', 'strata-stage-'));
    try {
      const assets = writeSampleAssets(shm, 2, 2, 4000);
      const expected = assets.flatMap((a) => a.files.map((f) => readFileSync(join(shm, f.path))));
      await stageAssets({ ingressRoot: shm, stagingRoot: staging, assets, writeMode: 'move', journalPath });
      assets
        .flatMap((a) => a.files)
        .forEach((f, i) => {
          assert.equal(existsSync(join(shm, f.path)), false);
          assert.deepEqual(readFileSync(join(staging, 'content', f.path)), expected[i]);
        });
    } finally {
      rmSync(shm, { recursive: true, force: true });
    }
  });

  it("refuses a path with '..' before touching anything", async () => {
    const assets = writeSampleAssets(ingress, 1, 1);
    const hostile = [{ ...assets[0]!, files: [{ ...assets[0]!.files[0]!, path: '../outside.png' }] }];
    await assert.rejects(
      stageAssets({
        ingressRoot: ingress,
        stagingRoot: staging,
        assets: hostile,
        writeMode: 'move',
        journalPath,
      }),
      { code: 'E_INVALID_ARGUMENT' },
    );
    const badId = [{ ...assets[0]!, id: '../../x' }];
    await assert.rejects(
      stageAssets({
        ingressRoot: ingress,
        stagingRoot: staging,
        assets: badId,
        writeMode: 'copy',
        journalPath,
      }),
      { code: 'E_INVALID_ARGUMENT' },
    );
    assert.equal(existsSync(join(staging, 'content', assets[0]!.files[0]!.path)), false);
    assert.ok(existsSync(join(ingress, assets[0]!.files[0]!.path)));
  });

  it('a file that vanished since update is named; nothing moves, no partial copy stays', async () => {
    for (const writeMode of ['move', 'copy'] as const) {
      rmSync(dir, { recursive: true, force: true });
      // Sizes as update recorded them: copy mode trusts them and finds out at copy time.
      const assets = writeSampleAssets(ingress, 2, 2).map((a) => ({
        ...a,
        files: a.files.map((f) => ({ ...f, size: 1000 })),
      }));
      const gone = assets[1]!.files[1]!.path;
      rmSync(join(ingress, gone));
      await assert.rejects(
        stageAssets({ ingressRoot: ingress, stagingRoot: staging, assets, writeMode, journalPath }),
        (err: { code: string; data: { path: string } }) =>
          err.code === 'E_NOT_FOUND' && err.data.path === gone,
      );
      assert.ok(existsSync(join(ingress, assets[0]!.files[0]!.path)), writeMode);
      assert.equal(existsSync(join(staging, 'content', assets[0]!.files[0]!.path)), false, writeMode);
      assert.equal(existsSync(journalPath), false, writeMode);
    }
  });
});

describe('chunkRecords', () => {
  it('keeps each chunk under the bound, every record once, names stable', () => {
    const records = Array.from({ length: 100 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(50) }));
    const chunks = chunkRecords('file-chunk', records, 1000);
    assert.ok(chunks.length > 5);
    for (const c of chunks) assert.ok(Buffer.byteLength(c.data) <= 1000, `${c.data.length}`);
    const back = chunks.flatMap((c) => JSON.parse(c.data) as { i: number }[]).map((r) => r.i);
    assert.deepEqual(
      back,
      records.map((_, i) => i),
    );
    assert.deepEqual(
      chunkRecords('file-chunk', records, 1000).map((c) => c.name),
      chunks.map((c) => c.name),
    );
    assert.match(chunks[0]!.name, /^file-chunk-[0-9a-f]{16}\.json$/);
  });
});
