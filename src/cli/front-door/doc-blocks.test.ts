import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codeBlocks } from './doc-blocks.js';
import { PROJECT_ROOT, binFolder, tempDir, userEnv } from './project.js';

// Every ```sh block of README.md and the docs pages runs verbatim, in order, in a fresh folder,
// with `strata` on PATH pointing at package.json's bin; blocks that must not run are ```text.
const PAGES = [
  'README.md',
  ...readdirSync(join(PROJECT_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const RUNNABLE = 'sh';
const SHOWN_ONLY = 'text';

test('code blocks of README and docs are either runnable sh or text', () => {
  for (const page of PAGES) {
    for (const block of codeBlocks(readFileSync(join(PROJECT_ROOT, page), 'utf8'))) {
      assert.ok(
        block.language === RUNNABLE || block.language === SHOWN_ONLY,
        `${page}:${block.line}: a \`\`\`${block.language || '(no language)'} block is neither run (sh) nor marked as text`,
      );
    }
  }
});

test('README shows the Quick start CI runs, and each of the five common jobs as a runnable block', () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  assert.ok(readme.length <= 12 * 1024, `README.md is ${readme.length} bytes, more than 12 KB`);
  const blocks = codeBlocks(readme);
  assert.equal(blocks[0]!.text, 'npm ci && npm run quickstart\nnpm test');
  const ci = readFileSync(join(PROJECT_ROOT, '.ci/run'), 'utf8');
  assert.match(ci, /^npm ci && npm run quickstart$/m);
  assert.match(ci, /^npm test$/m);
  for (const job of [
    'Version a folder',
    'Go back to a version',
    'Compare experiments',
    'Import and read arrays',
    'Ingest assets',
  ]) {
    const at = readme.indexOf(`### ${job}\n`);
    assert.ok(at >= 0, `README has no section '${job}'`);
    const next = readme.indexOf('```', at);
    assert.equal(readme.slice(next, next + 6), '```sh\n', `'${job}' starts with a runnable sh block`);
  }
});

for (const page of PAGES) {
  const blocks = codeBlocks(readFileSync(join(PROJECT_ROOT, page), 'utf8')).filter(
    (b) => b.language === RUNNABLE && !b.text.startsWith('npm '),
  );
  if (blocks.length === 0) continue;
  test(`the sh blocks of ${page} run verbatim, in order`, () => {
    const dir = tempDir('doc-blocks');
    // One shell for the page, so a block may `cd` into what an earlier one made. A failing
    // command stops it, naming the block's line.
    const script = blocks.map((b) => `echo '### ${page}:${b.line}' >&2\n${b.text}\n`).join('\n');
    writeFileSync(join(dir, 'blocks.sh'), `set -e\n${script}`);
    const r = spawnSync('bash', [join(dir, 'blocks.sh')], {
      cwd: dir,
      encoding: 'utf8',
      env: userEnv(binFolder()),
    });
    const lastBlock = /### (\S+)\n(?![\s\S]*###)/.exec(r.stderr)?.[1] ?? page;
    assert.equal(r.status, 0, `${lastBlock} failed:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  });
}
