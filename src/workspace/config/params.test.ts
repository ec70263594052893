import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTempRepo } from '../../repo/test-support/temp-repo.js';
import { getParam, MAX_PARAM_LENGTH, setParam } from './params.js';

test('an oversized config value is refused with E_INVALID_ARGUMENT, without echoing it, and nothing is set', async () => {
  const t = await createTempRepo();
  try {
    const before = (await getParam(t.repo, 'metrics.maximize')).value;
    for (const name of ['metrics.maximize', 'results.template', 'hostname']) {
      await assert.rejects(
        setParam(t.repo, name, 'a'.repeat(MAX_PARAM_LENGTH + 1)),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'E_INVALID_ARGUMENT');
          assert.ok(err.message.length < 200, 'the message does not carry the value');
          return true;
        },
      );
    }
    assert.equal((await getParam(t.repo, 'metrics.maximize')).value, before);
    await setParam(t.repo, 'metrics.maximize', 'a'.repeat(100));
  } finally {
    await t.done();
  }
});
