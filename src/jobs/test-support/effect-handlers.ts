import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskHandler } from '../port.js';

/**
 * Handlers for the conformance suite's worker processes. `effect` tasks (payload `{ dir, crash? }`)
 * log each execution to `dir/runs.log`, then write their effect idempotently (`dir/effects/KEY`,
 * same bytes every time). With `crash: true`, the first attempt writes its effect and then kills
 * its own process with SIGKILL before completing: the task must run again elsewhere, and its effect
 * must still be there once.
 */
export const handlers: Record<string, TaskHandler> = {
  async effect({ lease }) {
    const { dir, crash } = lease.payload as { dir: string; crash?: boolean };
    appendFileSync(join(dir, 'runs.log'), `${lease.taskKey} ${lease.attempt} ${process.pid}\n`);
    mkdirSync(join(dir, 'effects'), { recursive: true });
    writeFileSync(join(dir, 'effects', lease.taskKey), lease.taskKey);
    if (crash === true && lease.attempt === 1) process.kill(process.pid, 'SIGKILL');
  },
};
