import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchCheckError } from './check.js';
import { STRATA_BIN } from './paths.js';

/** One finished process. */
export interface ProcessRun {
  /** Wall-clock seconds from spawn to exit (stdio closed). */
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size in MiB, when run with `rss` (GNU time's %M), else null. */
  readonly peakRssMb: number | null;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Measure peak RSS by running under `/usr/bin/time -f %M` (adds one fork+exec, ~1 ms). */
  readonly rss?: boolean;
  /** How to name the command in error messages. */
  readonly label?: string;
}

const GNU_TIME = '/usr/bin/time';
let counter = 0;

/**
 * Runs `command args` as a whole process in `cwd` and resolves when it has exited. A non-zero
 * exit is a `BenchCheckError` naming the command, folder, code and the tail of its stderr.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<ProcessRun> {
  const label = options.label ?? [command, ...args].join(' ');
  let argv = [command, ...args];
  let rssFile: string | undefined;
  if (options.rss) {
    if (!existsSync(GNU_TIME))
      throw new BenchCheckError(`${GNU_TIME} (GNU time) is needed to measure peak RSS`);
    rssFile = join(tmpdir(), `strata-bench-rss-${process.pid}-${counter++}.txt`);
    argv = [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv];
  }
  return new Promise((done, fail) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const started = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => fail(new BenchCheckError(`could not start '${label}': ${e.message}`)));
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      let peakRssMb: number | null = null;
      if (rssFile) {
        try {
          // GNU time writes "Command exited with non-zero status N" before %M on failure.
          const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
          const kib = Number(lines[lines.length - 1]);
          if (Number.isFinite(kib) && kib > 0) peakRssMb = kib / 1024;
        } catch {
          // Reported below as a failed check if the command succeeded.
        }
        rmSync(rssFile, { force: true });
      }
      if (code !== 0) {
        const tail = stderr.trim().split('\n').slice(-15).join('\n');
        fail(
          new BenchCheckError(
            `'${label}' failed (${signal ? `signal ${signal}` : `exit code ${code}`}) in ${options.cwd}` +
              (tail ? `:\n${tail}` : ''),
          ),
        );
        return;
      }
      if (options.rss && peakRssMb === null) {
        fail(new BenchCheckError(`could not read the peak RSS of '${label}' from GNU time`));
        return;
      }
      done({ seconds, stdout, stderr, peakRssMb });
    });
  });
}

/** Environment of every strata process: no colours, no progress bars. */
const STRATA_ENV: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };

/**
 * With BENCH_CPU_PROF=DIR every strata process also writes a V8 CPU profile into DIR (timings are
 * then inflated; use it to see where the time goes, summarise with `node dist/bench/profile.js`).
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;

/** Runs the real CLI (`node <package.json bin> ARGS`, see paths.ts) in `cwd`. */
export function strata(
  cwd: string,
  args: readonly string[],
  options: { rss?: boolean; profileName?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProcessRun> {
  const nodeArgs: string[] = [];
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    const name = `${(options.profileName ?? args[0] ?? 'strata').replace(/[^\w.-]+/g, '_')}-${counter++}`;
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  return runProcess(process.execPath, [...nodeArgs, STRATA_BIN, ...args], {
    cwd,
    env: options.env ? { ...STRATA_ENV, ...options.env } : STRATA_ENV,
    rss: options.rss,
    label: `strata ${args.join(' ')}`,
  });
}

/** Git with a fixed identity and no system or user configuration, so runs are comparable. */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(
  cwd: string,
  args: readonly string[],
  options: { rss?: boolean } = {},
): Promise<ProcessRun> {
  return runProcess('git', args, { cwd, env: GIT_ENV, rss: options.rss, label: `git ${args.join(' ')}` });
}

/** Flushes dirty pages so that writeback of generated data does not land inside a timed run. */
export async function syncDisks(): Promise<void> {
  await runProcess('sync', [], { cwd: tmpdir() });
}
