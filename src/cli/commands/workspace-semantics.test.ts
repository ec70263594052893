import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, ok } from '../test-support/run-cli.js';

// Issue 10, "Workspace semantics that surprised users": metrics per snapshot, history of any
// revision or every branch, lineage per branch, the commit author from config.

/** A repository with `source-data`, `intermediate-data` and `results` resources, removed after `body`. */
function withRepo(body: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'strata-ws-sem-'));
  try {
    ok(runCli(dir, ['init', '--create-resources', 'source-data,intermediate-data,results']));
    body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface HistoryRow {
  id: string;
  message: string;
  branches: string[];
  metrics: Record<string, unknown>;
}

test('issue 10 points 1 and 3: report history shows own metrics only, of a revision or of --all branches', () => {
  withRepo((dir) => {
    writeFileSync(join(dir, 'source-data/a.txt'), 'a');
    writeFileSync(join(dir, 'results/results.json'), '{"accuracy": 0.8}');
    ok(runCli(dir, ['commit', '-m', 's1']));
    ok(runCli(dir, ['checkout', '-b', 'side', 'main']));
    writeFileSync(join(dir, 'source-data/b.txt'), 'b');
    ok(runCli(dir, ['commit', '-m', 's2']));
    ok(runCli(dir, ['checkout', 'main']));
    writeFileSync(join(dir, 'results/results.json'), '{"accuracy": 0.9}');
    ok(runCli(dir, ['commit', '-m', 's3']));
    ok(runCli(dir, ['merge', 'side', '-m', 'merge side']));

    const main = ok(runCli(dir, ['report', 'history', '--json'])).json<HistoryRow[]>();
    assert.deepEqual(
      main.map((r) => [r.message, r.metrics]),
      [
        ['merge side', {}],
        ['s3', { accuracy: 0.9 }],
        ['s2', {}],
        ['s1', { accuracy: 0.8 }],
      ],
    );
    const side = ok(runCli(dir, ['report', 'history', 'side', '--json'])).json<HistoryRow[]>();
    assert.deepEqual(
      side.map((r) => r.message),
      ['s2', 's1'],
    );
    ok(runCli(dir, ['checkout', 'side']));
    const all = ok(runCli(dir, ['report', 'history', '--all', '--json'])).json<HistoryRow[]>();
    assert.deepEqual(
      all.map((r) => [r.message, r.branches]),
      [
        ['merge side', ['main']],
        ['s3', ['main']],
        ['s2', ['main', 'side']],
        ['s1', ['main', 'side']],
      ],
    );
    const table = ok(runCli(dir, ['report', 'history', '--all'])).stdout;
    assert.match(table.split('\n')[0]!, /^id\s+branches\s+tags/);
    assert.match(table, /main,side/);
    const both = runCli(dir, ['report', 'history', 'main', '--all']);
    assert.equal(both.code, 1, both.stderr);
    const help = ok(runCli(dir, ['report', 'history', '--help'])).stdout;
    assert.match(help, /--all/);
  });
});

test('issue 10 point 2: lineage show and status follow the branch; status and commit agree on "nothing to commit"', () => {
  withRepo((dir) => {
    writeFileSync(join(dir, 'source-data/a.txt'), 'a');
    writeFileSync(join(dir, 'intermediate-data/x'), 'same');
    ok(runCli(dir, ['commit', '-m', 'base']));
    ok(runCli(dir, ['branch', 'other']));
    const write = "require('fs').writeFileSync('intermediate-data/x', 'same')";
    ok(
      runCli(dir, [
        'run',
        '-n',
        'prep',
        '-i',
        'source-data/a.txt',
        '-o',
        'intermediate-data/x',
        '--',
        process.execPath,
        '-e',
        write,
      ]),
    );
    const onMain = ok(runCli(dir, ['status', '--json'])).json<{
      changes: unknown[];
      lineage: { steps_changed: number };
    }>();
    assert.deepEqual(onMain.changes, []);
    assert.deepEqual(onMain.lineage, { steps_changed: 1 });
    assert.match(ok(runCli(dir, ['status'])).stdout, /Lineage: 1 step changed/);
    assert.doesNotMatch(ok(runCli(dir, ['status'])).stdout, /nothing to commit/);

    ok(runCli(dir, ['checkout', 'other']));
    assert.deepEqual(ok(runCli(dir, ['lineage', 'show', '--json'])).json(), { steps: [] });
    assert.match(ok(runCli(dir, ['status'])).stdout, /nothing to commit/);
    const refused = runCli(dir, ['commit', '-m', 'nothing']);
    assert.equal(refused.code, 1, refused.stderr);

    ok(runCli(dir, ['checkout', 'main']));
    const { steps } = ok(runCli(dir, ['lineage', 'show', '--json'])).json<{ steps: { name: string }[] }>();
    assert.deepEqual(
      steps.map((s) => s.name),
      ['prep'],
    );
    ok(runCli(dir, ['commit', '-m', 'lineage']));
    assert.deepEqual(ok(runCli(dir, ['status', '--json'])).json<{ lineage: unknown }>().lineage, {
      steps_changed: 0,
    });
  });
});

interface LogRow {
  message: string;
  author: string;
  author_email: string | null;
}

test('issue 10 point 4: config user.name and user.email, STRATA_AUTHOR first; commits record both', () => {
  withRepo((dir) => {
    const noEnv = { STRATA_AUTHOR: '' };
    ok(runCli(dir, ['config', 'user.name', 'Ada Lovelace'], noEnv));
    ok(runCli(dir, ['config', 'user.email', 'ada@example.org'], noEnv));
    const shown = ok(runCli(dir, ['config', 'user.email', '--json'], noEnv)).json<{
      value: string;
      scope: string;
    }>();
    assert.deepEqual([shown.value, shown.scope], ['ada@example.org', 'local']);
    const bad = runCli(dir, ['config', 'user.email', 'not an address'], noEnv);
    assert.equal(bad.code, 1, bad.stderr);

    writeFileSync(join(dir, 'source-data/a.txt'), 'a');
    ok(runCli(dir, ['commit', '-m', 'by config'], noEnv));
    writeFileSync(join(dir, 'source-data/b.txt'), 'b');
    ok(runCli(dir, ['commit', '-m', 'by env'], { STRATA_AUTHOR: 'CI Bot <ci@example.org>' }));
    const log = ok(runCli(dir, ['log', '--json'])).json<LogRow[]>();
    assert.deepEqual(
      log.map((r) => [r.message, r.author, r.author_email]),
      [
        ['by env', 'CI Bot', 'ci@example.org'],
        ['by config', 'Ada Lovelace', 'ada@example.org'],
      ],
    );
    assert.match(ok(runCli(dir, ['show', '--json'])).stdout, /"author_email": "ci@example.org"/);
    assert.match(ok(runCli(dir, ['log'])).stdout, /CI Bot <ci@example.org>/);
    const refused = runCli(dir, ['commit', '-m', 'x', '--allow-empty'], { STRATA_AUTHOR: '<only@mail>' });
    assert.equal(refused.code, 1, refused.stderr);
    const help = ok(runCli(dir, ['config', '--help'])).stdout;
    assert.match(help, /user\.name/);
    assert.match(help, /STRATA_AUTHOR/);
  });
});
