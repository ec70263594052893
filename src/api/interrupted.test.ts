import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stagingJournalPath, writeMoveJournal } from '../assets/staging/index.js';
import { createTempRepo } from '../repo/test-support/temp-repo.js';
import { findInterrupted } from './interrupted.js';

test('issue 10: status names an interrupted assets create (its move journal) and how to resolve it', async () => {
  const t = await createTempRepo();
  try {
    assert.equal(findInterrupted(t.repo), undefined);
    writeMoveJournal(stagingJournalPath(t.repo), [], 'move');
    const found = findInterrupted(t.repo);
    assert.equal(found?.operation, 'assets create');
    assert.equal(found?.continueCommand, 'strata recover');
    assert.equal(found?.abortCommand, 'strata recover --abort');
  } finally {
    await t.done();
  }
});
