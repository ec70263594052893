import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import {
  addResource,
  deleteSnapshot,
  diffResources,
  fsck,
  gc,
  getParam,
  historyReport,
  listParams,
  readCommitTree,
  restoreSnapshot,
  setParam,
  snapshot,
  status,
  type SectionProvider,
} from './index.js';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    encoding: 'utf8',
  }).trim();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'strata-ws-'));
}

test('a snapshot files new results away, stores their metrics, and history compares them', async () => {
  const t = await createTempRepo({ code: 'code', results: 'results' });
  try {
    await setParam(t.repo, 'hostname', 'box');
    t.write('code/train.py', 'print(1)\n');
    t.write('results/results.json', JSON.stringify({ step: 'train', metrics: { accuracy: 0.8, loss: 0.5 } }));
    t.write('results/plots/a.png', 'png');
    const s1 = await snapshot(t.repo, { message: 'first', tags: ['exp-1'] });
    assert.equal(s1.resultsFolder, 'snapshots/box-exp-1');
    assert.equal(s1.resultsMoved, 2);
    assert.ok(existsSync(join(t.root, 'results/snapshots/box-exp-1/plots/a.png')));
    assert.ok(!existsSync(join(t.root, 'results/plots')));
    assert.deepEqual((await readCommitTree(t.repo, s1.id)).metrics, {
      values: { accuracy: 0.8, loss: 0.5 },
      sources: ['results/results.json'],
      perCommit: true,
    });

    // Old snapshot folders never move again; a snapshot without tag gets a fresh token.
    t.write('results/results.json', JSON.stringify({ accuracy: 0.9, loss: 0.7, custom: 3 }));
    const s2 = await snapshot(t.repo, { message: 'second' });
    assert.match(s2.resultsFolder!, /^snapshots\/box-[0-9a-f]{8}$/);
    assert.equal(s2.resultsMoved, 1);
    assert.ok(existsSync(join(t.root, 'results/snapshots/box-exp-1/results.json')));

    // Metrics belong to one snapshot: a code-only snapshot has none.
    t.write('code/train.py', 'print(2)\n');
    const s3 = await snapshot(t.repo, { message: 'code only' });
    assert.equal(s3.resultsFolder, null);
    assert.equal((await readCommitTree(t.repo, s3.id)).metrics, undefined);

    const h = await historyReport(t.repo, { baseline: 'exp-1', minimize: ['custom'] });
    assert.deepEqual(
      h.rows.map((r) => r.message),
      ['code only', 'second', 'first'],
    );
    assert.deepEqual(h.columns, ['accuracy', 'custom', 'loss']);
    assert.deepEqual(h.rows[1]!.compared, { accuracy: 'better', loss: 'worse' });
    assert.deepEqual(h.rows[2]!.compared, { accuracy: 'same', loss: 'same' });
    assert.equal((await historyReport(t.repo, { limit: 1 })).rows.length, 1);

    // Restore never rolls results back, and brings missing ones back.
    rmSync(join(t.root, 'results/snapshots/box-exp-1/plots'), { recursive: true });
    writeFileSync(join(t.root, 'results/snapshots/box-exp-1/results.json'), 'changed');
    const r = await restoreSnapshot(t.repo, 'exp-1', { force: true });
    assert.equal(r.commit, s1.id);
    assert.equal(readFileSync(join(t.root, 'code/train.py'), 'utf8'), 'print(1)\n');
    assert.ok(existsSync(join(t.root, 'results/snapshots/box-exp-1/plots/a.png')));
    assert.equal(readFileSync(join(t.root, 'results/snapshots/box-exp-1/results.json'), 'utf8'), 'changed');
    assert.ok(
      existsSync(join(t.root, 'results/snapshots', s2.resultsFolder!.split('/')[1]!, 'results.json')),
    );
    assert.equal((await fsck(t.repo)).ok, true);
  } finally {
    await t.done();
  }
});

test('bad input: a tag already used, an unknown snapshot, a results.json that is not JSON', async () => {
  const t = await createTempRepo({ results: 'results' });
  try {
    t.write('results/out.txt', '1');
    await snapshot(t.repo, { message: 'one', tags: ['v1'] });
    t.write('results/out2.txt', '2');
    await assert.rejects(snapshot(t.repo, { message: 'two', tags: ['v1'] }), { code: 'E_ALREADY_EXISTS' });
    assert.ok(existsSync(join(t.root, 'results/out2.txt')), 'nothing moved');
    await assert.rejects(snapshot(t.repo, { message: 'two', tags: ['v2', 'v2'] }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(restoreSnapshot(t.repo, 'v9'), { code: 'E_NOT_FOUND' });
    await assert.rejects(restoreSnapshot(t.repo, 'v1', { only: ['nope'] }), { code: 'E_INVALID_ARGUMENT' });
    t.write('results/results.json', '{not json');
    await assert.rejects(snapshot(t.repo, { message: 'bad' }), { code: 'E_INVALID_ARGUMENT' });
    assert.ok(existsSync(join(t.root, 'results/results.json')), 'nothing moved');
    assert.ok(existsSync(join(t.root, 'results/out2.txt')), 'nothing moved');
    await assert.rejects(setParam(t.repo, 'nope', '1'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(setParam(t.repo, 'results.template', '../x/{TAG}'), { code: 'E_INVALID_ARGUMENT' });
    await assert.rejects(setParam(t.repo, 'results.template', 'runs/{HOST}'), { code: 'E_INVALID_ARGUMENT' });
  } finally {
    await t.done();
  }
});

test('a failed commit moves the results back; section providers are called around the commit', async () => {
  const t = await createTempRepo({ results: 'results' });
  try {
    const calls: string[] = [];
    const failing: SectionProvider = {
      section: 'lineage',
      prepare: async () => ({ steps: [] }),
      committed: async ({ commit }) => {
        calls.push(commit);
      },
    };
    t.write('results/a.txt', 'a');
    const s = await snapshot(t.repo, { message: 'one', tags: ['t1'], providers: [failing] });
    assert.deepEqual(calls, [s.id]);
    const lineage = JSON.parse(
      readFileSync(join(t.root, 'results', s.resultsFolder!, 'lineage.json'), 'utf8'),
    );
    assert.deepEqual(lineage.lineage, { steps: [] });
    // A section named `resources` makes the commit fail after the move: everything goes back.
    t.write('results/b.txt', 'b');
    const bad: SectionProvider = { section: 'resources', prepare: async () => ({}) };
    await assert.rejects(snapshot(t.repo, { message: 'two', providers: [bad] }), {
      code: 'E_INVALID_ARGUMENT',
    });
    assert.ok(existsSync(join(t.root, 'results/b.txt')));
    assert.deepEqual(readdirSync(join(t.root, 'results/snapshots')), [s.resultsFolder!.split('/')[1]]);
    assert.ok(!existsSync(join(t.repo.strataDir, 'workspace/results-move.json')));
  } finally {
    await t.done();
  }
});

test('a reference-only local folder is hashed, not copied; restore reports it; --no-hash records size and mtime', async () => {
  const t = await createTempRepo({});
  const ext = tempDir();
  try {
    writeFileSync(join(ext, 'a.csv'), 'x,y\n');
    mkdirSync(join(ext, 'sub'));
    writeFileSync(join(ext, 'sub/b.csv'), '1,2\n');
    await assert.rejects(addResource(t.repo, { type: 'local', path: t.root, role: 'source-data' }), {
      code: 'E_INVALID_ARGUMENT',
    });
    await assert.rejects(addResource(t.repo, { type: 'ftp', path: ext, role: 'source-data' }), {
      code: 'E_INVALID_ARGUMENT',
    });
    const r = await addResource(t.repo, {
      type: 'local',
      path: ext,
      role: 'source-data',
      name: 'ext',
      referenceOnly: true,
    });
    assert.equal(r.type, 'local');
    const s1 = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    const snap = (await readCommitTree(t.repo, s1.id)).resources.ext!;
    assert.equal(snap.content, 'hashed');
    assert.equal(snap.files, 2);
    assert.equal((await fsck(t.repo)).ok, true, 'contents are not expected in the store');
    await gc(t.repo);
    assert.equal((await fsck(t.repo)).ok, true);

    writeFileSync(join(ext, 'a.csv'), 'x,y\n3,4\n');
    assert.deepEqual(
      (await status(t.repo)).changes.map((c) => `${c.resource}/${c.path} ${c.change}`),
      ['ext/a.csv modified'],
    );
    const r1 = await restoreSnapshot(t.repo, 'one');
    assert.deepEqual(r1.skipped, [{ resource: 'ext', reason: 'contents not stored' }]);
    assert.deepEqual(r1.unrestorable, [
      { resource: 'ext', path: 'a.csv', action: 'write', reason: 'reference-only' },
    ]);
    assert.equal(readFileSync(join(ext, 'a.csv'), 'utf8'), 'x,y\n3,4\n', 'never written');
    await assert.rejects(restoreSnapshot(t.repo, 'one', { strict: true }), { code: 'E_CANNOT_RESTORE' });

    const ext2 = tempDir();
    writeFileSync(join(ext2, 'big.bin'), 'data');
    await addResource(t.repo, { type: 'local', path: ext2, role: 'source-data', name: 'stat', noHash: true });
    const s2 = await snapshot(t.repo, { message: 'two' });
    assert.equal((await readCommitTree(t.repo, s2.id)).resources.stat!.content, 'stat');
    rmSync(ext2, { recursive: true });
  } finally {
    rmSync(ext, { recursive: true, force: true });
    await t.done();
  }
});

test('a git resource records HEAD and dirtiness; restore checks the commit out; a dirty one stops restore', async () => {
  const t = await createTempRepo({ data: 'source-data' });
  const repoDir = tempDir();
  try {
    git(repoDir, 'init', '-q');
    writeFileSync(join(repoDir, 'train.py'), 'v1\n');
    git(repoDir, 'add', '.');
    git(repoDir, 'commit', '-qm', 'one');
    const first = git(repoDir, 'rev-parse', 'HEAD');
    await addResource(t.repo, { type: 'git', path: repoDir, role: 'code', name: 'src' });
    t.write('data/a.txt', 'a');
    const s1 = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    assert.deepEqual((await readCommitTree(t.repo, s1.id)).resources.src!.extra, {
      git: { commit: first, dirty: false },
    });

    writeFileSync(join(repoDir, 'train.py'), 'v2\n');
    const dirty = await snapshot(t.repo, { message: 'dirty' });
    assert.deepEqual((await readCommitTree(t.repo, dirty.id)).resources.src!.extra, {
      git: { commit: first, dirty: true },
    });
    git(repoDir, 'commit', '-qam', 'two');
    // A new git commit alone is a change worth a snapshot, and diff names it.
    await snapshot(t.repo, { message: 'two', tags: ['two'] });
    const moved = await diffResources(t.repo, 'one', 'two');
    assert.deepEqual(
      moved.map((c) => [c.resource, c.change]),
      [['src', 'git']],
    );

    writeFileSync(join(repoDir, 'train.py'), 'uncommitted\n');
    t.write('data/a.txt', 'changed');
    await assert.rejects(restoreSnapshot(t.repo, 'one', { force: true }), { code: 'E_DIRTY_RESOURCE' });
    assert.equal(readFileSync(join(t.root, 'data/a.txt'), 'utf8'), 'changed', 'nothing written');
    git(repoDir, 'checkout', '-q', '--', 'train.py');

    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.checkedOut, ['src']);
    assert.equal(git(repoDir, 'rev-parse', 'HEAD'), first);
    assert.equal(readFileSync(join(repoDir, 'train.py'), 'utf8'), 'v1\n');
    assert.equal(readFileSync(join(t.root, 'data/a.txt'), 'utf8'), 'a');
    // --leave keeps the git resource where it is.
    const r2 = await restoreSnapshot(t.repo, 'two', { leave: ['src'] });
    assert.deepEqual(r2.checkedOut, []);
    assert.equal(git(repoDir, 'rev-parse', 'HEAD'), first);
    assert.equal((await fsck(t.repo)).ok, true);
  } finally {
    rmSync(repoDir, { recursive: true, force: true });
    await t.done();
  }
});

test('read-only resources are recorded but never written by a restore', async () => {
  const t = await createTempRepo({});
  try {
    mkdirSync(join(t.root, 'ref'));
    await addResource(t.repo, { path: 'ref', role: 'source-data', cwd: t.root, readOnly: true });
    t.write('ref/a.txt', 'one');
    const s = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    assert.equal((await readCommitTree(t.repo, s.id)).resources.ref!.readOnly, true);
    t.write('ref/a.txt', 'two');
    const r = await restoreSnapshot(t.repo, 'one', { force: true });
    assert.deepEqual(r.skipped, [{ resource: 'ref', reason: 'read-only' }]);
    assert.equal(readFileSync(join(t.root, 'ref/a.txt'), 'utf8'), 'two');
  } finally {
    await t.done();
  }
});

test('config parameters: global in the catalog, local to this working folder, with help', async () => {
  const t = await createTempRepo({});
  try {
    const all = await listParams(t.repo);
    assert.ok(all.every((p) => p.help.length > 0 && p.isDefault));
    await setParam(t.repo, 'hostname', 'gpu-7');
    await setParam(t.repo, 'results.template', 'runs/{DATE}/{TAG}');
    assert.equal((await getParam(t.repo, 'hostname')).value, 'gpu-7');
    // Local: a row of this working folder, not the repository-wide config.
    const folder = await t.repo.catalog.workingFolderId();
    assert.equal((await t.repo.catalog.readLocalParams(folder)).hostname, 'gpu-7');
    assert.equal(await t.repo.catalog.getConfig('param.hostname'), undefined);
    assert.equal(await t.repo.catalog.getConfig('param.results.template'), 'runs/{DATE}/{TAG}');
  } finally {
    await t.done();
  }
});

test('delete-snapshot removes tags and the results folder, and hides it from history', async () => {
  const t = await createTempRepo({ results: 'results' });
  try {
    t.write('results/a.txt', 'a');
    const s1 = await snapshot(t.repo, { message: 'one', tags: ['one'] });
    t.write('results/b.txt', 'b');
    const s2 = await snapshot(t.repo, { message: 'two', tags: ['two'] });
    const d = await deleteSnapshot(t.repo, 'one');
    assert.equal(d.commit, s1.id);
    assert.deepEqual(d.tagsRemoved, ['one']);
    assert.ok(!existsSync(join(t.root, 'results', s1.resultsFolder!)));
    assert.deepEqual(
      (await historyReport(t.repo)).rows.map((r) => r.id),
      [s2.id],
    );
    const kept = await deleteSnapshot(t.repo, 'two', { keepResults: true });
    assert.deepEqual(kept.resultsRemoved, []);
    assert.ok(existsSync(join(t.root, 'results', s2.resultsFolder!, 'b.txt')));
    await assert.rejects(deleteSnapshot(t.repo, s2.id), { code: 'E_INVALID_ARGUMENT' });
    // The tag is free again: a new snapshot may use it, in a folder of its own.
    t.write('results/c.txt', 'c');
    const s3 = await snapshot(t.repo, { message: 'three', tags: ['two'] });
    assert.equal(s3.resultsFolder, `${s2.resultsFolder}-2`);
  } finally {
    await t.done();
  }
});
