import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filedAwayPattern, renderTemplate, templateValues } from './results-folder.js';
import { planMoves } from './take-results.js';
import type { ScannedFile } from '../../repo/worktree/scan-folder.js';

const file = (path: string): ScannedFile => ({
  path,
  abs: `/r/${path}`,
  size: 1,
  mtimeMs: 0,
  ino: 0,
  executable: false,
});

test('templates render and recognise the folders they made', () => {
  const values = templateValues('gpu1', ['SVC-1'], new Date('2026-01-02T03:04:05Z'));
  assert.equal(renderTemplate('snapshots/{HOST}-{TAG}', values), 'snapshots/gpu1-SVC-1');
  assert.equal(renderTemplate('{DATE}/{TAG}', values), '2026-01-02/SVC-1');
  assert.match(templateValues('h', []).TAG, /^[0-9a-f]{8}$/);
  const p = filedAwayPattern('snapshots/{HOST}-{TAG}');
  assert.ok(p.test('snapshots/gpu1-SVC-1/results.json'));
  assert.ok(!p.test('snapshots/notes.txt'));
  assert.ok(!p.test('results.json'));
});

test('top-level entries whose files are all new move whole; others file by file', () => {
  const isNew = (path: string) => !filedAwayPattern('snapshots/{HOST}-{TAG}').test(path);
  const files = ['a.txt', 'plots/1.png', 'plots/2.png', 'snapshots/h-1/old.txt', 'snapshots/new.txt'].map(
    file,
  );
  assert.deepEqual(planMoves(files, isNew, 'snapshots'), {
    entries: ['a.txt', 'plots', 'snapshots/new.txt'],
    files: 4,
  });
});
