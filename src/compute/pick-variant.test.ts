import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withProject } from './test-support/with-project.js';
import { pickComputedResource } from './pick-variant.js';

test('issue 12 compute variant choice in the library: the only variant, the one args name, or a clear refusal', async () => {
  await withProject(async (project) => {
    const scaled = project.collection(
      'scaled',
      (_id: string, args: { scale: number } | undefined) => args?.scale ?? 1,
    );
    await project.fetch(scaled, 'one', { args: { scale: 2 } });
    assert.equal(
      (await pickComputedResource(project, 'scaled', 'one')).result,
      2,
      'the only variant, without args',
    );
    await project.fetch(scaled, 'one', { args: { scale: 3 } });
    await assert.rejects(pickComputedResource(project, 'scaled', 'one'), { code: 'E_INVALID_ARGUMENT' });
    const chosen = await pickComputedResource(project, 'scaled', 'one', { args: { scale: 3 } });
    assert.equal(chosen.result, 3);
    await assert.rejects(pickComputedResource(project, 'scaled', 'one', { args: { scale: 9 } }), {
      code: 'E_NOT_FOUND',
    });
    await assert.rejects(pickComputedResource(project, 'scaled', 'never'), { code: 'E_NOT_FOUND' });
  });
});
