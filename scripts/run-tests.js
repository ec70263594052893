#!/usr/bin/env node
// Runs the compiled unit and integration tests: every `*.test.js` under dist/src, with Node's
// built-in runner. Plain JavaScript so it runs without a build step of its own.
//
//   node scripts/run-tests.js              all tests
//   node scripts/run-tests.js store repo   only test files whose path (e.g. src/store/fs/x.test.js)
//                                          contains one of the words
//
// A run that finds no test files fails: a green run must mean tests ran.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const TEST_ROOT = path.join(DIST, 'src');
const CONCURRENCY = 2;

/** Every file under `dir` whose name ends in `.test.js`, as paths relative to ROOT, sorted. */
function findTestFiles(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTestFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path.relative(ROOT, full));
  }
  return found.sort();
}

function fail(message) {
  console.error(`run-tests: ${message}`);
  process.exit(1);
}

if (!existsSync(TEST_ROOT)) {
  fail(
    `${path.relative(ROOT, TEST_ROOT)}/ is missing. Run \`npm run build\` first (or \`npm test\`, which builds).`,
  );
}

// Filters match the path below dist/, which mirrors the source path; `x.test.ts` also finds `x.test.js`.
const filters = process.argv.slice(2).map((word) => word.replace(/\.ts$/, '.js'));
const all = findTestFiles(TEST_ROOT);
const selected = all.filter((file) => {
  const sourcePath = path.relative(DIST, path.join(ROOT, file)).split(path.sep).join('/');
  return filters.length === 0 || filters.some((word) => sourcePath.includes(word));
});

if (all.length === 0) {
  fail(
    `no *.test.js files under ${path.relative(ROOT, TEST_ROOT)}/. Did \`npm run build\` compile the tests?`,
  );
}
if (selected.length === 0) {
  fail(`none of the ${all.length} test files has a path containing any of: ${filters.join(', ')}`);
}

// tsc never deletes output, so a compiled test whose source is gone still runs; say so.
for (const file of selected) {
  const source = path.join(ROOT, path.relative(DIST, path.join(ROOT, file))).replace(/\.js$/, '.ts');
  if (!existsSync(source)) {
    console.warn(
      `run-tests: warning: ${file} has no source ${path.relative(ROOT, source)} (stale build output?)`,
    );
  }
}

const args = ['--test', `--test-concurrency=${CONCURRENCY}`, ...selected];
const scope = filters.length > 0 ? ` matching ${filters.join(' | ')}` : '';
console.log(
  `run-tests: ${selected.length} of ${all.length} test files${scope}: node ${args.slice(0, 2).join(' ')} …`,
);

const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
if (result.error) fail(`could not start node: ${result.error.message}`);
if (result.signal) fail(`the test runner was killed by ${result.signal}`);
process.exit(result.status ?? 1);
