import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT, installedBin, tempDir } from './project.js';

test('npm run quickstart does not build again after npm ci (prepare builds), only when dist is missing', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.equal(pkg.scripts.prepare, 'npm run build');
  assert.doesNotMatch(pkg.scripts.quickstart!, /npm run build/);
  const launcher = readFileSync(join(PROJECT_ROOT, pkg.scripts.quickstart!.split(' ')[1]!), 'utf8');
  assert.match(
    launcher,
    /existsSync\(TOUR\) \|\| !existsSync\(CLI\)/,
    'builds only when the build output is missing',
  );
});

test(
  'the quickstart tour ends by itself, in plain text on a pipe, with pasteable commands for every capability',
  { timeout: 600_000 },
  () => {
    const demo = join(tempDir('quickstart'), 'demo');
    const r = spawnSync(process.execPath, ['dist/scripts/quickstart.js', demo], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      // A pipe, and neither NO_COLOR nor FORCE_COLOR: plain text must come from the pipe alone.
      env: Object.fromEntries(
        Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'),
      ),
    });
    assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /\u001b\[/, 'no ANSI codes when stdout is a pipe');
    // Commands are echoed as a shell reads them back: arguments with spaces are quoted.
    assert.match(r.stdout, /^\$ strata commit -m 'Initial data, code and results' --tag v1$/m);
    for (const shown of [
      /^\$ strata tag reviewed experiment$/m,
      /^\$ strata config$/m,
      /^\$ strata assets parse /m,
      /^\$ strata resource add local \S+ --role source-data --name shared$/m,
      /^\$ strata column import /m,
      /^\$ strata compute run /m,
      /^\$ strata run /m,
      /^\$ strata report history /m,
      /^\$ strata assets workflow$/m,
      /^\$ strata clone \S+-hub \S+-copy$/m,
      /^\$ strata pull\nFrom \S+-hub\n(.*\n)?Fast-forward to /m,
      /^\$ strata clone --no-data \S+-hub \S+-partial$/m,
      /^\$ strata -C \S+-partial restore source-data$/m,
      /^\$ node \S*examples\/folder-dataset\.mjs library-demo$/m,
      /^What to try next:$/m,
    ]) {
      assert.match(r.stdout, shown);
    }
    assert.ok(r.stdout.includes(installedBin()), 'it says which file strata is: package.json bin');
  },
);
