/**
 * Damaged repositories, end to end through the CLI: a flipped byte in a packed object or in a
 * chunk of a big file, a deleted pack, a hostile config and a lost catalog. Each must give a clear error that
 * names what is wrong (fsck names the object), exit 1 or 2 with one line and no stack trace, and
 * change nothing: no partial file written, the undamaged data still restores.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createStrata,
  describeDifferences,
  digestTree,
  nonEmptyLines,
  sha256,
  stackFrames,
  treeDifferences,
  withTempDir,
  type RunResult,
} from './cli-harness.js';

const strata = createStrata();

const MiB = 1024 * 1024;

interface FsckJson {
  ok: boolean;
  objects: number;
  problems: { object: string; problem: string; kind: string; detail: string; referenced_by?: string }[];
}

/** Creates a repository in `root` with `files` (relative to data/) in a source-data resource, and commits. */
async function repoWithFiles(root: string, files: Record<string, Buffer>): Promise<string> {
  await strata.ok(root, ['init']);
  for (const [rel, data] of Object.entries(files)) {
    const abs = join(root, 'data', ...rel.split('/'));
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, data);
  }
  await strata.ok(root, ['resource', 'add', 'data', '--role', 'source-data']);
  const { id } = await strata.json<{ id: string }>(root, ['commit', '-m', 'the files', '--json']);
  return id;
}

/** `strata fsck --json` on a damaged repository: exit 1, ok false, and the report. */
async function fsckExpectingProblems(root: string): Promise<FsckJson> {
  const r = await strata.run(root, ['fsck', '--json']);
  assert.equal(r.code, 1, `fsck exit code (stderr: ${r.stderr})`);
  const report = JSON.parse(r.stdout) as FsckJson;
  assert.equal(report.ok, false);
  return report;
}

/** A failed command: the expected exit codes, exactly one line on stderr, no stack frames. */
function assertCleanFailure(r: RunResult, what: string, codes: readonly number[] = [1, 2]): string {
  assert.ok(
    r.code !== null && codes.includes(r.code),
    `${what}: exit code ${r.code ?? r.signal}, expected one of ${codes.join('/')}; stdout: ${r.stdout}; stderr: ${r.stderr}`,
  );
  assert.deepEqual(stackFrames(r.stderr), [], `${what}: stack trace on stderr:\n${r.stderr}`);
  const lines = nonEmptyLines(r.stderr);
  assert.equal(lines.length, 1, `${what}: expected one line on stderr, got:\n${r.stderr}`);
  return lines[0]!;
}

/** The content every small file gets: unique, so it can be found in a pack by searching bytes. */
function uniqueContent(i: number): Buffer {
  const marker = `unique-content-${i}-${randomBytes(12).toString('hex')}`;
  return Buffer.from(Array.from({ length: 4 }, (_, line) => `${marker} line ${line}\n`).join(''));
}

/** Every file under .strata/objects/loose, with its object id (fan-out folder + file name). */
function looseObjects(root: string): { id: string; path: string }[] {
  const loose = join(root, '.strata', 'objects', 'loose');
  const found: { id: string; path: string }[] = [];
  for (const prefix of readdirSync(loose))
    for (const name of readdirSync(join(loose, prefix)))
      found.push({ id: prefix + name, path: join(loose, prefix, name) });
  return found;
}

/** Flips the bits of one byte of a file in place. */
function flipByte(path: string, at: number): void {
  chmodSync(path, 0o644);
  const bytes = readFileSync(path);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(path, bytes);
}

test('a flipped byte in one packed object: fsck names it, checkout fails cleanly, the rest restores', async () => {
  await withTempDir('corrupt-pack', async (root) => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`${i < 20 ? 'a' : 'b/c'}/s${i}.txt`] = uniqueContent(i);
    const commit = await repoWithFiles(root, files);
    const dataDir = join(root, 'data');
    const before = digestTree(dataDir);

    const packsDir = join(root, '.strata', 'objects', 'packs');
    const packs = readdirSync(packsDir).filter((n) => n.endsWith('.pack'));
    assert.equal(packs.length, 1, `one commit of small files writes one pack: ${packs.join(', ')}`);
    const packPath = join(packsDir, packs[0]!);
    const target = 'b/c/s27.txt';
    const content = files[target]!;
    const pack = readFileSync(packPath);
    const at = pack.indexOf(content);
    assert.ok(at >= 36, `the content of ${target} is stored verbatim in the pack`);
    assert.equal(pack.indexOf(content, at + 1), -1, 'and only once');
    // A pack record is: raw id (32 bytes), length (4 bytes, big-endian), data.
    assert.equal(pack.readUInt32BE(at - 4), content.length, 'the record length before the data');
    const id = pack.toString('hex', at - 36, at - 4);
    flipByte(packPath, at + 10);

    const report = await fsckExpectingProblems(root);
    assert.equal(report.problems.length, 1, `exactly one problem: ${JSON.stringify(report.problems)}`);
    const [problem] = report.problems;
    assert.equal(problem!.object, id);
    assert.equal(problem!.problem, 'corrupt');
    assert.equal(problem!.kind, 'file');
    assert.ok(problem!.referenced_by?.includes('s27.txt'), `names the file: ${problem!.referenced_by}`);

    // Checking out the damaged file fails in one line, and writes no partial (or temp) file.
    rmSync(join(dataDir, ...target.split('/')));
    const checkout = await strata.run(root, ['checkout', commit, '--force']);
    const line = assertCleanFailure(checkout, 'checkout of a corrupt object');
    assert.ok(line.includes(id), `the error names the object: ${line}`);
    assert.equal(existsSync(join(dataDir, ...target.split('/'))), false, 'no partial file');
    const expected = new Map(before);
    expected.delete(target);
    const diffs = treeDifferences(expected, digestTree(dataDir));
    assert.deepEqual(diffs, [], `after the failed checkout: ${describeDifferences(diffs)}`);

    // Undamaged files still restore, byte for byte.
    const other = 'a/s3.txt';
    rmSync(join(dataDir, ...other.split('/')));
    await strata.ok(root, ['restore', `data/${other}`]);
    assert.equal(sha256(readFileSync(join(dataDir, ...other.split('/')))), sha256(files[other]!));
    const status = await strata.json<{ branch: string; head: string; changes: { path: string }[] }>(root, [
      'status',
      '--json',
    ]);
    assert.equal(status.branch, 'main', 'the failed checkout did not move HEAD');
    assert.equal(status.head, commit);
    assert.deepEqual(
      status.changes.map((c) => c.path),
      [target],
    );
  });
});

/** The id of the pack record whose data holds byte `at` of the pack file. */
function recordHolding(pack: Buffer, at: number): string {
  // After the magic: records of raw id (32 bytes), length (4 bytes, big-endian), data.
  let offset = 'STRATAPACK1\n'.length;
  while (offset < pack.length) {
    const length = pack.readUInt32BE(offset + 32);
    if (at < offset + 36 + length) return pack.toString('hex', offset, offset + 32);
    offset += 36 + length;
  }
  throw new Error(`no record holds byte ${at}`);
}

/** The only pack file of the repository, after one commit. */
function onlyPack(root: string): string {
  const packsDir = join(root, '.strata', 'objects', 'packs');
  const packs = readdirSync(packsDir).filter((n) => n.endsWith('.pack'));
  assert.equal(packs.length, 1, `one commit writes one pack: ${packs.join(', ')}`);
  return join(packsDir, packs[0]!);
}

test('a flipped byte in a chunk of a big file: fsck names the chunk, checkout writes no partial file', async () => {
  await withTempDir('corrupt-chunk', async (root) => {
    const big = randomBytes(Math.round(4.5 * MiB));
    const commit = await repoWithFiles(root, {
      'big.bin': big,
      'small-1.txt': uniqueContent(1),
      'small-2.txt': uniqueContent(2),
    });
    const dataDir = join(root, 'data');
    const before = digestTree(dataDir);
    assert.deepEqual(looseObjects(root), [], 'a big file is stored as packed chunks, not one loose object');

    // Random bytes are stored verbatim: find the middle of the file in the pack.
    const packPath = onlyPack(root);
    const pack = readFileSync(packPath);
    const middle = Math.floor(big.length / 2);
    const at = pack.indexOf(big.subarray(middle, middle + 64));
    assert.ok(at > 0, 'the chunk holding the middle of the file is in the pack');
    const chunk = recordHolding(pack, at);
    flipByte(packPath, at);

    const report = await fsckExpectingProblems(root);
    assert.equal(report.problems.length, 1, `exactly one problem: ${JSON.stringify(report.problems)}`);
    assert.equal(report.problems[0]!.object, chunk);
    assert.equal(report.problems[0]!.problem, 'corrupt');
    assert.equal(report.problems[0]!.kind, 'file');
    assert.ok(report.problems[0]!.referenced_by?.includes('big.bin'), 'names the file');

    rmSync(join(dataDir, 'big.bin'));
    const checkout = await strata.run(root, ['checkout', commit, '--force']);
    const line = assertCleanFailure(checkout, 'checkout of a file with a corrupt chunk');
    assert.ok(line.includes(chunk), `the error names the chunk: ${line}`);
    assert.equal(existsSync(join(dataDir, 'big.bin')), false, 'no partial file');
    const expected = new Map(before);
    expected.delete('big.bin');
    const diffs = treeDifferences(expected, digestTree(dataDir));
    assert.deepEqual(diffs, [], `after the failed checkout: ${describeDifferences(diffs)}`);

    rmSync(join(dataDir, 'small-2.txt'));
    await strata.ok(root, ['restore', 'data/small-2.txt']);
    assert.equal(sha256(readFileSync(join(dataDir, 'small-2.txt'))), before.get('small-2.txt'));
  });
});

test('a deleted pack holding a big file: fsck reports its manifest missing, restore fails in one line', async () => {
  await withTempDir('missing-manifest', async (root) => {
    await repoWithFiles(root, { 'big.bin': randomBytes(Math.round(2.2 * MiB)) });
    const firstPack = onlyPack(root);
    // A second commit (a new file in the same leaf) refers to the big file's manifest, which
    // stays in the first commit's pack.
    writeFileSync(join(root, 'data', 'small.txt'), uniqueContent(7));
    await strata.ok(root, ['commit', '-m', 'small']);
    rmSync(firstPack);

    const report = await fsckExpectingProblems(root);
    const manifest = report.problems.find((p) => p.kind === 'manifest');
    assert.ok(manifest, `the manifest is reported: ${JSON.stringify(report.problems)}`);
    assert.ok(manifest.referenced_by?.includes('big.bin'), 'names the file');
    assert.ok(['missing', 'malformed'].includes(manifest.problem), manifest.problem);

    const dataDir = join(root, 'data');
    rmSync(join(dataDir, 'big.bin'));
    const restore = await strata.run(root, ['restore', 'data/big.bin']);
    const line = assertCleanFailure(restore, 'restore of a file whose manifest is gone');
    assert.ok(line.includes(manifest.object), `the error names the manifest: ${line}`);
    assert.equal(existsSync(join(dataDir, 'big.bin')), false, 'no partial file');
    assert.deepEqual([...digestTree(dataDir).keys()], ['small.txt']);
  });
});

test('a hostile .strata/config.json: every command exits 1 with one line naming the file and the field', async () => {
  await withTempDir('bad-config', async (root) => {
    const commit = await repoWithFiles(root, { 'x.txt': uniqueContent(1) });
    const configPath = join(root, '.strata', 'config.json');
    const original = readFileSync(configPath, 'utf8');
    const everyCommand = [
      ['status'],
      ['log', '--json'],
      ['fsck', '--json'],
      ['commit', '-m', 'should not happen'],
      ['checkout', 'main'],
      ['lock', '--json'],
    ];
    const cases: { config: string; names: string[]; commands: string[][] }[] = [
      { config: '{"format": 99}', names: ['config.json', 'format'], commands: everyCommand },
      {
        config: JSON.stringify({ ...JSON.parse(original), catalog: { type: 'mysql' } }),
        names: ['config.json', 'catalog.type'],
        commands: [['status'], ['commit', '-m', 'should not happen']],
      },
      { config: 'null', names: ['config.json'], commands: [['log', '--json']] },
      { config: '{"format": 1, ', names: ['config.json'], commands: everyCommand },
      { config: '', names: ['config.json'], commands: [['status']] },
    ];
    for (const c of cases) {
      writeFileSync(configPath, c.config);
      // They all fail before touching anything, so they may as well run side by side.
      const results = await Promise.all(c.commands.map((args) => strata.run(root, args)));
      c.commands.forEach((args, i) => {
        const what = `strata ${args.join(' ')} with config ${JSON.stringify(c.config)}`;
        const line = assertCleanFailure(results[i]!, what, [1]);
        for (const name of c.names)
          assert.ok(line.includes(name), `${what}: the error names '${name}': ${line}`);
      });
      assert.equal(readFileSync(configPath, 'utf8'), c.config, 'the bad config is left as it was');
    }

    // Nothing was changed: with the config back, the history is intact.
    writeFileSync(configPath, original);
    const log = await strata.json<{ id: string }[]>(root, ['log', '--json']);
    assert.deepEqual(
      log.map((e) => e.id),
      [commit],
    );
  });
});

test('a deleted .strata/catalog.db: commands fail with one clear line and recreate nothing', async () => {
  await withTempDir('lost-catalog', async (root) => {
    await repoWithFiles(root, { 'x.txt': uniqueContent(1), 'y.txt': uniqueContent(2) });
    const strataDir = join(root, '.strata');
    for (const name of ['catalog.db', 'catalog.db-wal', 'catalog.db-shm'])
      rmSync(join(strataDir, name), { force: true });

    const outcomes: string[] = [];
    let bad = 0;
    for (const args of [
      ['log', '--json'],
      ['status', '--json'],
      ['commit', '-m', 'on a lost catalog'],
    ]) {
      const r = await strata.run(root, args);
      const lines = nonEmptyLines(r.stderr);
      const clean =
        (r.code === 1 || r.code === 2) &&
        lines.length === 1 &&
        stackFrames(r.stderr).length === 0 &&
        /catalog/i.test(lines[0]!);
      if (!clean) bad++;
      outcomes.push(
        `strata ${args.join(' ')} → exit ${r.code ?? r.signal}; stderr: ${JSON.stringify(r.stderr.trim())}; ` +
          `stdout: ${JSON.stringify(r.stdout.trim().slice(0, 200))}`,
      );
    }
    assert.equal(
      bad,
      0,
      `every command must fail with one line naming the catalog (exit 1 or 2):\n  ${outcomes.join('\n  ')}`,
    );
    assert.equal(
      existsSync(join(strataDir, 'catalog.db')),
      false,
      'no empty catalog was created in its place',
    );
  });
});
