// A folder dataset, versioned: init, add a resource, snapshot, change, diff, restore.
//
//   node examples/folder-dataset.mjs [DIR]     (DIR: an empty folder; default a new temporary one)
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addResource, commit, diffRevisions, initRepository, restorePaths, status } from 'strata';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'strata-folder-dataset-'));
const repo = await initRepository(dir);
try {
  // A resource is a folder with a role; only files inside resources are versioned.
  await addResource(repo, { path: 'data', role: 'source-data', cwd: repo.root, create: true });
  const points = join(repo.root, 'data', 'points.csv');
  writeFileSync(points, 'x,y\n1,2\n');
  const v1 = await commit(repo, { message: 'first points', tags: ['v1'] });
  console.log(`snapshot ${v1.id.slice(0, 12)} tagged v1`);

  // Change the data: status sees it, a second snapshot records it.
  appendFileSync(points, '3,4\n');
  writeFileSync(join(repo.root, 'data', 'notes.txt'), 'collected by hand\n');
  const changes = (await status(repo)).changes;
  for (const c of changes) console.log(`  ${c.change.padEnd(8)} ${c.resource}/${c.path}`);
  assert.equal(changes.length, 2);
  await commit(repo, { message: 'more points, and notes' });

  // What changed between v1 and now.
  const diff = await diffRevisions(repo, 'v1', 'HEAD');
  console.log('v1 -> HEAD:', diff.map((c) => `${c.change} ${c.path}`).join(', '));
  assert.deepEqual(diff.map((c) => c.path).sort(), ['notes.txt', 'points.csv']);

  // Bring the points of v1 back (HEAD stays where it is).
  await restorePaths(repo, ['data/points.csv'], { source: 'v1', cwd: repo.root });
  assert.equal(readFileSync(points, 'utf8'), 'x,y\n1,2\n');
  console.log('data/points.csv restored from v1');
} finally {
  await repo.close();
}
