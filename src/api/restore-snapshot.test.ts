import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as workspace from '../workspace/index.js';
import * as api from './index.js';
import { restoreSnapshot } from './restore-snapshot.js';

test('issue 12 restoreSnapshot exists once: the library has one, the workspace only its resources half', () => {
  assert.equal(api.restoreSnapshot, restoreSnapshot);
  assert.equal('restoreSnapshot' in workspace, false);
  assert.equal(typeof workspace.restoreSnapshotResources, 'function');
});
