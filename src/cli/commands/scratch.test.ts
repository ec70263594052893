import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';

test('init --scratch-directory: run gets it as STRATA_SCRATCH_DIR, and it is never versioned', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-scratch-'));
  try {
    const init = ok(runCli(dir, ['init', '--scratch-directory', 'tmp-work', '--json'])).json<{
      scratchDirectory: string;
    }>();
    assert.equal(init.scratchDirectory, join(dir, 'tmp-work'));
    assert.ok(existsSync(join(dir, 'tmp-work')));
    assert.equal(
      ok(runCli(dir, ['config', 'scratch.directory', '--json'])).json<{ value: string }>().value,
      join(dir, 'tmp-work'),
    );
    mkdirSync(join(dir, 'results'));
    ok(runCli(dir, ['resource', 'add', 'results', '--role', 'results']));
    // A resource may not hold the scratch folder: what is there is never versioned.
    assert.equal(runCli(dir, ['resource', 'add', 'tmp-work', '--role', 'intermediate-data']).code, 1);
    ok(
      runCli(dir, [
        'run',
        '--output',
        'results',
        '--',
        process.execPath,
        '-e',
        "const fs = require('fs'); fs.writeFileSync(process.env.STRATA_SCRATCH_DIR + '/checkpoint.bin', 'x'); fs.writeFileSync('results/results.json', JSON.stringify({metrics: {accuracy: 1}}))",
      ]),
    );
    assert.equal(readFileSync(join(dir, 'tmp-work/checkpoint.bin'), 'utf8'), 'x');
    ok(runCli(dir, ['snapshot', '-m', 'one']));
    const status = ok(runCli(dir, ['status', '--json'])).stdout;
    assert.doesNotMatch(status, /checkpoint/);
    writeFileSync(join(dir, 'tmp-work/more.bin'), 'y');
    assert.doesNotMatch(ok(runCli(dir, ['status', '--json'])).stdout, /more\.bin/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
