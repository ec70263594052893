import { spawn } from 'node:child_process';
import { scratchDirectory } from '../repo/scratch.js';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, extname, resolve } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { Repository } from '../repo/repository.js';
import type { StepRecord } from './lineage-state.js';
import { createStep, type StepOptions } from './step-builder.js';

/** Options of `runCommandStep`: the step's refs and parameters, and the command to run. */
export interface RunCommandOptions extends Omit<StepOptions, 'command'> {
  readonly command: string;
  readonly args?: readonly string[];
}

/** What a recorded command did. */
export interface RunCommandResult {
  /** The command's exit code; 128 + the signal number when a signal ended it. */
  readonly exitCode: number;
  readonly step: StepRecord;
}

/**
 * The step name a command implies: the first argument that is an existing file (the script in
 * `python train.py`), else the command itself, without folder and extension.
 */
export function inferCommandStepName(command: string, args: readonly string[], cwd: string): string {
  const script = args.find(
    (a) => !a.startsWith('-') && existsSync(resolve(cwd, a)) && statSync(resolve(cwd, a)).isFile(),
  );
  const from = script ?? command;
  return basename(from, extname(from)) || basename(from);
}

/**
 * Records a step's lineage around any command: pins the inputs, runs the command (no shell,
 * inherited stdio, in `cwd`), then records the step as complete on exit code 0, or as failed with
 * its outputs unknown otherwise. The command's exit code is returned, not thrown.
 */
export async function runCommandStep(
  repo: Repository,
  options: RunCommandOptions,
): Promise<RunCommandResult> {
  const cwd = options.cwd ?? process.cwd();
  const args = options.args ?? [];
  if (options.command === '') throw new InvalidArgumentError('no command to run', {});
  const step = await createStep(repo, {
    ...options,
    cwd,
    name: options.name ?? inferCommandStepName(options.command, args, cwd),
    command: [options.command, ...args],
  }).begin();
  // Temporary outputs go to this machine's scratch folder, which is never versioned.
  const env = { ...process.env, STRATA_SCRATCH_DIR: await scratchDirectory(repo) };
  const child = spawn(options.command, args, { cwd, env, stdio: 'inherit', shell: false });
  // A Ctrl-C reaches the command (same process group); we stay to record how it ended.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolveExit, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolveExit({ code, signal }));
    });
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT';
    const error = missing
      ? new NotFoundError(`command not found: ${options.command}`, {
          what: 'command',
          command: options.command,
        })
      : err;
    await step.fail(error).catch(() => undefined);
    throw error;
  } finally {
    process.off('SIGINT', forward).off('SIGTERM', forward);
  }
  const exitCode = exit.code ?? 128 + (exit.signal ? (constants.signals[exit.signal] ?? 0) : 0);
  if (exitCode === 0) return { exitCode, step: await step.complete() };
  const why = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exitCode}`;
  return { exitCode, step: await step.fail(new Error(`${options.command} ${why}`)) };
}
