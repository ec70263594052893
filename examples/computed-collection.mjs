// A computed collection: a function computed once per id and remembered (status, result, log,
// output files), then its outputs committed as a resource.
//
//   node examples/computed-collection.mjs [DIR]   (DIR: an empty folder; default a new temporary one)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addResource, commit, initRepository, openComputeProject } from 'strata';

const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'strata-computed-collection-'));
const repo = await initRepository(dir);
const project = await openComputeProject(repo);
try {
  await addResource(repo, { path: 'texts', role: 'source-data', cwd: repo.root, create: true });
  writeFileSync(join(repo.root, 'texts/a.txt'), 'the quick brown fox\n');
  writeFileSync(join(repo.root, 'texts/b.txt'), 'jumps over the lazy dog again\n');
  await commit(repo, { message: 'two texts' });

  let calls = 0;
  const wordCounts = project.collection(
    'word-counts',
    async (id, args, ctx) => {
      calls++;
      const words = readFileSync(join(repo.root, id), 'utf8').split(/\s+/).filter(Boolean);
      ctx.log.info('counting', id);
      writeFileSync(join(ctx.dir, 'words.json'), JSON.stringify(words)); // ctx.dir: its own folder
      return { words: words.length, longest: Math.max(...words.map((w) => w.length * args.weight)) };
    },
    { codeVersion: 1 },
  );

  const first = await project.fetch(wordCounts, 'texts/a.txt', { args: { weight: 1 } });
  const again = await project.fetch(wordCounts, 'texts/a.txt', { args: { weight: 1 } }); // remembered
  const b = await project.fetch(wordCounts, 'texts/b.txt', { args: { weight: 1 } });
  console.log(first.status, first.result, b.result);
  assert.equal(calls, 2, 'the second fetch of a.txt came from memory');
  assert.deepEqual(again.result, first.result);
  console.log(await project.stats());

  await project.fetch(wordCounts, 'texts/a.txt', { args: { weight: 1 }, recompute: true });
  assert.equal(calls, 3);
  const committed = await project.commitOutputs(wordCounts, { message: 'word counts' });
  console.log('outputs committed:', committed);
} finally {
  await project.close();
  await repo.close();
}
