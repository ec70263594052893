import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commit } from '../commit/create-commit.js';
import { createTempRepo } from '../test-support/temp-repo.js';
import { fsck } from './fsck.js';
import { gc } from './gc.js';

/** A pid that no process has right now (for a temp file whose writer was killed). */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as { code?: string }).code === 'ESRCH') return pid;
    }
  }
}

test('gc removes temp files and orphaned packs left by killed writers and by a killed gc', async () => {
  const t = await createTempRepo();
  try {
    t.write('data/a.txt', 'kept');
    await commit(t.repo, { message: 'one' });
    const objects = join(t.root, '.strata', 'objects');
    const packs = () => new Set(readdirSync(join(objects, 'packs')));

    // An unreachable object in a pack of its own: garbage for gc.
    const before = packs();
    const writer = t.repo.store.createWriter();
    await writer.add(Buffer.from('garbage, reachable from nothing'));
    await writer.commit();
    const garbagePack = [...packs()].find((name) => !before.has(name))!;
    assert.ok(garbagePack, 'the writer made a pack');

    // A gc killed between its index update and its deletes leaves the pack with no index row:
    // keep a copy, let gc delete it, and put the copy back.
    const saved = join(t.root, 'saved.pack');
    copyFileSync(join(objects, 'packs', garbagePack), saved);
    assert.equal((await gc(t.repo)).removed, 1);
    copyFileSync(saved, join(objects, 'packs', garbagePack));

    // Temp files: one of a killed writer (dead pid), one of a live writer (this process).
    const dead = join(objects, 'tmp', `pack-${deadPid()}-0123456789abcdef.tmp`);
    const live = join(objects, 'tmp', `object-${process.pid}-fedcba9876543210.tmp`);
    writeFileSync(dead, 'half a pack');
    writeFileSync(live, 'an object being written');

    const report = await gc(t.repo);
    assert.equal(existsSync(join(objects, 'packs', garbagePack)), false, 'the orphaned pack is removed');
    assert.equal(existsSync(dead), false, "the dead writer's temp file is removed");
    assert.equal(existsSync(live), true, "a live writer's recent temp file is kept");
    assert.equal(report.leftovers.removedTempFiles, 1);
    assert.equal(report.removed, 1, 'the orphaned pack held one unreachable object');

    // Past the grace period a live pid's temp file is taken for a reused pid's.
    await gc(t.repo, { tempGraceMs: -1 });
    assert.equal(existsSync(live), false);
    assert.equal((await fsck(t.repo)).ok, true, 'what is reachable is intact');
  } finally {
    await t.done();
  }
});
