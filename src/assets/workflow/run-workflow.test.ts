import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../errors/index.js';
import { parseSteps, runWorkflow, type StepRunner, type WorkflowStep } from './run-workflow.js';

function runners(log: string[], failing: Partial<Record<WorkflowStep, 'soft' | 'throw' | 'bug'>> = {}) {
  const make =
    (step: WorkflowStep): StepRunner =>
    async () => {
      log.push(step);
      if (failing[step] === 'throw') throw new ConfigError(`${step}: bad config`, { key: step });
      if (failing[step] === 'bug') throw new TypeError('a bug');
      return { ok: failing[step] !== 'soft', result: { step } };
    };
  return { delete: make('delete'), update: make('update'), create: make('create'), export: make('export') };
}

test('runs any ordered list of steps, repeats allowed', async () => {
  const log: string[] = [];
  const result = await runWorkflow(parseSteps('update, create,export,delete,update'), runners(log));
  assert.equal(result.ok, true);
  assert.deepEqual(log, ['update', 'create', 'export', 'delete', 'update']);
  assert.deepEqual(result.steps[1], { step: 'create', ok: true, result: { step: 'create' } });
});

test('stops at the first failure: a soft one (export failed) or a Strata error; bugs propagate', async () => {
  const soft: string[] = [];
  const r1 = await runWorkflow(['create', 'export', 'delete'], runners(soft, { export: 'soft' }));
  assert.equal(r1.ok, false);
  assert.deepEqual(soft, ['create', 'export']); // delete never follows a failed export
  const thrown: string[] = [];
  const r2 = await runWorkflow(['update', 'create'], runners(thrown, { update: 'throw' }));
  assert.deepEqual(r2.steps, [
    { step: 'update', ok: false, error: { code: 'E_CONFIG', message: 'update: bad config' } },
  ]);
  assert.deepEqual(thrown, ['update']);
  await assert.rejects(runWorkflow(['create'], runners([], { create: 'bug' })), TypeError);
});

test('parseSteps refuses unknown and empty step lists', () => {
  assert.throws(() => parseSteps('update,launch'), { code: 'E_INVALID_ARGUMENT' });
  assert.throws(() => parseSteps(' , '), { code: 'E_INVALID_ARGUMENT' });
});
