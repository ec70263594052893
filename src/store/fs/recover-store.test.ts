import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { hashBytes } from '../../util/hash.js';
import type { ObjectId } from '../../util/hash.js';
import type { PackLocation } from '../object-store.js';
import { createTestStore, putAll } from './fs-test-helpers.js';
import { MemoryPackIndex } from './memory-pack-index.js';
import { PACK_MAGIC, RECORD_HEADER_SIZE } from './pack-format.js';

/** An index whose next `add` fails, as if the process died between renaming a pack and indexing it. */
class CrashingIndex extends MemoryPackIndex {
  crashNextAdd = false;
  override async add(entries: readonly (PackLocation & { id: ObjectId })[]): Promise<void> {
    if (this.crashNextAdd) {
      this.crashNextAdd = false;
      throw new Error('simulated crash before index.add');
    }
    await super.add(entries);
  }
}

describe('FsObjectStore after a crash between pack and index', () => {
  let t: Awaited<ReturnType<typeof createTestStore>>;
  let index: CrashingIndex;
  beforeEach(async () => {
    index = new CrashingIndex();
    t = await createTestStore({ index });
  });
  afterEach(() => t.cleanup());

  async function crashedWrite(items: Buffer[]): Promise<void> {
    index.crashNextAdd = true;
    await assert.rejects(putAll(t.store, items), /simulated crash/);
  }

  it('stays consistent: the unindexed objects are absent and can be written again', async () => {
    const [kept] = await putAll(t.store, [Buffer.from('committed earlier')]);
    await crashedWrite([Buffer.from('lost 1'), Buffer.from('lost 2')]);
    assert.equal((await readdir(t.store.layout.packs)).length, 2, 'the orphan pack is on disk');

    const [lost1] = await putAll(t.store, [Buffer.from('lost 1')]);
    assert.equal((await t.store.get(lost1!)).toString(), 'lost 1');
    assert.equal((await t.store.get(kept!)).toString(), 'committed earlier');
    const listed: string[] = [];
    for await (const id of t.store.list()) listed.push(id);
    assert.deepEqual(new Set(listed), new Set([kept, lost1]));
    assert.equal(listed.length, 2);
  });

  it('recover() re-indexes an orphan pack after verifying it, and empties tmp/', async () => {
    await crashedWrite([Buffer.from('orphan a'), Buffer.from('orphan b')]);
    await writeFile(join(t.store.layout.tmp, 'object-1-dead.tmp'), 'left by a killed writer');
    const report = await t.store.recover();
    assert.equal(report.reindexedObjects, 2);
    assert.equal(report.reindexedPacks.length, 1);
    assert.equal(report.removedTempFiles, 1);
    assert.deepEqual(await readdir(t.store.layout.tmp), []);
    const ids: string[] = [];
    for await (const id of t.store.list()) ids.push(id);
    assert.deepEqual((await Promise.all(ids.map((id) => t.store.get(id)))).map(String).sort(), [
      'orphan a',
      'orphan b',
    ]);
  });

  it('recover() deletes an orphan pack whose objects are all stored elsewhere', async () => {
    await crashedWrite([Buffer.from('again')]);
    await putAll(t.store, [Buffer.from('again')]);
    const report = await t.store.recover();
    assert.equal(report.removedPacks.length, 1);
    assert.equal((await readdir(t.store.layout.packs)).length, 1);
    assert.deepEqual(await t.store.recover(), {
      removedTempFiles: 0,
      reindexedPacks: [],
      reindexedObjects: 0,
      removedPacks: [],
      corruptRecords: 0,
      unreadablePacks: [],
    });
  });

  it('recover() skips corrupt records and leaves unreadable files alone', async () => {
    await crashedWrite([Buffer.from('flipped'), Buffer.from('intact')]);
    const [orphan] = await readdir(t.store.layout.packs);
    // The first record's data starts right after the magic and its 36-byte header.
    await corruptAt(join(t.store.layout.packs, orphan!), PACK_MAGIC.byteLength + RECORD_HEADER_SIZE);
    const notAPack = `pack-${'0'.repeat(32)}.pack`;
    await writeFile(join(t.store.layout.packs, notAPack), 'not a pack');

    const report = await t.store.recover();
    assert.equal(report.corruptRecords, 1);
    assert.equal(report.reindexedObjects, 1);
    assert.deepEqual(report.unreadablePacks, [notAPack]);
    assert.equal(await t.store.has(hashBytes(Buffer.from('flipped'))), false);
    assert.equal((await t.store.get(hashBytes(Buffer.from('intact')))).toString(), 'intact');
  });
});

async function corruptAt(path: string, position: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[position] = bytes[position]! ^ 0xff;
  await writeFile(path, bytes);
}
