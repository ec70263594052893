import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProgram } from '../main.js';
import { renderCliReference } from '../reference/cli-reference.js';
import { describeCommand, flattenCommands } from '../reference/command-tree.js';
import { PROJECT_ROOT } from './project.js';

test('docs/cli.md is generated from the command definitions and is not stale', () => {
  const r = spawnSync(process.execPath, ['dist/scripts/gen-cli-docs.js', '--check'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${r.stderr}(run \`npm run docs:cli\` and commit docs/cli.md)`);
});

test('the CLI reference names every command and option', () => {
  const spec = describeCommand(createProgram());
  const text = renderCliReference(spec);
  for (const c of flattenCommands(spec)) {
    assert.ok(text.includes(`## ${c.path.join(' ')}`) || c.path.length === 1, c.path.join(' '));
    for (const o of c.options) assert.ok(text.includes(o.flags.replace(/\|/g, '\\|')), o.flags);
  }
  assert.equal(readFileSync(join(PROJECT_ROOT, 'docs/cli.md'), 'utf8'), text);
});

test('docs/benchmarks.md is generated from bench/results and is not stale', () => {
  const r = spawnSync(process.execPath, ['dist/scripts/gen-bench-docs.js', '--check'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${r.stderr}(run \`npm run docs:bench\` and commit docs/benchmarks.md)`);
});
