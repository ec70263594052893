import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readAllEntries } from '../repo/merkle/read-map.js';
import { readCommit, readCommitTree } from '../repo/objects/read-objects.js';
import { listResources } from '../repo/resources/resources.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { openComputeProject } from './compute-project.js';
import { withSqliteComputePort } from './test-support/sqlite-compute-port.js';

test('commitOutputs registers the collection folder as intermediate-data and commits lineage.json', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  const project = await openComputeProject(withSqliteComputePort(t.repo));
  try {
    t.write('data/a.txt', 'alpha');
    t.write('data/b.txt', 'beta!');
    const sizes = project.collection(
      'sizes',
      (id: string, args: { unit: string }, ctx) => {
        if (id.includes('missing')) throw new Error('no such file');
        const bytes = readFileSync(join(t.root, id)).length;
        writeFileSync(join(ctx.dir, 'size.json'), JSON.stringify({ bytes }));
        return { bytes, unit: args.unit };
      },
      { codeVersion: 'v3' },
    );
    for (const id of ['data/a.txt', 'data/b.txt', 'data/missing.txt'])
      await project.fetch(sizes, id, { args: { unit: 'B' } });

    const made = await project.commitOutputs(sizes, { message: 'sizes of the data' });
    assert.equal(made.resource, 'computed-sizes');
    assert.equal(made.manifest, 'computed/sizes/lineage.json');
    assert.equal(made.resources, 2);
    const resource = (await listResources(t.repo)).find((r) => r.name === 'computed-sizes');
    assert.equal(resource?.role, 'intermediate-data');
    assert.equal(resource?.path, 'computed/sizes');

    const commit = await readCommit(t.repo, made.commit.id);
    assert.equal(commit.message, 'sizes of the data');
    const tree = await readCommitTree(t.repo, made.commit.id);
    const snapshot = tree.resources['computed-sizes'];
    assert.equal(snapshot?.role, 'intermediate-data');
    const files = (await readAllEntries(t.repo.nodes, snapshot!.map)).map((e) => e.key);
    assert.ok(files.includes('lineage.json'), files.join(', '));
    assert.ok(files.some((f) => f.endsWith('/size.json')));

    const lineage = JSON.parse(readFileSync(join(t.root, made.manifest), 'utf8')) as {
      collection: string;
      resources: {
        id: string;
        args: unknown;
        args_hash: string;
        code_version: string;
        dir: string;
        files: string[];
      }[];
    };
    assert.equal(lineage.collection, 'sizes');
    assert.deepEqual(
      lineage.resources.map((r) => [r.id, r.code_version, r.files]),
      [
        ['data/a.txt', 'v3', ['size.json']],
        ['data/b.txt', 'v3', ['size.json']],
      ],
    );
    const a = await project.resource(sizes, 'data/a.txt', { args: { unit: 'B' } });
    assert.equal(lineage.resources[0]!.args_hash, a.argsHash);
    assert.deepEqual(lineage.resources[0]!.args, { unit: 'B' });
    assert.equal(join(t.root, 'computed', 'sizes', lineage.resources[0]!.dir), a.dir);

    // Nothing new: committing again is refused like any empty commit, unless allowed.
    await assert.rejects(project.commitOutputs(sizes, { message: 'again' }), { code: 'E_NOTHING_TO_COMMIT' });
    await project.fetch(sizes, 'data/a.txt', { args: { unit: 'bytes' } });
    const second = await project.commitOutputs(sizes, { message: 'more' });
    assert.equal(second.resources, 3);
    assert.deepEqual((await readCommit(t.repo, second.commit.id)).parents, [made.commit.id]);
  } finally {
    await project.close();
    await t.done();
  }
});
